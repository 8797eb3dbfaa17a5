package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
)

// addUserCLI runs `user add --json` with password pw and extra flags.
func addUserCLI(t *testing.T, db, email, pw string, args ...string) userOut {
	t.Helper()
	r := runCLI(t, pw+"\n", append([]string{"user", "add", "--db", db, "--json", "--email", email, "--password-stdin"}, args...)...)
	mustCode(t, r, 0)
	var u userOut
	decodeOne(t, r.stdout, &u)
	return u
}

// groupOut is a group as --json prints it.
type groupOut struct {
	Name    string `json:"name"`
	Members []struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	} `json:"members"`
}

func TestUserShowUpdateDelete(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	root := addUserCLI(t, db, "root@example.com", "root password 1", "--admin")
	ann := addUserCLI(t, db, "ann@example.com", "ann password 1", "--name", "Ann", "--group", "dev")

	r := runCLI(t, "", "user", "show", ann.ID, "--db", db, "--json")
	mustCode(t, r, 0)
	var shown userOut
	decodeOne(t, r.stdout, &shown)
	if !strings.EqualFold(shown.Email, "ann@example.com") || shown.Name != "Ann" || !slices.Equal(shown.Groups, []string{"dev"}) || shown.Admin {
		t.Errorf("user show --json = %+v", shown)
	}
	noPasswordFields(t, r.stdout, nil)
	r = runCLI(t, "", "user", "show", "--db", db, ann.ID)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "ann@example.com") || !strings.Contains(r.stdout, "dev") {
		t.Errorf("user show = %q", r.stdout)
	}

	steps := []struct {
		name  string
		args  []string
		check func(u userOut) bool
	}{
		{"name", []string{"--name", "Ann B"}, func(u userOut) bool {
			return u.Name == "Ann B" && slices.Equal(u.Groups, []string{"dev"}) && !u.Admin
		}},
		{"groups replaced", []string{"--group", "ops", "--group", "sre"}, func(u userOut) bool {
			return slices.Equal(u.Groups, []string{"ops", "sre"}) && u.Name == "Ann B"
		}},
		{"admin", []string{"--admin"}, func(u userOut) bool { return u.Admin && slices.Equal(u.Groups, []string{"ops", "sre"}) }},
		{"groups emptied", []string{"--group", ""}, func(u userOut) bool { return len(u.Groups) == 0 && u.Admin }},
		{"no admin", []string{"--no-admin"}, func(u userOut) bool { return !u.Admin }},
	}
	for _, s := range steps {
		r := runCLI(t, "", append([]string{"user", "update", ann.ID, "--db", db, "--json"}, s.args...)...)
		mustCode(t, r, 0)
		var u userOut
		decodeOne(t, r.stdout, &u)
		if u.ID != ann.ID || !s.check(u) {
			t.Errorf("user update %s: %+v", s.name, u)
		}
	}
	if rec := lastAuditOf(t, db); rec.Action != audit.UserUpdated || rec.Actor != audit.ActorCLI || rec.Target != ann.ID {
		t.Errorf("last audit record %s %s by %s, want user.updated of ann by cli", rec.Action, rec.Target, rec.Actor)
	}

	// The last administrator can be neither demoted nor deleted (exit 1).
	for _, args := range [][]string{{"update", root.ID, "--no-admin"}, {"delete", root.ID}} {
		r := runCLI(t, "", append([]string{"user"}, append(args, "--db", db)...)...)
		mustCode(t, r, 1)
		if !strings.Contains(r.stderr, "last administrator") {
			t.Errorf("user %s of the last admin: stderr %q", args[0], r.stderr)
		}
	}
	r = runCLI(t, "", "user", "delete", ann.ID, "--db", db, "--json")
	mustCode(t, r, 0)
	var deleted map[string]any
	decodeOne(t, r.stdout, &deleted)
	if deleted["id"] != ann.ID || deleted["deleted"] != true {
		t.Errorf("user delete --json = %v", deleted)
	}
	for _, args := range [][]string{{"show", ann.ID}, {"delete", ann.ID}, {"update", ann.ID, "--name", "X"}} {
		r := runCLI(t, "", append([]string{"user"}, append(args, "--db", db)...)...)
		mustCode(t, r, 1)
		if !strings.Contains(r.stderr, "no user with ID") {
			t.Errorf("user %s of a deleted user: stderr %q", args[0], r.stderr)
		}
	}
}

