package resource_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// An API protected by Gatehouse: tokens checked against the issuer's keys,
// a scope per route, and browser calls allowed from the app's origin.
func Example() {
	ctx := context.Background()
	verifier, err := resource.New(ctx, resource.Config{
		Issuer:   "https://id.example.com",
		Audience: "https://id.example.com", // Gatehouse tokens name the issuer
		Realm:    "orders",
	})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("GET /orders", verifier.Require("orders:read")(http.HandlerFunc(listOrders)))
	mux.Handle("POST /orders", verifier.Require("orders:write")(http.HandlerFunc(createOrder)))

	cors := resource.CORS{
		AllowedOrigins: []string{"https://shop.example.com"},
		AllowedMethods: []string{"GET", "POST"},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"WWW-Authenticate"},
		MaxAge:         time.Hour,
	}
	log.Fatal(http.ListenAndServe(":8081", cors.Handler(mux)))
}

func listOrders(w http.ResponseWriter, r *http.Request) {
	claims, _ := resource.ClaimsFrom(r.Context())
	fmt.Fprintf(w, "orders of %s\n", claims.Subject)
}

func createOrder(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) }

// A request without a token gets the bare challenge of RFC 6750 §3.1.
func ExampleVerifier_Require() {
	verifier, err := resource.New(context.Background(), resource.Config{
		Issuer:   "https://id.example.com",
		Audience: "https://api.example.com",
		JWKSURL:  "https://id.example.com/jwks", // given, so no discovery
		Realm:    "orders",
	})
	if err != nil {
		log.Fatal(err)
	}
	handler := verifier.Require("orders:read")(http.HandlerFunc(listOrders))

	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest("GET", "/orders", nil))
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))
	// Output: 401 Bearer realm="orders"
}

// Verify checks a token that arrives some other way than an HTTP request's
// Authorization header, such as the first message on a WebSocket.
func ExampleVerifier_Verify() {
	verifier, err := resource.New(context.Background(), resource.Config{
		Issuer:   "https://id.example.com",
		Audience: "https://api.example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	claims, err := verifier.Verify(context.Background(), "eyJ...")
	switch {
	case errors.Is(err, resource.ErrInvalidToken):
		fmt.Println("refused:", err)
	case err != nil:
		fmt.Println("could not check the token, try later:", err)
	case !claims.HasScope("chat"):
		fmt.Println("not allowed to chat")
	default:
		fmt.Println("welcome", claims.Subject)
	}
}

// Opaque tokens, or every token when revocation must take effect early,
// can be checked at the issuer's introspection endpoint (RFC 7662).
func ExampleIntrospection() {
	verifier, err := resource.New(context.Background(), resource.Config{
		Issuer:   "https://id.example.com",
		Audience: "https://api.example.com",
		Introspection: &resource.Introspection{
			ClientID:     "orders-api", // a client allowed to introspect
			ClientSecret: "from your secret store",
			CacheTTL:     10 * time.Second,
			Always:       true,
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = verifier
}

// Handlers behind Require read the claims from the context; a test of such
// a handler can put claims there with WithClaims.
func ExampleClaimsFrom() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, ok := resource.ClaimsFrom(r.Context())
		if !ok {
			http.Error(w, "not behind Require", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%s (client %s), groups %v", claims.Subject, claims.ClientID, claims.Groups)
	})

	r := httptest.NewRequest("GET", "/me", nil)
	r = r.WithContext(resource.WithClaims(r.Context(), &resource.Claims{Subject: "u-42", ClientID: "shop", Groups: []string{"staff"}}))
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println(w.Body)
	// Output: u-42 (client shop), groups [staff]
}

// A preflight from an allowed origin, for an allowed method and headers.
func ExampleCORS_Handler() {
	cors := resource.CORS{
		AllowedOrigins:        []string{"https://shop.example.com"},
		AllowedOriginPatterns: []*regexp.Regexp{regexp.MustCompile(`https://[a-z0-9-]+\.preview\.shop\.example\.com`)},
		AllowedPaths:          []*regexp.Regexp{regexp.MustCompile(`/api/.*`)},
		AllowedMethods:        []string{"GET", "PUT"},
		AllowedHeaders:        []string{"Authorization", "Content-Type"},
		MaxAge:                10 * time.Minute,
	}
	handler := cors.Handler(http.NotFoundHandler())

	r := httptest.NewRequest("OPTIONS", "/api/orders/7", nil)
	r.Header.Set("Origin", "https://pr-12.preview.shop.example.com")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)

	fmt.Println(w.Code)
	for _, h := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
		fmt.Printf("%s: %s\n", h, w.Header().Get(h))
	}
	fmt.Println("Vary:", strings.Join(w.Header().Values("Vary"), ", "))
	// Output:
	// 204
	// Access-Control-Allow-Origin: https://pr-12.preview.shop.example.com
	// Access-Control-Allow-Methods: GET, PUT
	// Access-Control-Allow-Headers: authorization, content-type
	// Access-Control-Max-Age: 600
	// Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
}
