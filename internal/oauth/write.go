package oauth

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// NoStore sets the headers RFC 6749 §5.1 requires on every response that
// carries tokens or credentials.
func NoStore(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
}

// WriteJSON writes v as a JSON response with no-store caching.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	NoStore(h)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError renders err as an RFC 6749 §5.2 JSON error. Server errors are
// logged with their cause; their details never reach the client.
func WriteError(w http.ResponseWriter, log *slog.Logger, err error) {
	e := As(err)
	logError(log, e)
	if e.Challenge != "" {
		w.Header().Set("WWW-Authenticate", e.Challenge)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int64((e.RetryAfter+time.Second-1)/time.Second)))
	}
	body := map[string]string{"error": e.Code}
	if d := e.SafeDescription(); d != "" {
		body["error_description"] = d
	}
	WriteJSON(w, e.HTTPStatus(), body)
}

// WriteBearerError answers a protected-resource request per RFC 6750 §3:
// the error goes in the WWW-Authenticate header. An Error with an empty Code
// and Status 401 gives the bare challenge §3.1 wants for a request that
// carried no token at all.
func WriteBearerError(w http.ResponseWriter, log *slog.Logger, realm string, err error) {
	e := As(err)
	logError(log, e)
	params := []string{fmt.Sprintf("realm=%q", realm)}
	if e.Code != "" {
		params = append(params, fmt.Sprintf("error=%q", e.Code))
		if d := e.SafeDescription(); d != "" {
			params = append(params, `error_description="`+d+`"`)
		}
	}
	w.Header().Set("WWW-Authenticate", "Bearer "+strings.Join(params, ", "))
	NoStore(w.Header())
	status := e.Status
	if status == 0 {
		switch e.Code {
		case InvalidToken:
			status = http.StatusUnauthorized
		case InsufficientScope:
			status = http.StatusForbidden
		default:
			status = http.StatusBadRequest
		}
	}
	w.WriteHeader(status)
}

func logError(log *slog.Logger, e *Error) {
	if log == nil {
		return
	}
	if e.Code == ServerError {
		log.Error("request failed", "error", e.Error())
		return
	}
	log.Debug("request refused", "error", e.Code, "description", e.Description)
}
