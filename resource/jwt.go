package resource

import (
	"context"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// algorithms are the JWS algorithms accepted. "none" and the HMAC ones are
// not among them: a resource server holds no shared secret with the
// issuer, and accepting HS256 would let anyone who knows a public key sign
// with it (RFC 8725 §2.1, §3.1).
var algorithms = []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.PS256, jose.EdDSA}

// verifyJWT checks a JWT access token as RFC 9068 §4 says: the typ header,
// the signature with one of the issuer's keys, iss, aud, exp (with nbf and
// iat when present).
func (v *Verifier) verifyJWT(ctx context.Context, raw string) (*Claims, error) {
	sig, err := jose.ParseSignedCompact(raw, algorithms)
	if err != nil {
		return nil, invalid("the access token is malformed or uses an algorithm that is not accepted", err)
	}
	if len(sig.Signatures) != 1 {
		return nil, invalid("the access token is malformed", nil)
	}
	h := sig.Signatures[0].Header
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !isAccessTokenType(typ) {
		return nil, invalid("the token is not a JWT access token (typ at+jwt)", nil)
	}
	keys, err := v.keys.lookup(ctx, h.KeyID, h.Algorithm)
	if err != nil {
		return nil, err
	}
	var payload []byte
	for _, k := range keys {
		if payload, err = sig.Verify(k.Key); err == nil {
			break
		}
	}
	if payload == nil {
		return nil, invalid("the access token signature is invalid", err)
	}

	set, rawClaims, err := parseClaimSet(payload)
	if err != nil {
		return nil, invalid("the access token claims are malformed", err)
	}
	c, err := set.claims(rawClaims)
	if err != nil {
		return nil, invalid("the access token claims are malformed", err)
	}
	nbf, err := set.time("nbf")
	if err != nil {
		return nil, invalid("the access token claims are malformed", err)
	}
	if c.Issuer != v.issuer {
		return nil, invalid("the access token is from another issuer", nil)
	}
	if !slices.Contains(c.Audience, v.audience) {
		return nil, invalid("the access token is not for this audience", nil)
	}
	if err := v.checkTimes(v.now(), c.ExpiresAt, nbf, c.IssuedAt, true); err != nil {
		return nil, err
	}
	return c, nil
}

// isAccessTokenType: RFC 9068 §4 wants typ "at+jwt" or its full media type
// "application/at+jwt"; media types compare without regard to case.
func isAccessTokenType(typ string) bool {
	typ = strings.ToLower(typ)
	return typ == "at+jwt" || typ == "application/at+jwt"
}
