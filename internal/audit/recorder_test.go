package audit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// memTrail is an in-memory trail that chains records as the backends do.
type memTrail struct {
	mu   sync.Mutex
	recs []storage.AuditRecord
	err  error // AppendAudit fails with it when set
	ctxs []error
}

func (m *memTrail) AppendAudit(ctx context.Context, r storage.AuditRecord) (storage.AuditRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ctxs = append(m.ctxs, ctx.Err())
	if m.err != nil {
		return storage.AuditRecord{}, m.err
	}
	if err := storage.CheckAuditRecord(r); err != nil {
		return storage.AuditRecord{}, err
	}
	var head *storage.AuditRecord
	if n := len(m.recs); n > 0 {
		head = &m.recs[n-1]
	}
	r = storage.SealAudit(r, head)
	m.recs = append(m.recs, r)
	return r, nil
}

func (m *memTrail) ListAudit(_ context.Context, after int64, limit int) ([]storage.AuditRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []storage.AuditRecord{}
	for _, r := range m.recs {
		if r.Seq > after && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)

func TestRecordFields(t *testing.T) {
	long := strings.Repeat("é", 200) // 400 bytes
	tests := []struct {
		name string
		ctx  func(context.Context) context.Context
		ev   Event
		want storage.AuditRecord // Seq, hashes and Time not compared
	}{
		{"actor and IP from the context",
			func(ctx context.Context) context.Context {
				return WithRemoteIP(WithActor(ctx, "admin:u1"), "198.51.100.4")
			},
			Event{Action: ClientCreated, Target: "c1"},
			storage.AuditRecord{Actor: "admin:u1", Action: ClientCreated, Target: "c1", RemoteIP: "198.51.100.4", Details: "{}"}},
		{"the event's own actor and IP win",
			func(ctx context.Context) context.Context { return WithRemoteIP(WithActor(ctx, "cli"), "198.51.100.4") },
			Event{Action: LoginSuccess, Actor: "u1", UserID: "u1", RemoteIP: "203.0.113.9"},
			storage.AuditRecord{Actor: "u1", Action: LoginSuccess, UserID: "u1", RemoteIP: "203.0.113.9", Details: "{}"}},
		{"no actor anywhere is the system",
			nil, Event{Action: KeyCreated},
			storage.AuditRecord{Actor: ActorSystem, Action: KeyCreated, Details: "{}"}},
		{"inner actor overrides outer",
			func(ctx context.Context) context.Context { return WithActor(WithActor(ctx, "cli"), ActorSystem) },
			Event{Action: KeyCreated},
			storage.AuditRecord{Actor: ActorSystem, Action: KeyCreated, Details: "{}"}},
		{"details sorted, secrets redacted",
			nil, Event{Action: TokenIssued, Actor: "c1", Details: map[string]any{
				"scope": "openid", "Password": "hunter2", "refresh_token": "rt", "code": "abc", "revoked": 3,
			}},
			storage.AuditRecord{Actor: "c1", Action: TokenIssued,
				Details: `{"Password":"[redacted]","code":"[redacted]","refresh_token":"[redacted]","revoked":3,"scope":"openid"}`}},
		{"unstorable text made storable",
			nil, Event{Action: TokenRevoked, Actor: "c\x00", ClientID: "\xffx", Details: map[string]any{"k\x00": "v\xfe"}},
			storage.AuditRecord{Actor: "c\uFFFD", Action: TokenRevoked, ClientID: "\uFFFDx", Details: "{\"k\uFFFD\":\"v\uFFFD\"}"}},
		{"long fields cut at a rune",
			nil, Event{Action: LoginFailure, Actor: ActorAnonymous, Target: long},
			storage.AuditRecord{Actor: ActorAnonymous, Action: LoginFailure, Target: strings.Repeat("é", 128) + "…", Details: "{}"}},
		{"oversized details",
			nil, Event{Action: LoginFailure, Actor: ActorAnonymous, Details: manyDetails(20)},
			storage.AuditRecord{Actor: ActorAnonymous, Action: LoginFailure, Details: `{"truncated":true}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trail := &memTrail{}
			r := New(trail, Options{Now: func() time.Time { return t0 }})
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			r.Record(ctx, tt.ev)
			if len(trail.recs) != 1 {
				t.Fatalf("trail has %d records, want 1", len(trail.recs))
			}
			got := trail.recs[0]
			if !got.Time.Equal(t0.Truncate(time.Microsecond)) {
				t.Errorf("Time = %v, want %v", got.Time, t0)
			}
			got.Seq, got.PrevHash, got.Hash, got.Time = 0, "", "", time.Time{}
			if got != tt.want {
				t.Errorf("record =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestRecordIgnoresCancellation: a client hanging up after its token was
// issued must not erase the record.
func TestRecordIgnoresCancellation(t *testing.T) {
	trail := &memTrail{}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	New(trail, Options{}).Record(ctx, Event{Action: TokenIssued})
	if len(trail.recs) != 1 || trail.ctxs[0] != nil {
		t.Fatalf("records %d, append context error %v; want 1 record appended under a live context", len(trail.recs), trail.ctxs)
	}
}

// TestRecordFailureLogged: a lost record is logged at error level, with
// what it was about, and Record returns normally.
func TestRecordFailureLogged(t *testing.T) {
	var logs bytes.Buffer
	trail := &memTrail{err: errors.New("database is down")}
	log := slog.New(slog.NewTextHandler(&logs, nil))
	New(trail, Options{Log: log}).Record(t.Context(), Event{Action: LoginSuccess, UserID: "u1"})
	out := logs.String()
	for _, want := range []string{"level=ERROR", "audit record lost", "action=login.success", "user_id=u1", "database is down"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
}

func TestNilRecorder(t *testing.T) {
	var r *Recorder
	r.Record(t.Context(), Event{Action: LoginSuccess}) // must not panic
}

func TestRemoteIP(t *testing.T) {
	tests := []struct{ remoteAddr, want string }{
		{"192.0.2.1:5555", "192.0.2.1"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"@", "@"}, // a unix socket peer: kept as is
		{"", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.remoteAddr
		r.Header.Set("X-Forwarded-For", "10.9.9.9")
		if got := RemoteIP(r); got != tt.want {
			t.Errorf("RemoteIP(%q) = %q, want %q", tt.remoteAddr, got, tt.want)
		}
	}
}

func TestMiddleware(t *testing.T) {
	var got string
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = remoteIPFrom(r.Context()) }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "203.0.113.5:1234"
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "203.0.113.5" {
		t.Errorf("remote IP in context = %q, want 203.0.113.5", got)
	}
}

// manyDetails is n details of 200 bytes each.
func manyDetails(n int) map[string]any {
	d := map[string]any{}
	for i := range n {
		d[strings.Repeat("k", i+1)] = strings.Repeat("x", 200)
	}
	return d
}
