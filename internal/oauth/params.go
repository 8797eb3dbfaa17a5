package oauth

import (
	"net/url"
)

// SingleValues flattens request parameters, refusing any sent more than
// once (RFC 6749 §3.1, §3.2). Parameters sent without a value are treated
// as omitted.
func SingleValues(v url.Values) (map[string]string, error) {
	out := make(map[string]string, len(v))
	for k, vals := range v {
		n := 0
		for _, s := range vals {
			if s != "" {
				n++
				out[k] = s
			}
		}
		if n > 1 {
			return nil, Errorf(InvalidRequest, "parameter %q was sent more than once", k)
		}
	}
	return out, nil
}
