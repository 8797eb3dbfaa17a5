package oauth

import (
	"net/url"
	"slices"
	"strings"
)

// ParamResource is the resource parameter of RFC 8707: the protected
// resources a client means to call with the token it asks for.
const ParamResource = "resource"

// SplitResource flattens request parameters like SingleValues, except the
// resource parameter, which may repeat (RFC 8707 §2, §2.1) and is returned
// on its own, in order and without duplicates. Each value must be an
// absolute URI without a fragment (RFC 8707 §2); anything else is
// invalid_target.
func SplitResource(v url.Values) (map[string]string, []string, error) {
	rest := make(url.Values, len(v))
	for k, vals := range v {
		if k != ParamResource {
			rest[k] = vals
		}
	}
	p, err := SingleValues(rest)
	if err != nil {
		return nil, nil, err
	}
	var resources []string
	for _, r := range v[ParamResource] {
		if r == "" {
			continue
		}
		if !validResource(r) {
			return p, nil, Errorf(InvalidTarget, "resource must be an absolute URI without a fragment")
		}
		if !slices.Contains(resources, r) {
			resources = append(resources, r)
		}
	}
	return p, resources, nil
}

// validResource reports whether s is an absolute URI without a fragment,
// the form RFC 8707 §2 requires of a resource indicator. A "#" anywhere
// starts a fragment, even an empty one, which §2 forbids as well.
func validResource(s string) bool {
	if strings.Contains(s, "#") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}
