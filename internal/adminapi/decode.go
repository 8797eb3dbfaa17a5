package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxBodyBytes bounds a request body; the largest legitimate one is a
// client with an inline JWK set of up to 64 KiB.
const maxBodyBytes = 256 << 10

// MaxBodyBytes is maxBodyBytes for the server's own body limit, which
// must let the API's bodies through to decode.
const MaxBodyBytes = maxBodyBytes

// requestError is a body that cannot be read: status, code, the JSON
// member at fault when known, and a message for the caller.
type requestError struct {
	status      int
	code, field string
	message     string
}

func (e *requestError) Error() string { return e.message }

func badBody(field, format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, code: codeInvalid, field: field, message: fmt.Sprintf(format, args...)}
}

// decode reads a JSON object body into v: application/json only (415
// otherwise), at most maxBodyBytes (413), no unknown members, one value.
// An empty body is an empty object when allowEmpty is set.
func decode(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	if r.ContentLength == 0 && allowEmpty && r.Header.Get("Content-Type") == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &requestError{status: http.StatusUnsupportedMediaType, code: codeMediaType, message: "send the body as application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if errors.Is(err, io.EOF) && allowEmpty {
		return nil
	}
	if err != nil {
		return describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badBody("", "the body must hold a single JSON object")
	}
	return nil
}

// describeJSONError turns a decoding error into a requestError that names
// the member when it can.
func describeJSONError(err error) error {
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &tooLarge):
		return &requestError{status: http.StatusRequestEntityTooLarge, code: codeTooLarge,
			message: fmt.Sprintf("the body exceeds %d bytes", maxBodyBytes)}
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badBody("", "the body must be a JSON object")
		}
		return badBody(typeErr.Field, "%s must be of JSON type %s", typeErr.Field, jsonType(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badBody("", "the body is not well-formed JSON")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return badBody(name, "%q is not a member of this request", name)
	}
	return badBody("", "the body could not be read as this request's JSON object")
}

// jsonType names a Go kind as the JSON type a client should send.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	case "ptr":
		return "matching"
	}
	return "number"
}
