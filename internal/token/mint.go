package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
)

// JWT "typ" header values.
const (
	TypeAccessToken = "at+jwt" // RFC 9068 §2.1
	typeIDToken     = "JWT"
)

// Service mints and verifies tokens for one issuer.
type Service struct {
	ring      *keys.Ring
	issuer    string
	accessAlg string
	now       func() time.Time
	verified  *verifiedCache // access tokens already verified (verified.go)
	headers   *headerCache   // encoded JWS headers by key, alg and typ
}

// New returns a Service that signs access tokens with accessAlg.
func New(ring *keys.Ring, issuer, accessAlg string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{ring: ring, issuer: issuer, accessAlg: accessAlg, now: now, verified: newVerifiedCache(), headers: newHeaderCache()}
}

// Issuer returns the issuer identifier tokens carry.
func (s *Service) Issuer() string { return s.issuer }

// AccessParams describe an access token to mint.
type AccessParams struct {
	Subject  string // the user, or the client for client credentials
	ClientID string
	Audience []string
	Scopes   []string
	AuthTime time.Time // zero when no user authenticated
	TTL      time.Duration
	// Groups are the user's groups (RFC 9068 §2.2.3.1), so that a resource
	// server can decide what the user may do; empty means no claim.
	Groups []string
}

// Minted is a freshly signed token.
type Minted struct {
	Raw       string
	ID        string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// accessClaims is the RFC 9068 §2.2 payload.
type accessClaims struct {
	jwt.Claims
	ClientID string   `json:"client_id"`
	Scope    string   `json:"scope,omitempty"`
	AuthTime int64    `json:"auth_time,omitempty"`
	Groups   []string `json:"groups,omitempty"`
}

// MintAccessToken signs a JWT access token.
func (s *Service) MintAccessToken(ctx context.Context, p AccessParams) (Minted, error) {
	now := s.now().Truncate(time.Second)
	m := Minted{ID: secret.NewID(), IssuedAt: now, ExpiresAt: now.Add(p.TTL)}
	c := accessClaims{
		Claims: jwt.Claims{
			Issuer:   s.issuer,
			Subject:  p.Subject,
			Audience: jwt.Audience(p.Audience),
			Expiry:   jwt.NewNumericDate(m.ExpiresAt),
			IssuedAt: jwt.NewNumericDate(now),
			ID:       m.ID,
		},
		ClientID: p.ClientID,
		Scope:    joinScopes(p.Scopes),
		Groups:   p.Groups,
	}
	if !p.AuthTime.IsZero() {
		c.AuthTime = p.AuthTime.Unix()
	}
	raw, err := s.sign(ctx, s.accessAlg, TypeAccessToken, c)
	if err != nil {
		return Minted{}, err
	}
	m.Raw = raw
	return m, nil
}

// IDParams describe an ID token to mint.
type IDParams struct {
	Subject     string
	ClientID    string
	Nonce       string
	AuthTime    time.Time
	AccessToken string // when set, at_hash is included
	SessionID   string // the sid claim (OIDC Front-Channel Logout §2)
	Alg         string // empty means RS256, the OIDC default
	TTL         time.Duration
	Claims      map[string]any // extra claims, e.g. email
}

// MintIDToken signs an ID token (OIDC Core §2).
func (s *Service) MintIDToken(ctx context.Context, p IDParams) (string, error) {
	alg := p.Alg
	if alg == "" {
		// OIDC Core §3.1.3.7 and Registration §2: without a registered
		// id_token_signed_response_alg, relying parties expect RS256, and
		// many (openid-client among them) accept nothing else.
		alg = keys.RS256
	}
	now := s.now().Truncate(time.Second)
	c := map[string]any{}
	for k, v := range p.Claims {
		c[k] = v
	}
	c["iss"] = s.issuer
	c["sub"] = p.Subject
	c["aud"] = p.ClientID
	c["azp"] = p.ClientID
	c["iat"] = now.Unix()
	c["exp"] = now.Add(p.TTL).Unix()
	if !p.AuthTime.IsZero() {
		c["auth_time"] = p.AuthTime.Unix()
	}
	if p.Nonce != "" {
		c["nonce"] = p.Nonce
	}
	if p.SessionID != "" {
		c["sid"] = p.SessionID
	}
	if p.AccessToken != "" {
		h, err := halfHash(alg, p.AccessToken)
		if err != nil {
			return "", err
		}
		c["at_hash"] = h
	}
	return s.sign(ctx, alg, typeIDToken, c)
}

func (s *Service) sign(ctx context.Context, alg, typ string, claims any) (string, error) {
	k, err := s.ring.Signer(ctx, alg)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	// The claims are encoded once and signed as they are: go-jose's
	// jwt.Signed(...).Claims would encode them, decode them into a map and
	// encode that again, a few percent of a token request's CPU.
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	header, err := s.headers.get(k, alg, typ)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signCompact(k, alg, typ, header, payload)
}

// signCompact returns the JWS compact serialization (RFC 7515 §7.1) of
// payload under the encoded protected header. ES256, RS256 and EdDSA are
// signed here directly: go-jose would build a signer, encode the same
// header again and copy the result through its JSONWebSignature for each
// token, a fifth of the signing cost besides the signature itself. Any
// other key goes through go-jose.
func signCompact(k keys.Key, alg, typ, header string, payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(header)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(maxSignatureLen))
	buf = append(buf, header...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	var sig []byte
	var err error
	switch key := k.Private.(type) {
	case *ecdsa.PrivateKey:
		if alg != keys.ES256 || key.Curve != elliptic.P256() {
			return signWithJose(k, alg, typ, payload)
		}
		digest := sha256.Sum256(buf)
		sig, err = signES256(key, digest[:])
	case *rsa.PrivateKey:
		if alg != keys.RS256 {
			return signWithJose(k, alg, typ, payload)
		}
		digest := sha256.Sum256(buf)
		sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	case ed25519.PrivateKey:
		if alg != keys.EdDSA {
			return signWithJose(k, alg, typ, payload)
		}
		sig = ed25519.Sign(key, buf)
	default:
		return signWithJose(k, alg, typ, payload)
	}
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// maxSignatureLen is the longest signature signCompact sizes its buffer
// for: RSA 2048 (the ring's RSA keys). Longer ones only cost a regrowth.
const maxSignatureLen = 256

// signES256 signs digest as JWS ES256 does (RFC 7518 §3.4): R and S as
// 32-byte big-endian integers, concatenated.
func signES256(key *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	r, ss, err := ecdsa.Sign(rand.Reader, key, digest)
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return sig, nil
}

// signWithJose signs payload with go-jose, for keys signCompact does not
// handle itself.
func signWithJose(k keys.Key, alg, typ string, payload []byte) (string, error) {
	signer, err := newJoseSigner(k, alg, typ)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return raw, nil
}

func newJoseSigner(k keys.Key, alg, typ string) (jose.Signer, error) {
	return jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: k.Private, KeyID: k.ID}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)),
	)
}

