package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// StartResource serves a protected resource built with the resource kit
// on a loopback port: GET /whoami answers the token's subject and client
// when the bearer token verifies for audience. The JWK set is fetched from
// the issuer with client. It returns the resource's URL and a stop
// function.
func StartResource(ctx context.Context, issuer, audience string, client *http.Client) (string, func(), error) {
	v, err := resource.New(ctx, resource.Config{Issuer: issuer, Audience: audience, HTTPClient: client})
	if err != nil {
		return "", nil, fmt.Errorf("resource verifier: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /whoami", v.Require()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := resource.ClaimsFrom(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"sub": c.Subject, "client_id": c.ClientID})
	})))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("resource listener: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Serve fails only with the listener; the calls then fail and
		// are counted as transport errors.
		_ = srv.Serve(ln)
	}()
	stop := func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		<-done
	}
	return "http://" + ln.Addr().String() + "/whoami", stop, nil
}
