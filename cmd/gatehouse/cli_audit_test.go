package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
)

// auditLine is one line of `audit export`.
type auditLine struct {
	Seq      int64           `json:"seq"`
	Time     time.Time       `json:"time"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	UserID   string          `json:"user_id"`
	ClientID string          `json:"client_id"`
	Target   string          `json:"target"`
	RemoteIP string          `json:"remote_ip"`
	Details  json.RawMessage `json:"details"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
}

type verifyOut struct {
	Intact  bool   `json:"intact"`
	Records int64  `json:"records"`
	HeadSeq int64  `json:"head_seq"`
	Head    string `json:"head"`
	BadSeq  int64  `json:"first_bad_seq"`
	Reason  string `json:"reason"`
}

func exportLines(t *testing.T, out string) []auditLine {
	t.Helper()
	var lines []auditLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l auditLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines
}

func verifyJSONOf(t *testing.T, db string, extra ...string) (verifyOut, result) {
	t.Helper()
	r := runCLI(t, "", append([]string{"audit", "verify", "--db", db, "--json"}, extra...)...)
	var v verifyOut
	decodeOne(t, r.stdout, &v)
	return v, r
}

// TestAuditCommands: changes made with the CLI are recorded with the actor
// "cli"; verify reports an intact chain and its head; export writes every
// record as JSON lines, to standard output or a private file, from --since
// on; and neither the password nor the client secret is in it.
func TestAuditCommands(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	const password = "audit-cli-password-1"
	mustCode(t, runCLI(t, password+"\n", "user", "add", "--email", "ops@example.com", "--password-stdin", "--db", db), 0)
	add := runCLI(t, "", "client", "add", "--type", "service", "--name", "Audit job", "--scope", "api:read", "--db", db, "--json")
	mustCode(t, add, 0)
	var created struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	decodeOne(t, add.stdout, &created)
	rot := runCLI(t, "", "client", "rotate-secret", created.ClientID, "--db", db, "--json")
	mustCode(t, rot, 0)
	mustCode(t, runCLI(t, "", "client", "delete", created.ClientID, "--db", db), 0)

	exp := runCLI(t, "", "audit", "export", "--db", db)
	mustCode(t, exp, 0)
	lines := exportLines(t, exp.stdout)
	var actions []string
	for _, l := range lines {
		if l.Actor != audit.ActorCLI {
			t.Errorf("record %d (%s) has actor %q, want cli", l.Seq, l.Action, l.Actor)
		}
		actions = append(actions, l.Action)
	}
	want := []string{audit.UserCreated, audit.ClientCreated, audit.ClientSecretRotated, audit.ClientDeleted}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Errorf("exported actions %v, want %v", actions, want)
	}
	if lines[1].Target != created.ClientID || lines[3].Target != created.ClientID {
		t.Errorf("client records target %q and %q, want %q", lines[1].Target, lines[3].Target, created.ClientID)
	}
	var rotated struct {
		ClientSecret string `json:"client_secret"`
	}
	decodeOne(t, rot.stdout, &rotated)
	for _, s := range []string{password, created.ClientSecret, rotated.ClientSecret} {
		if s == "" || strings.Contains(exp.stdout, s) {
			t.Errorf("the export contains a secret, or a secret is empty: %.8q...", s)
		}
	}

	v, r := verifyJSONOf(t, db)
	mustCode(t, r, 0)
	last := lines[len(lines)-1]
	if !v.Intact || v.Records != 4 || v.Head != fmt.Sprintf("%d:%s", last.Seq, last.Hash) {
		t.Errorf("verify --json = %+v, want intact, 4 records, head of the last record", v)
	}
	text := runCLI(t, "", "audit", "verify", "--db", db, "--head", v.Head)
	mustCode(t, text, 0)
	if !strings.Contains(text.stdout, "intact: 4 records") || !strings.Contains(text.stdout, v.Head) {
		t.Errorf("verify printed %q", text.stdout)
	}

	sinceTests := []struct {
		since string
		want  int
	}{
		{lines[2].Time.Format(time.RFC3339Nano), 2},
		{"2000-01-01", 4},
		{"1h", 4},
		{time.Now().Add(time.Hour).UTC().Format(time.RFC3339), 0},
	}
	for _, tt := range sinceTests {
		r := runCLI(t, "", "audit", "export", "--db", db, "--since", tt.since)
		mustCode(t, r, 0)
		if got := len(exportLines(t, r.stdout)); got != tt.want {
			t.Errorf("export --since %s: %d records, want %d", tt.since, got, tt.want)
		}
	}

	file := filepath.Join(t.TempDir(), "trail.jsonl")
	r = runCLI(t, "", "audit", "export", "--db", db, "--output", file)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "exported 4 audit records") {
		t.Errorf("export --output printed %q", r.stdout)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != exp.stdout {
		t.Errorf("the file differs from the export on standard output")
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
}

func TestAuditUsage(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	for _, args := range [][]string{
		{"audit"},
		{"audit", "check"},
		{"audit", "verify", "--db", db, "--head", "3"},
		{"audit", "verify", "--db", db, "extra"},
		{"audit", "export", "--db", db, "--since", "yesterday"},
		{"audit", "export", "--db", db, "--since", "-5h"},
	} {
		r := runCLI(t, "", args...)
		if r.code != 2 || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q; want 2 and nothing on stdout", args, r.code, r.stdout)
		}
	}
	r := runCLI(t, "", "audit", "verify", "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "empty") {
		t.Errorf("verify of an empty trail printed %q", r.stdout)
	}
}

