package server_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver the SQLite backend registers, named here for the snapshot
)

// sweepMayChange lists the tables the bad-input sweep may change, by name
// prefix, with the reason. Every other table must keep exactly the same
// rows (compared by content, not only by count). Nothing in the sweep
// signs anyone in (no request carries a correct password together with a
// valid CSRF token and an authorization request that parses), so sessions,
// consents, codes and tokens stay as they were. The admin token and the
// console session are made before the first snapshot, and no admin write
// can succeed (sweepEndpoint.poison, guardWrites), so projects, APIs,
// clients, users, groups and keys stay as they were too.
var sweepMayChange = []tableAllowance{
	// The audit trail (issue 6 §5) records failed logins and refused
	// client authentications: it may only grow.
	{"audit", "append-only audit records of the refused requests", true},
}

// tableAllowance is a table, by name prefix, that a run of the sweep may
// change, and why.
// An append-only table may only grow; any other may change at will.
type tableAllowance struct {
	prefix, reason string
	appendOnly     bool
}

// tableSnapshot is the rows of one table, each reduced to a hash of its
// printed values and sorted, so two snapshots compare by content.
type tableSnapshot struct {
	rows []string
}

// dbSnapshot reads every table of the database behind dsn.
func dbSnapshot(t *testing.T, dsn string) map[string]tableSnapshot {
	t.Helper()
	ctx := context.Background()
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		return sqliteSnapshot(ctx, t, path)
	}
	return postgresSnapshot(ctx, t, dsn)
}

func sqliteSnapshot(ctx context.Context, t *testing.T, path string) map[string]tableSnapshot {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatalf("snapshot: open sqlite: %v", err)
	}
	defer db.Close()
	names, err := queryNames(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatalf("snapshot: list tables: %v", err)
	}
	out := map[string]tableSnapshot{}
	for _, name := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+name+`"`)
		if err != nil {
			t.Fatalf("snapshot: read %s: %v", name, err)
		}
		cols, _ := rows.Columns()
		var snap tableSnapshot
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("snapshot: scan %s: %v", name, err)
			}
			snap.rows = append(snap.rows, rowDigest(vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("snapshot: read %s: %v", name, err)
		}
		rows.Close()
		slices.Sort(snap.rows)
		out[name] = snap
	}
	return out
}

func queryNames(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func postgresSnapshot(ctx context.Context, t *testing.T, dsn string) map[string]tableSnapshot {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("snapshot: connect: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatalf("snapshot: list tables: %v", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("snapshot: list tables: %v", err)
	}
	out := map[string]tableSnapshot{}
	for _, name := range names {
		rows, err := conn.Query(ctx, `SELECT * FROM "`+name+`"`)
		if err != nil {
			t.Fatalf("snapshot: read %s: %v", name, err)
		}
		var snap tableSnapshot
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatalf("snapshot: scan %s: %v", name, err)
			}
			snap.rows = append(snap.rows, rowDigest(vals))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("snapshot: read %s: %v", name, err)
		}
		slices.Sort(snap.rows)
		out[name] = snap
	}
	return out
}

// rowDigest prints a row's values and hashes them (rows hold password
// and secret hashes, which failure messages need not show).
func rowDigest(vals []any) string {
	var b strings.Builder
	for _, v := range vals {
		fmt.Fprintf(&b, "%T:%v\x00", v, v)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// mayChange returns how table may change during the sweep: why ("" if
// it may not) and whether it may only grow.
func mayChange(allowed []tableAllowance, table string) (reason string, appendOnly bool) {
	for _, m := range allowed {
		if strings.HasPrefix(table, m.prefix) {
			return m.reason, m.appendOnly
		}
	}
	return "", false
}

// compareSnapshots reports every table outside sweepMayChange whose rows
// differ, and any table in it that lost rows.
func compareSnapshots(t *testing.T, before, after map[string]tableSnapshot, allowed []tableAllowance) {
	t.Helper()
	if len(before) == 0 {
		t.Fatal("snapshot found no tables: the snapshot is broken")
	}
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("table %s disappeared", name)
		case reasonOf(allowed, name) != "":
			reason, appendOnly := mayChange(allowed, name)
			if appendOnly && len(setMinus(b.rows, a.rows)) > 0 {
				t.Errorf("table %s (%s) lost or changed %d of its %d rows", name, reason, len(setMinus(b.rows, a.rows)), len(b.rows))
			}
		case !slices.Equal(a.rows, b.rows):
			t.Errorf("table %s changed: %d rows before, %d after (added %d, removed %d)", name, len(b.rows), len(a.rows),
				len(setMinus(a.rows, b.rows)), len(setMinus(b.rows, a.rows)))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("table %s appeared during the sweep", name)
		}
	}
}

func reasonOf(allowed []tableAllowance, table string) string {
	r, _ := mayChange(allowed, table)
	return r
}

func setMinus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
