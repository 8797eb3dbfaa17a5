package oauth

import (
	"context"
	"encoding/json"
	"errors"
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
	WriteJSONBody(w, status, body)
}

// WriteJSONBody writes body, already encoded JSON, as WriteJSON would.
func WriteJSONBody(w http.ResponseWriter, status int, body []byte) {
	// The three values share one allocation; each slice is capped at
	// its own element, so an Add elsewhere copies rather than overwrites.
	vals := [...]string{"application/json", "no-store", "no-cache"}
	s := vals[:]
	h := w.Header()
	h["Content-Type"] = s[0:1:1]
	h["Cache-Control"] = s[1:2:2] // NoStore's two headers
	h["Pragma"] = s[2:3:3]
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// AppendJSONString appends s as a JSON string, exactly as encoding/json
// writes it (HTML-escaped, invalid UTF-8 replaced): plain ASCII directly,
// anything else through encoding/json.
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			enc, _ := json.Marshal(s) // a string always encodes
			return append(b, enc...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
		if errors.Is(e, context.Canceled) {
			// The client went away mid-request (a closed connection, a
			// load test ending): nothing is wrong with the server, and
			// nobody reads the answer.
			log.Info("request abandoned by the client", "error", e.Error())
			return
		}
		log.Error("request failed", "error", e.Error())
		return
	}
	log.Debug("request refused", "error", e.Code, "description", e.Description)
}
