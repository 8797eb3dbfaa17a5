package tokenapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Limits on client assertions (RFC 7523 §3 leaves them to the server).
const (
	// assertionLeeway absorbs clock skew on exp, nbf and iat.
	assertionLeeway = 60 * time.Second
	// maxAssertionLifetime is how far in the future exp may be: an
	// assertion is made for one request, and its jti must be remembered
	// until it expires.
	maxAssertionLifetime = 5 * time.Minute
	// maxJTILen bounds what a client makes the server remember.
	maxJTILen = 256
)

// AuthSigningAlgs lists the JWS algorithms accepted for client assertions,
// for discovery (token_endpoint_auth_signing_alg_values_supported, OIDC
// Discovery §3, RFC 8414 §2). "none" is never among them.
func AuthSigningAlgs() []string {
	return append(oauth.PrivateKeyJWTAlgs(), oauth.ClientSecretJWTAlgs()...)
}

// assertionClaims are the claims RFC 7523 §3 rules on.
type assertionClaims struct {
	Issuer    string           `json:"iss"`
	Subject   string           `json:"sub"`
	Audience  jwt.Audience     `json:"aud"`
	Expiry    *jwt.NumericDate `json:"exp"`
	NotBefore *jwt.NumericDate `json:"nbf"`
	IssuedAt  *jwt.NumericDate `json:"iat"`
	ID        string           `json:"jti"`
}

// verifyAssertion checks a client assertion (RFC 7523 §3, OIDC Core §9)
// for a client whose registered method is creds.Method. The accepted
// algorithms and keys come from the registration alone: a private_key_jwt
// client's assertion verifies only with an asymmetric alg and a key of its
// JWK set, a client_secret_jwt client's only with HS256 and its secret, so
// no assertion can choose how it is checked (no alg confusion, no "none").
func (a *ClientAuth) verifyAssertion(ctx context.Context, c storage.Client, creds oauth.ClientCredentials) error {
	algs := oauth.PrivateKeyJWTAlgs()
	if creds.Method == oauth.AuthClientSecretJWT {
		algs = oauth.ClientSecretJWTAlgs()
	}
	allowed := make([]jose.SignatureAlgorithm, len(algs))
	for i, alg := range algs {
		allowed[i] = jose.SignatureAlgorithm(alg)
	}
	tok, err := jwt.ParseSigned(creds.Assertion, allowed)
	if err != nil {
		return clientFailure("client_assertion must be a JWT signed with one of " + fmt.Sprint(algs))
	}
	if len(tok.Headers) != 1 {
		return clientFailure("client_assertion must have one signature")
	}
	payload, err := a.verifySignature(ctx, c, creds.Method, tok)
	if err != nil {
		return err
	}
	var claims assertionClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return clientFailure("client_assertion claims are malformed")
	}
	exp, err := a.checkClaims(c, claims)
	if err != nil {
		return err
	}
	// The jti is kept until the assertion can no longer be accepted.
	err = a.o.Store.UseAssertionID(ctx, c.ID, claims.ID, exp.Add(assertionLeeway))
	if errors.Is(err, storage.ErrAlreadyExists) {
		return clientFailure("client_assertion was used before (jti replay)")
	}
	if err != nil {
		return oauth.Internal(err)
	}
	return nil
}

// checkClaims applies RFC 7523 §3 and returns the expiry.
func (a *ClientAuth) checkClaims(c storage.Client, cl assertionClaims) (time.Time, error) {
	now := a.o.Now()
	switch {
	case cl.Issuer != c.ID || cl.Subject != c.ID:
		return time.Time{}, clientFailure("client_assertion iss and sub must both be the client_id")
	case !a.audienceOK(cl.Audience):
		return time.Time{}, clientFailure("client_assertion aud must be this server alone: the issuer " + a.o.Issuer + " or the token endpoint " + a.o.Issuer + PathToken)
	case cl.Expiry == nil:
		return time.Time{}, clientFailure("client_assertion lacks exp")
	case cl.ID == "" || len(cl.ID) > maxJTILen:
		return time.Time{}, clientFailure(fmt.Sprintf("client_assertion needs a jti of 1 to %d characters", maxJTILen))
	}
	exp := cl.Expiry.Time()
	switch {
	case !now.Before(exp.Add(assertionLeeway)):
		return time.Time{}, clientFailure("client_assertion has expired")
	case exp.After(now.Add(maxAssertionLifetime + assertionLeeway)):
		return time.Time{}, clientFailure(fmt.Sprintf("client_assertion exp is too far in the future: at most %s", maxAssertionLifetime))
	case cl.NotBefore != nil && now.Add(assertionLeeway).Before(cl.NotBefore.Time()):
		return time.Time{}, clientFailure("client_assertion is not valid yet (nbf)")
	case cl.IssuedAt != nil && now.Add(assertionLeeway).Before(cl.IssuedAt.Time()):
		return time.Time{}, clientFailure("client_assertion was issued in the future (iat)")
	case cl.IssuedAt != nil && exp.Sub(cl.IssuedAt.Time()) > maxAssertionLifetime:
		return time.Time{}, clientFailure(fmt.Sprintf("client_assertion lifetime exp - iat exceeds %s", maxAssertionLifetime))
	}
	return exp, nil
}

