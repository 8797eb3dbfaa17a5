package console

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// signInResult is what a redeemed authorization code proved.
type signInResult struct {
	claims *resource.Claims // of the verified access token
}

// tokenResponse is the part of the token endpoint's answer the console
// reads (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	IDToken     string `json:"id_token"`
	Error       string `json:"error"`
}

// redeem exchanges code at the token endpoint (RFC 6749 §4.1.3, with the
// PKCE verifier of RFC 7636 §4.5) and checks the tokens: the access token
// with the resource-server kit, exactly as an API would; the ID token's
// nonce, audience and subject.
func (c *Console) redeem(ctx context.Context, code string, p pendingSignIn) (signInResult, error) {
	if code == "" {
		return signInResult{}, errors.New("no code in the callback")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {c.o.Issuer + PathCallback},
		"client_id":     {ConsoleClientID},
		"code_verifier": {p.Verifier},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.Issuer+c.o.TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return signInResult{}, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return signInResult{}, fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil {
		return signInResult{}, fmt.Errorf("token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "Bearer") {
		return signInResult{}, fmt.Errorf("token endpoint answered %d %s", resp.StatusCode, tr.Error)
	}
	claims, err := c.verifier.Verify(ctx, tr.AccessToken)
	if err != nil {
		return signInResult{}, fmt.Errorf("access token: %w", err)
	}
	if claims.ClientID != ConsoleClientID || claims.ID == "" || claims.ExpiresAt.IsZero() {
		return signInResult{}, errors.New("access token: not a console token")
	}
	if err := checkIDToken(tr.IDToken, p.Nonce, claims.Subject); err != nil {
		return signInResult{}, err
	}
	return signInResult{claims: claims}, nil
}

// checkIDToken checks the ID token's nonce (OpenID Connect Core §3.1.3.7,
// step 11), audience and subject. Its signature is not checked: it came
// straight from the token endpoint in-process, which Core §3.1.3.7 step 6
// accepts in place of one (the channel authenticates the issuer), and the
// access token, which is what grants access, was verified.
func checkIDToken(raw, nonce, subject string) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return errors.New("id token: missing or malformed")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return fmt.Errorf("id token: %w", err)
	}
	var claims struct {
		Nonce    string          `json:"nonce"`
		Subject  string          `json:"sub"`
		Audience json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return fmt.Errorf("id token: %w", err)
	}
	var aud []string
	if json.Unmarshal(claims.Audience, &aud) != nil {
		var one string
		if json.Unmarshal(claims.Audience, &one) != nil {
			return errors.New("id token: bad aud")
		}
		aud = []string{one}
	}
	switch {
	case subtle.ConstantTimeCompare([]byte(claims.Nonce), []byte(nonce)) != 1:
		return errors.New("id token: nonce mismatch")
	case !slices.Contains(aud, ConsoleClientID):
		return errors.New("id token: not for the console")
	case claims.Subject != subject:
		return errors.New("id token: subject differs from the access token's")
	}
	return nil
}
