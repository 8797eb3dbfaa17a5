package client_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/gatehouse-dev/gatehouse/client"
)

// A command-line tool signs its user in through the browser (RFC 8252).
// The client is registered with
//
//	gatehouse client add --type native --name CLI --redirect-uri http://127.0.0.1/callback
func ExampleClient_LoginLoopback() {
	ctx := context.Background()
	c, err := client.New(ctx, client.Config{
		Issuer:   "https://id.example.com",
		ClientID: "CLIENT_ID",
		Scopes:   []string{"openid", "email", "offline_access"},
	})
	if err != nil {
		log.Fatal(err)
	}
	tokens, err := c.LoginLoopback(ctx, client.LoopbackOptions{OpenBrowser: client.OpenBrowser, Out: os.Stderr})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", tokens.Claims.Email)

	// Call an API; the access token is refreshed when it expires, and
	// each rotated refresh token is handed to save.
	save := func(t *client.Tokens) { /* store t.RefreshToken */ }
	resp, err := c.HTTPClient(ctx, c.TokenSource(ctx, tokens, save)).Get("https://api.example.com/me")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
}

// A web app keeps the Flow in the user's session between the redirect to
// the server and the callback.
func ExampleClient_Exchange() {
	ctx := context.Background()
	c, err := client.New(ctx, client.Config{
		Issuer: "https://id.example.com", ClientID: "CLIENT_ID", ClientSecret: "SECRET",
		RedirectURL: "https://app.example.com/callback",
	})
	if err != nil {
		log.Fatal(err)
	}
	var saved *client.Flow // in a real app: the user's server-side session
	http.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		saved = c.NewFlow("")
		http.Redirect(w, r, c.AuthCodeURL(saved), http.StatusFound)
	})
	http.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		tokens, err := c.Exchange(r.Context(), saved, r.URL.Query())
		if err != nil {
			http.Error(w, "sign-in failed", http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, "hello %s", tokens.Claims.Name)
	})
}