// audienceOK: the assertion names this server and only it, by its issuer
// identifier (RFC 7523 §3) or its token endpoint URL (OIDC Core §9). A
// single audience keeps an assertion meant for several servers (the
// audience injection the draft revision of RFC 7523 warns about) from
// being accepted here.
func (a *ClientAuth) audienceOK(aud jwt.Audience) bool {
	return len(aud) == 1 && (aud[0] == a.o.Issuer || aud[0] == a.o.Issuer+PathToken)
}

// verifySignature checks the signature with the keys of the client's
// registered method and returns the verified payload.
func (a *ClientAuth) verifySignature(ctx context.Context, c storage.Client, method string, tok *jwt.JSONWebToken) ([]byte, error) {
	if method == oauth.AuthClientSecretJWT {
		keys, err := a.hmacKeys(c)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if payload, ok := verifyWith(tok, k); ok {
				return payload, nil
			}
		}
		return nil, clientFailure("client_assertion signature does not verify with the client secret")
	}
	h := tok.Headers[0]
	keys, err := a.clientKeys(ctx, c, h.KeyID, false)
	if err != nil {
		return nil, err
	}
	if payload, ok := verifyWithSet(tok, keys, h.KeyID, h.Algorithm); ok {
		return payload, nil
	}
	// An unknown kid may mean the client rotated its keys: look again
	// (rate limited) before failing.
	if h.KeyID != "" && c.JWKSURI != "" && len(keys.Key(h.KeyID)) == 0 {
		if keys, err = a.clientKeys(ctx, c, h.KeyID, true); err != nil {
			return nil, err
		}
		if payload, ok := verifyWithSet(tok, keys, h.KeyID, h.Algorithm); ok {
			return payload, nil
		}
	}
	return nil, clientFailure("client_assertion signature does not verify with the client's registered keys")
}

// hmacKeys are the secrets a client_secret_jwt assertion may be keyed with:
// the current one and, during a rotation overlap, the previous one.
func (a *ClientAuth) hmacKeys(c storage.Client) ([][]byte, error) {
	if a.o.Secrets == nil || len(c.SealedSecret) == 0 {
		return nil, clientFailure("client authentication failed")
	}
	secrets, err := a.o.Secrets.Open(c.ID, c.SealedSecret)
	if errors.Is(err, secret.ErrSealedSecret) {
		a.o.Log.Warn("sealed client secret does not open", "client_id", c.ID)
		return nil, clientFailure("client authentication failed")
	}
	if err != nil {
		return nil, oauth.Internal(err)
	}
	keys := [][]byte{[]byte(secrets[0])}
	if len(secrets) > 1 && a.previousValid(c) {
		keys = append(keys, []byte(secrets[1]))
	}
	return keys, nil
}

// clientKeys returns the client's JWK set: the registered one, or the one
// at its jwks_uri (cached; refresh forces a rate-limited refetch).
func (a *ClientAuth) clientKeys(ctx context.Context, c storage.Client, kid string, refresh bool) (jose.JSONWebKeySet, error) {
	switch {
	case len(c.JWKS) > 0:
		set, err := oauth.ParseClientJWKS(c.JWKS, false)
		if err != nil {
			a.o.Log.Warn("registered JWK set unusable", "client_id", c.ID, "error", err)
			return jose.JSONWebKeySet{}, clientFailure("the client's registered keys are unusable")
		}
		return set, nil
	case c.JWKSURI != "":
		set, err := a.jwks.get(ctx, c.JWKSURI, refresh)
		if err != nil {
			a.o.Log.Warn("client jwks_uri unusable", "client_id", c.ID, "jwks_uri", c.JWKSURI, "kid", kid, "error", err)
			return jose.JSONWebKeySet{}, clientFailure("the client's keys could not be fetched from its jwks_uri")
		}
		return set, nil
	}
	return jose.JSONWebKeySet{}, clientFailure("the client has no registered keys")
}

// verifyWithSet tries the keys that may have signed: those with the
// header's kid, or every key when it names none, that fit the alg.
func verifyWithSet(tok *jwt.JSONWebToken, set jose.JSONWebKeySet, kid, alg string) ([]byte, bool) {
	for _, k := range set.Keys {
		if kid != "" && k.KeyID != kid || !oauth.KeyFitsAlg(k, alg) {
			continue
		}
		if payload, ok := verifyWith(tok, k.Key); ok {
			return payload, true
		}
	}
	return nil, false
}

func verifyWith(tok *jwt.JSONWebToken, key any) ([]byte, bool) {
	var raw json.RawMessage
	if err := tok.Claims(key, &raw); err != nil {
		return nil, false
	}
	return raw, true
}