// TestAuditVerifyTampered changes a database behind Gatehouse's back (after
// dropping the triggers that keep the table append-only, as someone with
// write access could) and checks verify names the first bad record and
// exits with status 1.
func TestAuditVerifyTampered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sql    []string
		head   bool // pass the intact trail's head as --head
		bad    int64
		reason string
	}{
		{"field updated", []string{`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3`}, false, 3, "was changed"},
		{"details updated", []string{`UPDATE audit_log SET details = '{"n":99}' WHERE seq = 2`}, false, 2, "was changed"},
		{"middle deleted", []string{`DELETE FROM audit_log WHERE seq = 3`}, false, 3, "missing"},
		{"first deleted", []string{`DELETE FROM audit_log WHERE seq = 1`}, false, 1, "missing"},
		{"reordered", []string{
			`UPDATE audit_log SET seq = -2 WHERE seq = 2`,
			`UPDATE audit_log SET seq = 2 WHERE seq = 4`,
			`UPDATE audit_log SET seq = 4 WHERE seq = -2`,
		}, false, 2, "was changed"},
		{"tail truncated, with the head", []string{`DELETE FROM audit_log WHERE seq >= 4`}, true, 4, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, head := tamperableTrail(t)
			conn := rawSQLite(t, db)
			// The triggers refuse changes made through SQL...
			if _, err := conn.Exec(tt.sql[0]); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s with the triggers in place: err %v, want append-only refusal", tt.sql[0], err)
			}
			// ...until someone drops them.
			for _, q := range append([]string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}, tt.sql...) {
				if _, err := conn.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			conn.Close()
			var extra []string
			if tt.head {
				extra = []string{"--head", head}
			}
			v, r := verifyJSONOf(t, db, extra...)
			mustCode(t, r, 1)
			if v.Intact || v.BadSeq != tt.bad || !strings.Contains(v.Reason, tt.reason) {
				t.Errorf("verify --json = %+v, want broken at %d saying %q", v, tt.bad, tt.reason)
			}
			if want := fmt.Sprintf("audit record %d:", tt.bad); !strings.Contains(r.stderr, want) {
				t.Errorf("stderr %q does not name %q", r.stderr, want)
			}
			text := runCLI(t, "", append([]string{"audit", "verify", "--db", db}, extra...)...)
			mustCode(t, text, 1)
			if !strings.Contains(text.stdout, fmt.Sprintf("BROKEN at record %d", tt.bad)) {
				t.Errorf("verify printed %q", text.stdout)
			}
		})
	}
	t.Run("tail truncated, no head", func(t *testing.T) {
		t.Parallel()
		db, _ := tamperableTrail(t)
		conn := rawSQLite(t, db)
		for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE seq = 5`} {
			if _, err := conn.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		conn.Close()
		// Undetectable without an anchor: the documented limit.
		v, r := verifyJSONOf(t, db)
		mustCode(t, r, 0)
		if !v.Intact || v.Records != 4 {
			t.Errorf("verify = %+v, want an intact chain of 4", v)
		}
	})
}

// tamperableTrail makes a database with five audit records and returns
// its DSN and the trail's head.
func tamperableTrail(t *testing.T) (string, string) {
	t.Helper()
	db := tempDB(t)
	store := openStore(t, db)
	rec := audit.New(store, audit.Options{})
	for i := range 5 {
		rec.Record(t.Context(), audit.Event{Action: audit.TokenIssued, Actor: "c1", Target: fmt.Sprintf("jti-%d", i+1),
			Details: map[string]any{"n": i}})
	}
	res, err := audit.Verify(t.Context(), store, nil)
	if err != nil || res.Break != nil || res.Records != 5 {
		t.Fatalf("fresh trail: %+v, %v", res, err)
	}
	return db, res.Head.String()
}

// rawSQLite opens the database file of an sqlite: DSN with plain SQL.
func rawSQLite(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	conn, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestAuditKeysRotate: `keys rotate` records the keys it creates and the
// rotation, as the command line.
func TestAuditKeysRotate(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	rots, _ := rotate(t, db, "--alg", "ES256")
	exp := runCLI(t, "", "audit", "export", "--db", db)
	mustCode(t, exp, 0)
	var created, rotated []auditLine
	for _, l := range exportLines(t, exp.stdout) {
		if l.Actor != audit.ActorCLI {
			t.Errorf("record %d (%s) has actor %q, want cli", l.Seq, l.Action, l.Actor)
		}
		switch l.Action {
		case audit.KeyCreated:
			created = append(created, l)
		case audit.KeyRotated:
			rotated = append(rotated, l)
		}
	}
	// A fresh database: a current and a next key of each of the three
	// algorithms are created, then rotation promotes ES256's next key and
	// creates a new next.
	if len(created) != 7 || len(rotated) != 1 || rotated[0].Target != rots[0].CurrentKID || created[6].Target != rots[0].NextKID {
		t.Errorf("key records: %d created, %d rotated; want 7 created, the last %s, and one rotation to %s",
			len(created), len(rotated), rots[0].NextKID, rots[0].CurrentKID)
	}
}
