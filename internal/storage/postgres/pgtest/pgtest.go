package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the URL of a database on
// the test server; NewDatabase connects to it to create and drop databases.
const EnvURL = "GATEHOUSE_TEST_POSTGRES"

// DefaultURL is used when EnvURL is unset: the local server CI runs.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// NewDatabase gives the test an empty, isolated place to keep tables: a
// schema named gh_test_<random> in the test database, dropped when t and
// its subtests end, and returns a URL whose search_path selects it. A
// schema is four times cheaper to create than a database, which matters
// with hundreds of tests.
//
// When the server cannot be reached the test is skipped, unless the
// environment variable CI is true: CI must run these tests, never skip them.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := adminURL()
	conn := connect(t, admin)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	defer conn.Close(ctx)
	name := "gh_test_" + strings.ToLower(rand.Text())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() { drop(t, admin, "DROP SCHEMA IF EXISTS "+name+" CASCADE") })
	u, err := withSearchPath(admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// withSearchPath returns the connection string admin with the session's
// search_path set to schema.
func withSearchPath(admin, schema string) (string, error) {
	if !strings.HasPrefix(admin, "postgres://") && !strings.HasPrefix(admin, "postgresql://") {
		return admin + " search_path=" + schema, nil
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func adminURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// connect opens an admin connection, skipping (or, in CI, failing) the
// test when the server is unreachable.
func connect(t testing.TB, admin string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		msg := fmt.Sprintf("pgtest: PostgreSQL unreachable at %s (set %s, or start the server: "+
			"pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): %v",
			redact(admin), EnvURL, err)
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return conn
}

// NewDatabaseICU is NewDatabase with the new database's default collation
// taken from the ICU locale, such as "en-US" (PostgreSQL 15 or later). It
// lets a test show that results do not depend on the server's locale.
func NewDatabaseICU(t testing.TB, locale string) string {
	t.Helper()
	quoted := "'" + strings.ReplaceAll(locale, "'", "''") + "'"
	return newDatabase(t, " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE "+quoted)
}

// newDatabase creates the database, with options appended to the CREATE
// DATABASE statement.
func newDatabase(t testing.TB, options string) string {
	t.Helper()
	admin := adminURL()
	conn := connect(t, admin)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	defer conn.Close(ctx)

	// rand.Text is base32 (A-Z, 2-7): lower-cased, a valid bare identifier.
	name := "gh_test_" + strings.ToLower(rand.Text())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+options); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	// FORCE ends connections a test left open.
	t.Cleanup(func() { drop(t, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })

	u, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// drop runs a DROP statement when the test ends. It runs after the test's
// context is cancelled, so it makes its own.
func drop(t testing.TB, admin, stmt string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("pgtest: %s: %v", stmt, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		t.Errorf("pgtest: %s: %v", stmt, err)
	}
}

// withDatabase returns the connection string admin with its database
// replaced by name, in the same form: URL or key=value.
func withDatabase(admin, name string) (string, error) {
	if !strings.HasPrefix(admin, "postgres://") && !strings.HasPrefix(admin, "postgresql://") {
		return admin + " dbname=" + name, nil // a later key wins
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// redact hides a password in a URL for messages.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return "the server in " + EnvURL
}
