package admin

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestAuditedUserAndClientUpdates: the changes added with the console —
// client and user updates, deletions, password resets, group membership
// and key rotation — are each recorded once with the context's actor,
// and failed ones not at all. Key IDs are random, so key records are
// checked by action and actor only.
func TestAuditedUserAndClientUpdates(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := audit.WithActor(t.Context(), audit.ActorAdminPrefix+"root")
	root, err := svc.CreateUser(ctx, NewUser{Email: "root@example.com", Password: "long enough password", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, NewUser{Email: "a@example.com", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientSPA, Name: "App", RedirectURIs: []string{"https://app.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewRing(st, []byte(strings.Repeat("k", 32)), keys.Options{Period: 24 * time.Hour, Audit: audit.New(st, audit.Options{Now: svc.now})})
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := st.ListAudit(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	in := ClientInput(c)
	in.Name = "App 2"
	name, admin, groups := "Ann", true, []string{"ops"}
	steps := []struct {
		name string
		do   func() error
	}{
		{"update client", func() error { _, err := svc.UpdateClient(ctx, c.ID, in); return err }},
		{"update user", func() error {
			_, err := svc.UpdateUser(ctx, u.ID, UserUpdate{Name: &name, Admin: &admin, Groups: &groups})
			return err
		}},
		{"add to group", func() error { _, err := svc.AddToGroup(ctx, "dev", u.ID); return err }},
		{"remove from group", func() error { _, err := svc.RemoveFromGroup(ctx, "ops", u.ID); return err }},
		{"set password", func() error { return svc.SetPassword(ctx, u.ID, "another long password") }},
		{"rotate keys", func() error { _, err := svc.WithKeys(ring).RotateKeys(ctx, keys.ES256); return err }},
		{"delete user", func() error { return svc.DeleteUser(ctx, u.ID) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	// Failures, none of which may be recorded.
	if _, err := svc.UpdateUser(ctx, "no-such-user", UserUpdate{Name: &name}); err == nil {
		t.Error("UpdateUser of an unknown user succeeded")
	}
	if err := svc.SetPassword(ctx, root.ID, "short"); err == nil {
		t.Error("SetPassword with a short password succeeded")
	}
	if err := svc.DeleteUser(ctx, root.ID); err == nil {
		t.Error("DeleteUser of the last administrator succeeded")
	}
	if _, err := svc.RemoveFromGroup(ctx, "nobody-here", root.ID); err == nil {
		t.Error("RemoveFromGroup of a non-member succeeded")
	}
	if _, err := svc.AddToGroup(ctx, "dev", "no-such-user"); err == nil {
		t.Error("AddToGroup of an unknown user succeeded")
	}

	recs, err := st.ListAudit(t.Context(), first[len(first)-1].Seq, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, target string }{
		{audit.ClientUpdated, c.ID},
		{audit.UserUpdated, u.ID},
		{audit.GroupMemberAdded, "dev"},
		{audit.GroupMemberRemoved, "ops"},
		{audit.UserPasswordSet, u.ID},
		// The ring records the rotation itself (keys/maintain.go), with
		// the new next key it publishes; RotateKeys adds no duplicate.
		{audit.KeyCreated, ""}, {audit.KeyRotated, ""},
		{audit.UserDeleted, u.ID},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(recs), len(want), recs)
	}
	for i, w := range want {
		r := recs[i]
		if r.Action != w.action || (w.target != "" && r.Target != w.target) || r.Actor != "admin:root" {
			t.Errorf("record %d = %s %s by %s; want %s %s by admin:root", i+1, r.Action, r.Target, r.Actor, w.action, w.target)
		}
		if strings.Contains(r.Details, "password\"") || strings.Contains(r.Details, "secret") {
			t.Errorf("record %d details %s mention a secret", i+1, r.Details)
		}
	}
	if r := recs[2]; r.UserID != u.ID {
		t.Errorf("group.member_added names user %q, want %q", r.UserID, u.ID)
	}
	if r := recs[1]; !strings.Contains(r.Details, `"admin":true`) || !strings.Contains(r.Details, "ops") {
		t.Errorf("user.updated details %s do not say what changed", r.Details)
	}
}
