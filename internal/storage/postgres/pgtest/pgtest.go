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

// NewDatabase creates an empty database named gh_test_<random>, drops it
// (disconnecting any remaining sessions) when t and its subtests end, and
// returns its URL.
//
// When the server cannot be reached the test is skipped, unless the
// environment variable CI is true: CI must run these tests, never skip them.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, "")
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
	admin := os.Getenv(EnvURL)
	if admin == "" {
		admin = DefaultURL
	}
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
	defer conn.Close(ctx)

	// rand.Text is base32 (A-Z, 2-7): lower-cased, a valid bare identifier.
	name := "gh_test_" + strings.ToLower(rand.Text())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+options); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { drop(t, admin, name) })

	u, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// drop drops the database, ending connections a test left open. It runs
// after the test's context is cancelled, so it makes its own.
func drop(t testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("pgtest: drop database %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("pgtest: drop database %s: %v", name, err)
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
