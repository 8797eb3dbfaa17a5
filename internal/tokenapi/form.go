package tokenapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
)

// formType is the only body the back-channel endpoints accept.
const formType = "application/x-www-form-urlencoded"

// fastFormParams is how many parameters parseForm decodes itself; a
// back-channel request has a handful.
const fastFormParams = 64

// parseForm reads the urlencoded body; parameters in the URL query are
// ignored (RFC 6749 §3.2 says POST), repeated ones refused (§3.2).
// Parameters sent without a value are treated as omitted. It answers as
// oauth.SingleValues over http.Request.ParseForm would, without building
// the url.Values (and r.Form's copy of them) it would throw away.
func parseForm(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	if strings.Count(body, "&") >= fastFormParams {
		// url.ParseQuery bounds the number of parameters (10,000, or
		// GODEBUG urlmaxqueryparams); let it judge a body this long.
		form, err := url.ParseQuery(body)
		if err != nil {
			return nil, badForm()
		}
		return oauth.SingleValues(form)
	}
	out := make(map[string]string, 4)
	var (
		parseErr error
		repeated string
		dup      bool
	)
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if pair == "" {
			continue
		}
		k, v, err := splitPair(pair)
		if err != nil {
			if parseErr == nil {
				parseErr = err
			}
			continue
		}
		if v == "" {
			continue
		}
		if _, seen := out[k]; seen && !dup {
			dup, repeated = true, k
		}
		out[k] = v
	}
	if parseErr != nil {
		return nil, badForm()
	}
	if dup {
		return nil, oauth.Errorf(oauth.InvalidRequest, "parameter %q was sent more than once", repeated)
	}
	return out, nil
}

// readForm reads the urlencoded body without flattening it, for the token
// endpoint, whose resource parameter may repeat (RFC 8707 §2.2). The
// values are also left in r.PostForm, as http.Request.ParseForm leaves
// them (the metrics read grant_type there).
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		return nil, badForm()
	}
	r.PostForm = form
	return form, nil
}

// readBody checks the content type and returns the body, bounded by
// maxBodyBytes. A URL query that does not parse is refused too, as
// http.Request.ParseForm refuses it.
func readBody(w http.ResponseWriter, r *http.Request) (string, error) {
	if ct := r.Header.Get("Content-Type"); !strings.EqualFold(ct, formType) {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != formType {
			return "", oauth.Errorf(oauth.InvalidRequest, "the request body must be application/x-www-form-urlencoded")
		}
	}
	if r.Body == nil {
		return "", badForm()
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return "", badForm()
	}
	if r.URL != nil && r.URL.RawQuery != "" {
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			return "", badForm()
		}
	}
	return string(b), nil
}

// splitPair decodes one key=value pair as url.ParseQuery does: a
// semicolon in it is an error, and so is a bad percent-encoding.
func splitPair(pair string) (string, string, error) {
	if strings.Contains(pair, ";") {
		return "", "", errors.New("invalid semicolon separator in query")
	}
	k, v, _ := strings.Cut(pair, "=")
	k, err := url.QueryUnescape(k)
	if err != nil {
		return "", "", err
	}
	v, err = url.QueryUnescape(v)
	if err != nil {
		return "", "", err
	}
	return k, v, nil
}

func badForm() error {
	return oauth.Errorf(oauth.InvalidRequest, "the request body could not be parsed")
}
