package oauth

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// Client authentication methods announced in discovery (RFC 8414 §2).
const (
	AuthNone              = "none"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
)

// ClientCredentials are what a request to the token endpoint presented.
type ClientCredentials struct {
	ID     string
	Secret string
	Method string
}

// BasicChallenge is the WWW-Authenticate value for failed Basic client
// authentication (RFC 6749 §5.2).
const BasicChallenge = `Basic realm="gatehouse", charset="UTF-8"`

// ParseClientCredentials reads client credentials from an Authorization
// header and the form parameters (RFC 6749 §2.3.1). A client must use one
// method only (§2.3); in Basic, id and secret are form-urlencoded first.
func ParseClientCredentials(authorization string, form map[string]string) (ClientCredentials, error) {
	formID, formSecret := form["client_id"], form["client_secret"]
	if authorization == "" {
		switch {
		case formID == "":
			return ClientCredentials{}, basicFailure("client authentication is required")
		case formSecret != "":
			return ClientCredentials{ID: formID, Secret: formSecret, Method: AuthClientSecretPost}, nil
		default:
			return ClientCredentials{ID: formID, Method: AuthNone}, nil
		}
	}
	scheme, payload, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return ClientCredentials{}, basicFailure("the Authorization header must use the Basic scheme")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(payload))
	if err != nil {
		return ClientCredentials{}, basicFailure("the Authorization header is not valid base64")
	}
	encID, encSecret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return ClientCredentials{}, basicFailure("the Authorization header lacks the client secret")
	}
	id, err1 := url.QueryUnescape(encID)
	secret, err2 := url.QueryUnescape(encSecret)
	if err1 != nil || err2 != nil || id == "" {
		return ClientCredentials{}, basicFailure("the Authorization header credentials are not form-urlencoded")
	}
	if formSecret != "" {
		return ClientCredentials{}, Errorf(InvalidRequest, "use only one client authentication method")
	}
	if formID != "" && formID != id {
		return ClientCredentials{}, Errorf(InvalidRequest, "client_id does not match the Authorization header")
	}
	return ClientCredentials{ID: id, Secret: secret, Method: AuthClientSecretBasic}, nil
}

func basicFailure(desc string) *Error {
	return &Error{Code: InvalidClient, Description: desc, Status: 401, Challenge: BasicChallenge}
}
