package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// errorBody is every error response.
type errorBody struct {
	Error   string `json:"error"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error codes of errorBody.Error.
const (
	codeInvalid      = "invalid_request"
	codeNotFound     = "not_found"
	codeConflict     = "conflict"
	codeTooLarge     = "request_too_large"
	codeMediaType    = "unsupported_media_type"
	codeMethod       = "method_not_allowed"
	codeServerError  = "server_error"
	codeInvalidToken = "invalid_token"
	codeScope        = "insufficient_scope"
)

// fieldNames maps admin.ValidationError fields, named after the CLI's
// flags, to this API's JSON members.
var fieldNames = map[string]string{
	"redirect_uri":             "redirect_uris",
	"redirect_uri_pattern":     "redirect_uri_patterns",
	"post_logout_redirect_uri": "post_logout_redirect_uris",
	"scope":                    "scopes",
	"api":                      "apis",
	"project":                  "project_id",
	"group":                    "groups",
	"auth_method":              "token_endpoint_auth_method",
	"id_token_alg":             "id_token_signed_response_alg",
	"refresh_idle_ttl":         "refresh_idle_ttl_seconds",
	"refresh_absolute_ttl":     "refresh_absolute_ttl_seconds",
	"overlap":                  "overlap_seconds",
}

// jsonField is the request member a validation error is about.
func jsonField(field string) string {
	if f, ok := fieldNames[field]; ok {
		return f
	}
	return field
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, field, msg string) {
	writeJSON(w, status, errorBody{Error: code, Field: field, Message: msg})
}

// writeServiceError answers an error from admin.Service: validation
// errors name the field, sentinel errors of the store and service become
// 404 or 409, and anything else is a logged 500 with no detail.
func writeServiceError(w http.ResponseWriter, log *slog.Logger, err error) {
	var ve *admin.ValidationError
	switch {
	case errors.As(err, &ve):
		field := jsonField(ve.Field)
		if ve.Item > 0 {
			field = fmt.Sprintf("%s[%d]", field, ve.Item-1)
		}
		writeError(w, http.StatusBadRequest, codeInvalid, field, ve.Message)
	case errors.Is(err, storage.ErrNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, "", "no such record")
	case errors.Is(err, storage.ErrInUse):
		writeError(w, http.StatusConflict, codeConflict, "", "the record is still in use: remove what refers to it first")
	case errors.Is(err, storage.ErrAlreadyExists):
		writeError(w, http.StatusConflict, codeConflict, "", "a record with this key already exists")
	case errors.Is(err, admin.ErrLastAdmin):
		writeError(w, http.StatusConflict, codeConflict, "", admin.ErrLastAdmin.Error())
	case errors.Is(err, admin.ErrNoSecret):
		writeError(w, http.StatusConflict, codeConflict, "", "the client authenticates without a secret, so there is none to rotate")
	default:
		log.Error("admin api request failed", "error", err)
		writeError(w, http.StatusInternalServerError, codeServerError, "", "the request could not be completed")
	}
}
