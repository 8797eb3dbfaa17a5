package oauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// Client authentication methods announced in discovery (RFC 8414 §2) and
// registered per client (RFC 7591 §2, token_endpoint_auth_method).
const (
	AuthNone              = "none"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	// AuthClientSecretJWT is an HMAC-signed JWT keyed with the client
	// secret (OIDC Core §9, RFC 7523 §2.2).
	AuthClientSecretJWT = "client_secret_jwt"
	// AuthPrivateKeyJWT is a JWT signed with a key of the client's
	// registered JWK set (OIDC Core §9, RFC 7523 §2.2).
	AuthPrivateKeyJWT = "private_key_jwt"
)

// ClientAssertionJWT is the client_assertion_type of a JWT client
// assertion (RFC 7523 §2.2).
const ClientAssertionJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// ClientCredentials are what a request to the token endpoint presented.
type ClientCredentials struct {
	ID     string
	Secret string
	// Assertion is the client_assertion JWT (RFC 7521 §4.2), not yet
	// verified, for the two JWT methods.
	Assertion string
	Method    string
}

// BasicChallenge is the WWW-Authenticate value for failed Basic client
// authentication (RFC 6749 §5.2).
const BasicChallenge = `Basic realm="gatehouse", charset="UTF-8"`

// ParseClientCredentials reads client credentials from an Authorization
// header and the form parameters (RFC 6749 §2.3.1, RFC 7521 §4.2). A client
// must use one method only (§2.3); in Basic, id and secret are
// form-urlencoded first.
func ParseClientCredentials(authorization string, form map[string]string) (ClientCredentials, error) {
	formID, formSecret := form["client_id"], form["client_secret"]
	if form["client_assertion"] != "" || form["client_assertion_type"] != "" {
		if authorization != "" || formSecret != "" {
			return ClientCredentials{}, Errorf(InvalidRequest, "use only one client authentication method")
		}
		return parseAssertion(formID, form["client_assertion_type"], form["client_assertion"])
	}
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

// parseAssertion reads a JWT client assertion without verifying it: the
// method follows from the JOSE header's alg (HMAC: client_secret_jwt, else
// private_key_jwt), and the client is client_id or, when that is absent,
// the assertion's sub (RFC 7521 §4.2, RFC 7523 §3). The token endpoint then
// checks the method is the one the client registered and verifies the
// signature with that method's keys only, so the alg chosen here never
// selects a key.
func parseAssertion(formID, typ, assertion string) (ClientCredentials, error) {
	if typ == "" || assertion == "" {
		return ClientCredentials{}, Errorf(InvalidRequest, "client_assertion and client_assertion_type must be sent together")
	}
	if typ != ClientAssertionJWT {
		return ClientCredentials{}, basicFailure("client_assertion_type must be " + ClientAssertionJWT)
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return ClientCredentials{}, basicFailure("client_assertion is not a signed JWT in compact serialization")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Sub any `json:"sub"`
	}
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return ClientCredentials{}, basicFailure("client_assertion is not a well-formed JWT")
	}
	method := AuthPrivateKeyJWT
	switch {
	case header.Alg == "" || strings.EqualFold(header.Alg, "none"):
		return ClientCredentials{}, basicFailure("client_assertion must be signed; alg none is not accepted")
	case strings.HasPrefix(header.Alg, "HS"):
		method = AuthClientSecretJWT
	}
	id := formID
	if id == "" {
		sub, _ := claims.Sub.(string)
		if sub == "" {
			return ClientCredentials{}, basicFailure("client_assertion lacks sub, the client ID")
		}
		id = sub
	}
	return ClientCredentials{ID: id, Assertion: assertion, Method: method}, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func basicFailure(desc string) *Error {
	return &Error{Code: InvalidClient, Description: desc, Status: 401, Challenge: BasicChallenge}
}

// PrivateKeyJWTAlgs are the JWS algorithms a private_key_jwt assertion may
// use (RFC 7518 §3, RFC 8037 §3.1); HMAC and none never qualify.
func PrivateKeyJWTAlgs() []string { return []string{"ES256", "RS256", "PS256", "EdDSA"} }

// ClientSecretJWTAlgs are the JWS algorithms of a client_secret_jwt
// assertion: HMAC keyed with the client secret (RFC 7518 §3.2).
func ClientSecretJWTAlgs() []string { return []string{"HS256"} }

// maxClientKeys bounds a client's JWK set, and so the keys one assertion
// without a kid may be tried against.
const maxClientKeys = 20

// minRSABits is the shortest RSA modulus accepted (RFC 7518 §3.3).
const minRSABits = 2048

// privateJWKMembers are the JWK members that carry private or symmetric key
// material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"}

// ParseClientJWKS reads the JWK set a private_key_jwt client registered
// (RFC 7591 §2, jwks) or publishes at its jwks_uri. Private or symmetric key
// material anywhere refuses the whole set. With registration true every key
// must be usable for signing assertions and carry a kid that is unique in
// the set, and alg or use; a set fetched from jwks_uri instead has the keys
// Gatehouse cannot use (encryption keys, other types) left out. The result
// holds at least one key.
func ParseClientJWKS(data []byte, registration bool) (jose.JSONWebKeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("not a JWK set: %w", err)
	}
	if len(raw.Keys) > maxClientKeys {
		return jose.JSONWebKeySet{}, fmt.Errorf("the JWK set has %d keys; at most %d are accepted", len(raw.Keys), maxClientKeys)
	}
	var set jose.JSONWebKeySet
	kids := map[string]bool{}
	for i, rk := range raw.Keys {
		var members map[string]json.RawMessage
		if err := json.Unmarshal(rk, &members); err != nil {
			return jose.JSONWebKeySet{}, fmt.Errorf("key %d is not a JSON object", i)
		}
		for _, m := range privateJWKMembers {
			if _, ok := members[m]; ok {
				return jose.JSONWebKeySet{}, fmt.Errorf("key %d holds private key material (%q): register public keys only", i, m)
			}
		}
		var k jose.JSONWebKey
		err := k.UnmarshalJSON(rk)
		if err == nil {
			err = checkClientKey(k, registration)
		}
		if err != nil {
			if registration {
				return jose.JSONWebKeySet{}, fmt.Errorf("key %d: %w", i, err)
			}
			continue
		}
		if registration && kids[k.KeyID] {
			return jose.JSONWebKeySet{}, fmt.Errorf("key %d: kid %q is used twice", i, k.KeyID)
		}
		kids[k.KeyID] = true
		set.Keys = append(set.Keys, k)
	}
	if len(set.Keys) == 0 {
		return jose.JSONWebKeySet{}, errors.New("the JWK set has no public signing key Gatehouse can use")
	}
	return set, nil
}

