package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// lookupCounter counts client lookups: a throttled attempt must be refused
// before the client is read, so before any secret is verified.
type lookupCounter struct {
	server.Store
	n atomic.Int64
}

func (s *lookupCounter) GetClient(ctx context.Context, id string) (storage.Client, error) {
	s.n.Add(1)
	return s.Store.GetClient(ctx, id)
}

// clientBodies are requests each client-authenticating endpoint accepts.
var clientBodies = map[string]string{
	"/token":      "grant_type=client_credentials",
	"/revoke":     "token=not-a-token",
	"/introspect": "token=not-a-token",
}

// postAsClient sends path's request with client_secret_basic and, when
// xff is set, an X-Forwarded-For header.
func postAsClient(t *testing.T, env *servertest.Env, path, id, secret, xff string) backResponse {
	t.Helper()
	return postBack(t, env, path, clientBodies[path], "", func(r *http.Request) {
		basicAuth(id, secret)(r)
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
	})
}

// checkClientRefusal checks an invalid_client answer: throttled (with
// Retry-After and a description saying so) or an ordinary failure.
func checkClientRefusal(t *testing.T, what string, r backResponse, throttledFor string) {
	t.Helper()
	body := r.json(t)
	desc, _ := body["error_description"].(string)
	switch {
	case r.Status != http.StatusUnauthorized || body["error"] != "invalid_client":
		t.Errorf("%s: status %d, %v; want 401 invalid_client", what, r.Status, body)
	case !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic"):
		t.Errorf("%s: WWW-Authenticate = %q, want a Basic challenge (RFC 6749 §5.2)", what, r.Header.Get("WWW-Authenticate"))
	case r.Header.Get("Retry-After") != throttledFor:
		t.Errorf("%s: Retry-After = %q, want %q", what, r.Header.Get("Retry-After"), throttledFor)
	case throttledFor != "" && !strings.Contains(desc, "try again later"):
		t.Errorf("%s: error_description %q does not say to try again later", what, desc)
	case throttledFor == "" && desc != "client authentication failed":
		t.Errorf("%s: error_description %q, want the ordinary failure", what, desc)
	}
}

func wantClientAuthOK(t *testing.T, what string, r backResponse) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Errorf("%s: status %d, %s; want 200", what, r.Status, r.Body)
	}
}

// TestClientAuthThrottle: guessing a client's secret at the token
// endpoint makes the client_id wait at /token, /revoke and /introspect
// alike, without the secret being checked; after the wait the right
// secret works and starts the count afresh. An unknown client_id is
// throttled the same way.
func TestClientAuthThrottle(t *testing.T) {
	backends(t, func(t *testing.T, opt servertest.Options) {
		var counter *lookupCounter
		opt.WrapStore = func(s server.Store) server.Store { counter = &lookupCounter{Store: s}; return counter }
		env := servertest.New(t, opt)
		svc, secret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Billing job", Scopes: []string{"api:read"}})

		for _, id := range []string{svc.ID, "no-such-client"} {
			for i := range 5 {
				checkClientRefusal(t, fmt.Sprintf("%s: failure %d", id, i+1), postAsClient(t, env, "/token", id, "guess", ""), "")
			}
			for path := range clientBodies {
				before := counter.n.Load()
				checkClientRefusal(t, id+": "+path+" while delayed", postAsClient(t, env, path, id, secret, ""), "1")
				if n := counter.n.Load() - before; n != 0 {
					t.Errorf("%s: %s while delayed read the client %d times, want 0", id, path, n)
				}
			}
		}
		env.Clock.Advance(time.Second)
		wantClientAuthOK(t, "after the delay", postAsClient(t, env, "/token", svc.ID, secret, ""))
		// The success reset the client's count: five free failures again.
		for i := range 5 {
			checkClientRefusal(t, fmt.Sprintf("failure %d after reset", i+1), postAsClient(t, env, "/introspect", svc.ID, "guess", ""), "")
		}
		checkClientRefusal(t, "delayed again", postAsClient(t, env, "/token", svc.ID, secret, ""), "1")
	})
}

// TestClientAuthThrottleIP: failed authentications of many client_ids
// from one address make the address wait. The address is the peer's,
// whatever X-Forwarded-For says, unless the peer is a trusted proxy.
func TestClientAuthThrottleIP(t *testing.T) {
	onlyIP := func(proxies string) func(*config.Config) {
		return func(c *config.Config) {
			c.Throttle.ClientDelayAfter, c.Throttle.ClientLockAfter = 0, 0
			c.Throttle.ClientIPDelayAfter, c.Throttle.ClientIPLockAfter = 3, 0
			c.Throttle.TrustedProxies = proxies
		}
	}
	backends(t, func(t *testing.T, opt servertest.Options) {
		t.Run("no trusted proxy", func(t *testing.T) {
			opt.Config = onlyIP("")
			env := servertest.New(t, opt)
			svc, secret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Job"})
			for i := range 3 {
				checkClientRefusal(t, fmt.Sprintf("client %d", i), postAsClient(t, env, "/token", fmt.Sprint("guessed-", i), "guess", ""), "")
			}
			checkClientRefusal(t, "another client from the address", postAsClient(t, env, "/token", svc.ID, secret, ""), "1")
			checkClientRefusal(t, "with a spoofed X-Forwarded-For", postAsClient(t, env, "/token", svc.ID, secret, "198.51.100.8"), "1")
		})
		t.Run("behind a trusted proxy", func(t *testing.T) {
			opt.Config = onlyIP("127.0.0.1/32")
			env := servertest.New(t, opt)
			svc, secret := env.AddClient(admin.NewClient{Type: storage.ClientService, Name: "Job"})
			const attacker = "203.0.113.1"
			for i := range 3 {
				checkClientRefusal(t, fmt.Sprintf("client %d", i), postAsClient(t, env, "/token", fmt.Sprint("guessed-", i), "guess", "192.0.2.1, "+attacker), "")
			}
			checkClientRefusal(t, "the attacker's address", postAsClient(t, env, "/token", svc.ID, secret, attacker), "1")
			wantClientAuthOK(t, "another address behind the proxy", postAsClient(t, env, "/token", svc.ID, secret, "203.0.113.2"))
			wantClientAuthOK(t, "the proxy itself", postAsClient(t, env, "/token", svc.ID, secret, ""))
		})
	})
}
