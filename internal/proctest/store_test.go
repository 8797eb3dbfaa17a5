package proctest

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver the sqlite backend uses
)

// storeChecks are queries that must find no row in a consistent store,
// written to run on both dialects.
var storeChecks = []struct{ name, query string }{
	{"a grant not revoked with two live refresh tokens (a code redeemed or a token rotated twice)",
		`SELECT grant_id FROM tokens WHERE kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL
		   AND grant_id NOT IN (SELECT grant_id FROM revoked_grants)
		 GROUP BY grant_id HAVING count(*) > 1`},
	{"a token of a revoked grant left unrevoked",
		`SELECT id FROM tokens WHERE revoked_at IS NULL AND grant_id IN (SELECT grant_id FROM revoked_grants)`},
	{"a user's token whose grant has no authorization code (orphan)",
		`SELECT id FROM tokens WHERE user_id IS NOT NULL AND grant_id NOT IN (SELECT grant_id FROM auth_codes)`},
	{"a token of an unknown client or user",
		`SELECT id FROM tokens WHERE client_id NOT IN (SELECT id FROM clients)
		    OR (user_id IS NOT NULL AND user_id NOT IN (SELECT id FROM users))`},
	{"a code of an unknown client or user",
		`SELECT hash FROM auth_codes WHERE client_id NOT IN (SELECT id FROM clients) OR user_id NOT IN (SELECT id FROM users)`},
	{"a session of an unknown user", `SELECT id FROM sessions WHERE user_id NOT IN (SELECT id FROM users)`},
}

// checkStore verifies the database after the crash test: the engine's own
// integrity check on SQLite, and storeChecks on both.
func checkStore(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	var count func(query string) (int, error)
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var res string
		if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			t.Errorf("PRAGMA integrity_check: %q %v", res, err)
		}
		rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		if rows.Next() {
			t.Error("PRAGMA foreign_key_check found a row breaking a foreign key")
		}
		rows.Close()
		count = func(q string) (n int, err error) {
			err = db.QueryRowContext(ctx, "SELECT count(*) FROM ("+q+") AS x").Scan(&n)
			return n, err
		}
	} else {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		count = func(q string) (n int, err error) {
			err = conn.QueryRow(ctx, "SELECT count(*) FROM ("+q+") AS x").Scan(&n)
			return n, err
		}
	}
	var total int
	for _, c := range storeChecks {
		n, err := count(c.query)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n != 0 {
			t.Errorf("%d rows: %s", n, c.name)
		}
		total += n
	}
	if n, err := count("SELECT id FROM tokens"); err != nil || n == 0 {
		t.Errorf("the store holds %d tokens (%v): the checks saw nothing", n, err)
	} else {
		t.Logf("store checks: %d tokens, %d inconsistencies", n, total)
	}
}