func checkClientKey(k jose.JSONWebKey, registration bool) error {
	if !k.IsPublic() || !k.Valid() {
		return errors.New("not a valid public key")
	}
	if k.Use != "" && k.Use != "sig" {
		return fmt.Errorf("use is %q; signing keys have use sig", k.Use)
	}
	if k.Algorithm != "" && !KeyFitsAlg(k, k.Algorithm) {
		return fmt.Errorf("alg %q is not one of %s or does not fit the key", k.Algorithm, strings.Join(PrivateKeyJWTAlgs(), ", "))
	}
	if !slices.ContainsFunc(PrivateKeyJWTAlgs(), func(alg string) bool { return KeyFitsAlg(k, alg) }) {
		return errors.New("key type not supported: use an RSA key of at least 2048 bits, a P-256 EC key or an Ed25519 key")
	}
	if registration {
		if k.KeyID == "" {
			return errors.New("kid is required")
		}
		if k.Algorithm == "" && k.Use == "" {
			return errors.New("alg or use is required")
		}
	}
	return nil
}

// KeyFitsAlg reports whether public key k may verify a private_key_jwt
// assertion signed with alg: the alg is allowed, matches the key's alg
// when it names one, and fits the key type.
func KeyFitsAlg(k jose.JSONWebKey, alg string) bool {
	if !slices.Contains(PrivateKeyJWTAlgs(), alg) || k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return (alg == "RS256" || alg == "PS256") && key.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return alg == "ES256" && key.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// ValidateJWKSURI checks a client's jwks_uri (RFC 7591 §2): an absolute
// https URL without user info or fragment; http only on a loopback host,
// for local development.
func ValidateJWKSURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Hostname() == "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	if u.User != nil || u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("%q must not have user info or a fragment", s)
	}
	if !JWKSURIAllowed(u) {
		return fmt.Errorf("%q must use https (http only on a loopback host)", s)
	}
	return nil
}

// JWKSURIAllowed reports whether u may be fetched as a client's jwks_uri,
// also after a redirect: https, or http to a loopback host.
func JWKSURIAllowed(u *url.URL) bool {
	switch u.Scheme {
	case "https":
		return u.Hostname() != ""
	case "http":
		host := u.Hostname()
		if strings.EqualFold(host, "localhost") {
			return true
		}
		addr, err := netip.ParseAddr(host)
		return err == nil && addr.Unmap().IsLoopback()
	}
	return false
}