func TestUserPasswd(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	u := addUserCLI(t, db, "bob@example.com", "first password")
	r := runCLI(t, "second password\r\n", "user", "passwd", u.ID, "--password-stdin", "--db", db)
	mustCode(t, r, 0)
	if strings.Contains(r.stdout, "second password") || strings.Contains(r.stderr, "second password") {
		t.Error("user passwd printed the password")
	}
	stored, err := openStore(t, db).GetUser(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := secret.CheckPassword(stored.PasswordHash, "second password"); !ok {
		t.Error("the new password does not verify")
	}
	if rec := lastAuditOf(t, db); rec.Action != audit.UserPasswordSet || rec.Actor != audit.ActorCLI || strings.Contains(rec.Details, "second") {
		t.Errorf("last audit record %s by %s (%s), want user.password_set by cli without the password", rec.Action, rec.Actor, rec.Details)
	}
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"without --password-stdin", "x\n", []string{u.ID}, 2, "--password-stdin is required"},
		{"empty stdin", "", []string{u.ID, "--password-stdin"}, 2, "no password on standard input"},
		{"short password", "short\n", []string{u.ID, "--password-stdin"}, 2, "--password-stdin:"},
		{"without ID", "long password\n", []string{"--password-stdin"}, 2, "give the ID"},
		{"unknown user", "long password\n", []string{"nope", "--password-stdin"}, 1, `no user with ID "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, append([]string{"user", "passwd", "--db", db}, tt.args...)...)
			mustCode(t, r, tt.code)
			if !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q; want nothing and %q", r.stdout, r.stderr, tt.want)
			}
		})
	}
	stored, _ = openStore(t, db).GetUser(t.Context(), u.ID)
	if ok, _ := secret.CheckPassword(stored.PasswordHash, "second password"); !ok {
		t.Error("a refused passwd changed the password")
	}
}

func TestGroupCommands(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	ann := addUserCLI(t, db, "ann@example.com", "ann password 1", "--group", "dev")
	bob := addUserCLI(t, db, "bob@example.com", "bob password 1")

	r := runCLI(t, "", "group", "add", "dev", bob.ID, "--db", db, "--json")
	mustCode(t, r, 0)
	var u userOut
	decodeOne(t, r.stdout, &u)
	if u.ID != bob.ID || !slices.Equal(u.Groups, []string{"dev"}) {
		t.Errorf("group add --json = %+v", u)
	}
	if rec := lastAuditOf(t, db); rec.Action != audit.GroupMemberAdded || rec.Target != "dev" || rec.UserID != bob.ID || rec.Actor != audit.ActorCLI {
		t.Errorf("last audit record %s %s of %s by %s, want group.member_added dev of bob by cli", rec.Action, rec.Target, rec.UserID, rec.Actor)
	}
	mustCode(t, runCLI(t, "", "group", "add", "--db", db, "ops", ann.ID), 0)

	r = runCLI(t, "", "group", "list", "--db", db, "--json")
	mustCode(t, r, 0)
	var groups []groupOut
	decodeOne(t, r.stdout, &groups)
	if len(groups) != 2 || groups[0].Name != "dev" || len(groups[0].Members) != 2 || groups[1].Name != "ops" || groups[1].Members[0].ID != ann.ID {
		t.Errorf("group list --json = %+v", groups)
	}
	r = runCLI(t, "", "group", "list", "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "dev") || !strings.Contains(r.stdout, "bob@example.com") {
		t.Errorf("group list = %q", r.stdout)
	}
	r = runCLI(t, "", "group", "show", "dev", "--db", db, "--json")
	mustCode(t, r, 0)
	var dev groupOut
	decodeOne(t, r.stdout, &dev)
	if dev.Name != "dev" || len(dev.Members) != 2 {
		t.Errorf("group show --json = %+v", dev)
	}

	r = runCLI(t, "", "group", "remove", "ops", ann.ID, "--db", db)
	mustCode(t, r, 0)
	if !strings.Contains(r.stdout, "Removed ann@example.com") {
		t.Errorf("group remove = %q", r.stdout)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{}, 2, "missing subcommand"},
		{"unknown subcommand", []string{"rename"}, 2, `unknown subcommand "rename"`},
		{"show without name", []string{"show"}, 2, "give the NAME"},
		{"add without user", []string{"add", "dev"}, 2, "give the USER_ID"},
		{"add three arguments", []string{"add", "dev", bob.ID, "more"}, 2, `unexpected argument "more"`},
		{"list with argument", []string{"list", "dev"}, 2, `unexpected argument "dev"`},
		{"bad group name", []string{"add", "a\tb", bob.ID}, 2, "group name"},
		{"add unknown user", []string{"add", "dev", "nope"}, 1, `no user with ID "nope"`},
		{"remove non-member", []string{"remove", "ops", bob.ID}, 1, "is not in group"},
		{"remove unknown user", []string{"remove", "dev", "nope"}, 1, `no user with ID "nope"`},
		{"show empty group", []string{"show", "ops"}, 1, `no user is in group "ops"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"group"}, tt.args...)
			if len(tt.args) > 0 {
				args = append(args, "--db", db)
			}
			r := runCLI(t, "", args...)
			mustCode(t, r, tt.code)
			if !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q; want nothing and %q", r.stdout, r.stderr, tt.want)
			}
		})
	}
	if g, err := openStore(t, db).GetUser(t.Context(), bob.ID); err != nil || !slices.Equal(g.Groups, []string{"dev"}) {
		t.Errorf("bob's groups after refusals: %v, %v", g.Groups, err)
	}
}

func TestUserUpdateBadUsage(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	u := addUserCLI(t, db, "ann@example.com", "ann password 1", "--name", "Ann")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing to change", []string{u.ID}, "nothing to change"},
		{"admin and no-admin", []string{u.ID, "--admin", "--no-admin"}, "not both"},
		{"bad name", []string{u.ID, "--name", "a\x01b"}, "--name:"},
		{"bad group", []string{u.ID, "--group", strings.Repeat("g", 101)}, "--group:"},
		{"email not changeable", []string{u.ID, "--email", "x@example.com"}, "-email"},
		{"without ID", []string{"--name", "X"}, "give the ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"user", "update", "--db", db}, tt.args...)...)
			mustCode(t, r, 2)
			if !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("stdout %q, stderr %q; want nothing and %q", r.stdout, r.stderr, tt.want)
			}
		})
	}
	if got, err := openStore(t, db).GetUser(t.Context(), u.ID); err != nil || got.Name != "Ann" || len(got.Groups) != 0 {
		t.Errorf("user after refused updates: %+v, %v", got, err)
	}
}
