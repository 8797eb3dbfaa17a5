package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// replica is one of several servers on one database, each with its own
// store (connection pool), as separate processes would have.
type replica struct {
	url  string
	http *http.Client
}

// startReplicas starts n servers on the database dsn with one clock and
// master secret, and the default configuration but for changes, and
// returns them with an admin service.
func startReplicas(t *testing.T, n int, dsn string, now func() time.Time, changes ...func(*config.Config)) ([]replica, *admin.Service) {
	t.Helper()
	ctx := context.Background()
	master := []byte(strings.Repeat("r", 32))
	var out []replica
	var first server.Store
	for range n {
		store, err := server.OpenMigrated(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		if first == nil {
			first = store
		}
		ts := httptest.NewUnstartedServer(nil)
		cfg := config.Default()
		cfg.DB = dsn
		cfg.Issuer = "http://" + ts.Listener.Addr().String()
		for _, change := range changes {
			change(&cfg)
		}
		srv, err := server.New(ctx, cfg, master, slog.New(slog.DiscardHandler), server.Deps{Store: store, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		ts.Config.Handler = srv.Handler()
		ts.Start()
		t.Cleanup(ts.Close)
		jar, _ := cookiejar.New(nil)
		out = append(out, replica{url: cfg.Issuer, http: &http.Client{Jar: jar}})
	}
	secrets, err := secret.NewClientSecrets(master)
	if err != nil {
		t.Fatal(err)
	}
	return out, admin.New(first, secrets, now)
}

// login signs in on the replica's login form and returns the outcome.
func (r replica) login(t *testing.T, email, password string) (string, string) {
	t.Helper()
	outcome, retry, err := r.postLogin(r.loginForm(t, r.http, email, password), r.http)
	if err != nil {
		t.Fatal(err)
	}
	return outcome, retry
}

// loginForm loads the login page with client and fills in the form.
func (r replica) loginForm(t *testing.T, client *http.Client, email, password string) url.Values {
	t.Helper()
	resp, err := client.Get(r.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := (&servertest.Page{Body: string(body)}).Form(t, "/login")
	form.Set("email", email)
	form.Set("password", password)
	return form
}

// postLogin posts a filled-in login form as a browser would and returns
// the outcome; it may run on any goroutine.
func (r replica) postLogin(form url.Values, client *http.Client) (outcome, retryAfter string, err error) {
	req, _ := http.NewRequest(http.MethodPost, r.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "null")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		return "", "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch page := string(body); {
	case resp.StatusCode == http.StatusOK && strings.Contains(page, "You are signed in"):
		return loginOK, "", nil
	case resp.StatusCode == http.StatusOK && strings.Contains(page, "not correct"):
		return loginWrong, "", nil
	case resp.StatusCode == http.StatusTooManyRequests && strings.Contains(page, throttledMessage):
		return loginThrottled, resp.Header.Get("Retry-After"), nil
	}
	return "", "", fmt.Errorf("login on %s: status %d:\n%s", r.url, resp.StatusCode, excerpt(string(body)))
}

// token asks the replica's token endpoint for a client credentials token
// and returns the status and Retry-After.
func (r replica) token(t *testing.T, id, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.url+"/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	basicAuth(id, secret)(req)
	resp, err := r.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// TestThrottleSharedByReplicas: two servers on one PostgreSQL database
// count failures together, so guesses spread over replicas behind a load
// balancer are throttled as if sent to one. It runs with the default
// --throttle-cache-ttl: each step's outcome is the same whether or not a
// replica's cached view of a clean key has expired (a replica that failed
// an attempt reads the shared counter next), which it also does with a
// ttl of an hour; TestThrottleCacheAcrossReplicas shows where the cache
// makes a difference.
func TestThrottleSharedByReplicas(t *testing.T) {
	clock := &servertest.Clock{}
	reps, adm := startReplicas(t, 2, pgtest.NewDatabase(t), clock.Now)
	a, b := reps[0], reps[1]
	const email, pw = "erin@example.com", "correct horse battery staple"
	ctx := context.Background()
	if _, err := adm.CreateUser(ctx, admin.NewUser{Email: email, Name: "Erin", Password: pw}); err != nil {
		t.Fatal(err)
	}
	svc, secret, err := adm.CreateClient(ctx, admin.NewClient{Type: storage.ClientService, Name: "Job"})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("login", func(t *testing.T) {
		steps := []struct {
			name     string
			on       replica
			advance  time.Duration
			password string
			want     string
			retry    string
		}{
			{"failure 1 on A", a, 0, "guess", loginWrong, ""},
			{"failure 2 on B", b, 0, "guess", loginWrong, ""},
			{"failure 3 on A", a, 0, "guess", loginWrong, ""},
			{"right password on B", b, 0, pw, loginThrottled, "1"},
			{"right password on A", a, 0, pw, loginThrottled, "1"},
			{"after the delay on B", b, time.Second, pw, loginOK, ""},
			// The success on B reset the count A sees too.
			{"failure 1 on A after reset", a, 0, "guess", loginWrong, ""},
			{"failure 2 on A after reset", a, 0, "guess", loginWrong, ""},
			{"failure 3 on B after reset", b, 0, "guess", loginWrong, ""},
			{"delayed on A", a, 0, pw, loginThrottled, "1"},
		}
		for _, s := range steps {
			clock.Advance(s.advance)
			got, retry := s.on.login(t, email, s.password)
			if got != s.want || retry != s.retry {
				t.Errorf("%s: got %s (Retry-After %q), want %s (Retry-After %q)", s.name, got, retry, s.want, s.retry)
			}
		}
	})

	t.Run("client", func(t *testing.T) {
		for i := range 5 {
			if status, _ := reps[i%2].token(t, svc.ID, "guess"); status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, status)
			}
		}
		for i, r := range reps {
			if status, retry := r.token(t, svc.ID, secret); status != http.StatusUnauthorized || retry != "1" {
				t.Errorf("replica %d after 5 failures spread over both: status %d, Retry-After %q; want 401, 1", i, status, retry)
			}
		}
		clock.Advance(time.Second)
		if status, _ := b.token(t, svc.ID, secret); status != http.StatusOK {
			t.Errorf("after the delay: status %d, want 200", status)
		}
	})
}

// TestLoginBurst: guesses at one account sent all at once are checked one
// after the other, so no more of them reach the password check than the
// free failures allow. The clock stands still, so the first delay never
// runs out during the burst.
func TestLoginBurst(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "gatehouse.db") },
		"postgres": func(t *testing.T) string { return pgtest.NewDatabase(t) },
	} {
		t.Run(name, func(t *testing.T) {
			frozen := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
			reps, adm := startReplicas(t, 1, dsn(t), func() time.Time { return frozen })
			r := reps[0]
			const email, burst = "gina@example.com", 12
			if _, err := adm.CreateUser(context.Background(), admin.NewUser{Email: email, Name: "Gina", Password: "correct horse battery staple"}); err != nil {
				t.Fatal(err)
			}
			clients := make([]*http.Client, burst)
			forms := make([]url.Values, burst)
			for i := range burst {
				jar, _ := cookiejar.New(nil)
				clients[i] = &http.Client{Jar: jar}
				forms[i] = r.loginForm(t, clients[i], email, fmt.Sprint("guess-", i))
			}
			outcomes := make([]string, burst)
			errs := make([]error, burst)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range burst {
				wg.Go(func() {
					<-start
					outcomes[i], _, errs[i] = r.postLogin(forms[i], clients[i])
				})
			}
			close(start)
			wg.Wait()
			count := map[string]int{}
			for i, o := range outcomes {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				count[o]++
			}
			if count[loginWrong] != 3 || count[loginThrottled] != burst-3 {
				t.Errorf("outcomes of %d parallel guesses: %v; want 3 wrong, the rest throttled", burst, count)
			}
		})
	}
}
