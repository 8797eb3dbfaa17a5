package audit

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Actors that are not a user or client ID.
const (
	ActorCLI       = "cli"       // the gatehouse command line
	ActorSystem    = "system"    // the server itself (key maintenance), or no one known
	ActorAnonymous = "anonymous" // an unauthenticated party (a failed sign-in)
	// ActorAdminPrefix starts the actor of an admin API or console call:
	// "admin:" and the administrator's user ID, or the client ID for an
	// admin API call with a client's own token (client credentials).
	ActorAdminPrefix = "admin:"
)

// Event is what a caller records. Empty Actor and RemoteIP are taken from
// the context (WithActor, WithRemoteIP).
type Event struct {
	Action   string // one of the constants in actions.go
	Actor    string
	UserID   string
	ClientID string
	Target   string // what was acted on: a jti, grant ID, key ID, ...
	RemoteIP string
	// Details are small facts (scopes, counts); never a secret. Values
	// under a key that names a secret (secretKeys) are replaced anyway.
	Details map[string]any
}

// Appender stores records; storage.Store is one.
type Appender interface {
	AppendAudit(ctx context.Context, r storage.AuditRecord) (storage.AuditRecord, error)
}

// Options tune a Recorder; zero values take the defaults.
type Options struct {
	Now func() time.Time
	// Log receives records that could not be appended; nil means
	// slog.Default(), so that a loss is never silent.
	Log *slog.Logger
	// Timeout bounds one append; default 5s.
	Timeout time.Duration
}

// Recorder appends events to the trail. A nil *Recorder records nothing,
// so a component built without one (in a unit test) needs no checks.
type Recorder struct {
	store   Appender
	now     func() time.Time
	log     *slog.Logger
	timeout time.Duration
	group   *groupCommit // set when store is a BatchAppender (group.go)
}

// New returns a Recorder appending to store; concurrent records are
// committed in groups when store is a BatchAppender.
func New(store Appender, o Options) *Recorder {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	r := &Recorder{store: store, now: o.Now, log: o.Log, timeout: o.Timeout}
	if b, ok := store.(BatchAppender); ok {
		r.group = &groupCommit{store: b, max: maxGroup}
	}
	return r
}

// Record appends e. A failure is logged at error level, not returned: see
// the package comment for why.
func (r *Recorder) Record(ctx context.Context, e Event) {
	if r == nil {
		return
	}
	rec := r.record(ctx, e)
	// Not cancelled with the request: the action it records has happened.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	var err error
	if r.group != nil {
		err = r.group.append(ctx, rec)
	} else {
		_, err = r.store.AppendAudit(ctx, rec)
	}
	if err != nil {
		r.log.Error("audit record lost", "action", rec.Action, "actor", rec.Actor,
			"user_id", rec.UserID, "client_id", rec.ClientID, "target", rec.Target, "error", err)
	}
}

// record is the storable form of e.
func (r *Recorder) record(ctx context.Context, e Event) storage.AuditRecord {
	actor := e.Actor
	if actor == "" {
		actor = actorFrom(ctx)
	}
	ip := e.RemoteIP
	if ip == "" {
		ip = remoteIPFrom(ctx)
	}
	return storage.AuditRecord{
		Time:     r.now(),
		Actor:    clean(actor),
		Action:   clean(e.Action),
		UserID:   clean(e.UserID),
		ClientID: clean(e.ClientID),
		Target:   clean(e.Target),
		RemoteIP: clean(ip),
		Details:  details(e.Details),
	}
}

// maxField bounds each text field: IDs are short, and an attacker-chosen
// value (a client_id sent to an endpoint) must not bloat the trail.
const maxField = 256

// clean makes s storable: valid UTF-8 without NUL, at most maxField bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	if len(s) <= maxField {
		return s
	}
	cut := maxField
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// maxDetails bounds the details object in bytes.
const maxDetails = 2048

// secretKeys are detail keys whose values are always replaced: a guard
// against a caller passing what must never be recorded.
var secretKeys = map[string]bool{
	"password": true, "secret": true, "client_secret": true, "code": true, "code_verifier": true,
	"token": true, "access_token": true, "refresh_token": true, "id_token": true, "assertion": true,
	"client_assertion": true, "session_id": true, "cookie": true,
}

// details encodes d as a JSON object with sorted keys (encoding/json sorts
// map keys), "{}" when empty.
func details(d map[string]any) string {
	if len(d) == 0 {
		return "{}"
	}
	out := make(map[string]any, len(d))
	for k, v := range d {
		if secretKeys[strings.ToLower(k)] {
			v = "[redacted]"
		}
		if s, ok := v.(string); ok {
			v = clean(s)
		}
		out[clean(k)] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return `{"error":"details could not be encoded"}`
	}
	if len(b) > maxDetails {
		return `{"truncated":true}`
	}
	return string(b)
}
