package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
)

// userOut is a user as --json prints it.
type userOut struct {
	ID        string   `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Groups    []string `json:"groups"`
	Admin     bool     `json:"admin"`
	CreatedAt string   `json:"created_at"`
}

// noPasswordFields fails if a user JSON object has anything like a hash.
func noPasswordFields(t *testing.T, raw string, objs []map[string]any) {
	t.Helper()
	if strings.Contains(raw, "$argon2") {
		t.Errorf("output contains a password hash: %s", raw)
	}
	for _, o := range objs {
		for k := range o {
			if strings.Contains(strings.ToLower(k), "password") || strings.Contains(strings.ToLower(k), "hash") {
				t.Errorf("user JSON has field %q", k)
			}
		}
	}
}

func TestUserAdd(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	const pw = "correct horse battery staple"
	r := runCLI(t, pw+"\nsecond line is not the password\n",
		"user", "add", "--email", " Alice@Example.COM ", "--name", "Alice", "--group", "dev", "--group", "ops",
		"--admin", "--password-stdin", "--db", db, "--json")
	mustCode(t, r, 0)
	var u userOut
	decodeOne(t, r.stdout, &u)
	var obj map[string]any
	decodeOne(t, r.stdout, &obj)
	noPasswordFields(t, r.stdout, []map[string]any{obj})
	if u.ID == "" || u.Email != "alice@example.com" || u.Name != "Alice" || !u.Admin ||
		!slices.Equal(u.Groups, []string{"dev", "ops"}) || u.CreatedAt == "" {
		t.Errorf("user add --json = %+v", u)
	}

	stored, err := openStore(t, db).GetUserByEmail(t.Context(), "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if stored.ID != u.ID {
		t.Errorf("stored ID %q, printed %q", stored.ID, u.ID)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{
		{pw, true},
		{pw + "\n", false},
		{pw + "\nsecond line is not the password", false},
		{"second line is not the password", false},
	} {
		ok, err := secret.CheckPassword(stored.PasswordHash, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
}

func TestUserAddPasswordLineEndings(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, stdin, want string }{
		{"CRLF", "windows-password\r\n", "windows-password"},
		{"no newline", "no-newline-password", "no-newline-password"},
		{"inner spaces kept", "  spaced  out  \n", "  spaced  out  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := tempDB(t)
			r := runCLI(t, tt.stdin, "user", "add", "--email", "u@example.com", "--password-stdin", "--db", db)
			mustCode(t, r, 0)
			if !strings.Contains(r.stdout, "Created user u@example.com") {
				t.Errorf("stdout %q", r.stdout)
			}
			u, err := openStore(t, db).GetUserByEmail(t.Context(), "u@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := secret.CheckPassword(u.PasswordHash, tt.want); !ok || err != nil {
				t.Errorf("password %q does not verify (%v)", tt.want, err)
			}
		})
	}
}

func TestUserAddInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stdin, email string
		want               []string
	}{
		{"bad email", "long-enough-pw\n", "not-an-email", []string{"--email", `"not-an-email" is not an email address`}},
		{"display-name email", "long-enough-pw\n", "Alice <alice@example.com>", []string{"--email"}},
		{"short password", "short\n", "a@example.com", []string{"at least 8 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := tempDB(t)
			r := runCLI(t, tt.stdin, "user", "add", "--email", tt.email, "--password-stdin", "--db", db, "--json")
			mustCode(t, r, 2)
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q, want it to contain %q", r.stderr, w)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			users, err := openStore(t, db).ListUsers(t.Context())
			if err != nil || len(users) != 0 {
				t.Errorf("users after a refused add: %v, %v", users, err)
			}
		})
	}
}

// TestUserAddShortPasswordNamesFlag: the message should name the flag the
// user can act on. There is no --password flag; it is --password-stdin.
func TestUserAddShortPasswordNamesFlag(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "short\n", "user", "add", "--email", "a@example.com", "--password-stdin", "--db", tempDB(t))
	mustCode(t, r, 2)
	if strings.Contains(r.stderr, "--password:") {
		t.Fatalf("BUG: cmd/gatehouse/output.go explain maps Field %q to a non-existent flag: %q", "password", r.stderr)
	}
}

func TestUserAddDuplicateEmail(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	mustCode(t, runCLI(t, "first-password\n", "user", "add", "--email", "bob@example.com", "--password-stdin", "--db", db), 0)
	r := runCLI(t, "second-password\n", "user", "add", "--email", "BOB@example.com", "--password-stdin", "--db", db, "--json")
	if r.code == 0 {
		t.Fatalf("duplicate email accepted: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "bob@example.com already exists") {
		t.Errorf("stderr %q does not explain the duplicate", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing", r.stdout)
	}
	u, err := openStore(t, db).GetUserByEmail(t.Context(), "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := secret.CheckPassword(u.PasswordHash, "first-password"); !ok {
		t.Error("the duplicate add changed the first user's password")
	}
	// The command line was well formed; the failure is the database state,
	// so the contract says 1, not 2 (bad usage).
	if r.code == 2 {
		t.Fatal("BUG: duplicate email exits 2 (bad usage); want 1: explain() turns every admin.ValidationError into a usage error")
	}
	mustCode(t, r, 1)
}

func TestUserList(t *testing.T) {
	t.Parallel()
	db := tempDB(t)

	r := runCLI(t, "", "user", "list", "--json", "--db", db)
	mustCode(t, r, 0)
	var empty []userOut
	decodeOne(t, r.stdout, &empty)
	if empty == nil || len(empty) != 0 {
		t.Errorf("user list --json on an empty database = %q, want []", r.stdout)
	}

	for _, email := range []string{"zed@example.com", "amy@example.com"} {
		mustCode(t, runCLI(t, "long-enough-pw\n", "user", "add", "--email", email, "--password-stdin", "--db", db), 0)
	}
	r = runCLI(t, "", "user", "list", "--json", "--db", db)
	mustCode(t, r, 0)
	var users []userOut
	decodeOne(t, r.stdout, &users)
	var objs []map[string]any
	decodeOne(t, r.stdout, &objs)
	noPasswordFields(t, r.stdout, objs)
	if len(users) != 2 || users[0].Email != "amy@example.com" || users[1].Email != "zed@example.com" {
		t.Errorf("user list --json = %+v, want amy then zed", users)
	}
	for _, u := range users {
		if u.ID == "" || u.Groups == nil {
			t.Errorf("user %+v: want an ID and a groups array", u)
		}
	}

	r = runCLI(t, "", "user", "list", "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "EMAIL") || !strings.Contains(r.stdout, "amy@example.com") || strings.Contains(r.stdout, "$argon2") {
		t.Errorf("user list = %q", r.stdout)
	}
}