// headerCache holds the encoded JWS protected header of each signing key,
// algorithm and typ, as go-jose writes it ({"alg":..,"kid":..,"typ":..}):
// it is the same for every token a key signs.
type headerCache struct {
	mu      sync.RWMutex
	entries map[headerKey]string
}

type headerKey struct{ kid, alg, typ string }

// headerCap bounds the cache: a few keys are current at a time, and
// rotation retires old ones; when it is full it starts over.
const headerCap = 64

func newHeaderCache() *headerCache {
	return &headerCache{entries: make(map[headerKey]string)}
}

// get returns the encoded protected header for k, alg and typ, made by
// go-jose the first time (it signs an empty payload and keeps the header
// segment), so the header is byte for byte the one go-jose would write.
func (c *headerCache) get(k keys.Key, alg, typ string) (string, error) {
	hk := headerKey{kid: k.ID, alg: alg, typ: typ}
	c.mu.RLock()
	h, ok := c.entries[hk]
	c.mu.RUnlock()
	if ok {
		return h, nil
	}
	raw, err := signWithJose(k, alg, typ, []byte("{}"))
	if err != nil {
		return "", err
	}
	h, _, _ = strings.Cut(raw, ".")
	c.mu.Lock()
	if len(c.entries) >= headerCap {
		clear(c.entries)
	}
	c.entries[hk] = h
	c.mu.Unlock()
	return h, nil
}

// halfHash computes at_hash: the left half of the hash of the token's ASCII
// octets, with the hash the JWS algorithm uses (OIDC Core §3.1.3.6; SHA-512
// for Ed25519).
func halfHash(alg, value string) (string, error) {
	var h hash.Hash
	switch alg {
	case keys.ES256, keys.RS256:
		h = sha256.New()
	case keys.EdDSA:
		h = sha512.New()
	default:
		return "", fmt.Errorf("no at_hash rule for %q", alg)
	}
	h.Write([]byte(value))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
}

func joinScopes(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out
}
