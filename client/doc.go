// Package client is the Go SDK for apps that sign users in with Gatehouse
// or any other OpenID Connect provider. It builds on golang.org/x/oauth2
// (authorization URL, code exchange, refresh) and go-oidc (discovery,
// ID-token verification, userinfo) and adds the checks a relying party
// must make on top of them:
//
//   - discovery of the endpoints (OIDC Discovery §4, RFC 8414), refusing a
//     document that names another issuer;
//   - every authorization request with PKCE S256 (RFC 7636, RFC 9700
//     §2.1.1), a random state and a nonce (Flow);
//   - the authorization response checked for state (RFC 6749 §10.12) and
//     iss (RFC 9207 §2.4) before its code or error is believed;
//   - the ID token verified: signature, iss, aud, exp, nonce, azp and
//     at_hash (OIDC Core §3.1.3.7, §3.1.3.8), and after a refresh the same
//     subject (§12.2);
//   - refresh through an oauth2.TokenSource that reports each rotated
//     refresh token so the app can store it (RFC 9700 §4.14.2);
//   - the RFC 8252 loopback sign-in for command-line tools
//     (LoginLoopback), which `gatehouse login` uses.
//
// Errors the server reports carry their OAuth error code as *Error;
// failed checks are the Err* values, wrapped.
//
// The flow of a web app:
//
//	c, err := client.New(ctx, client.Config{Issuer: issuer, ClientID: id, ClientSecret: secret, RedirectURL: cb})
//	f := c.NewFlow("")                  // keep f in the user's session
//	http.Redirect(w, r, c.AuthCodeURL(f), http.StatusFound)
//	// ... at cb:
//	tokens, err := c.Exchange(ctx, f, r.URL.Query())
//	ts := c.TokenSource(ctx, tokens, save) // save stores rotated tokens
//	resp, err := c.HTTPClient(ctx, ts).Get(apiURL)
//
// The package depends on no Gatehouse internals and no database driver.
package client
