package admin

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestAuditedChanges: every change the service makes is recorded once,
// with the actor from the context and what changed, at the service's
// clock; a change that fails is not recorded.
func TestAuditedChanges(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := audit.WithActor(t.Context(), audit.ActorAdminPrefix+"root")
	u, err := svc.CreateUser(ctx, NewUser{Email: "a@example.com", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.CreateProject(ctx, ProjectInput{Name: "Shop"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateProject(ctx, p.ID, ProjectInput{Name: "Shop 2"}); err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateAPI(ctx, APIInput{ProjectID: p.ID, Name: "Orders", Identifier: "https://orders.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateAPI(ctx, a.ID, APIInput{Name: "Orders", Identifier: "https://orders.example.com/v2"}); err != nil {
		t.Fatal(err)
	}
	c, _, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientService, Name: "Job"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.RotateSecret(ctx, c.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	// Failures: none of these may be recorded.
	if err := svc.DeleteProject(ctx, p.ID); err == nil {
		t.Fatal("DeleteProject of a project with an API succeeded")
	}
	if err := svc.DeleteClient(ctx, "no-such-client"); err == nil {
		t.Fatal("DeleteClient of an unknown client succeeded")
	}
	if _, err := svc.CreateUser(ctx, NewUser{Email: "a@example.com", Password: "long enough password"}); err == nil {
		t.Fatal("CreateUser with a taken email succeeded")
	}
	for _, del := range []func() error{
		func() error { return svc.DeleteClient(ctx, c.ID) },
		func() error { return svc.DeleteAPI(ctx, a.ID) },
		func() error { return svc.DeleteProject(ctx, p.ID) },
	} {
		if err := del(); err != nil {
			t.Fatal(err)
		}
	}

	recs, err := st.ListAudit(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, target string }{
		{audit.UserCreated, u.ID},
		{audit.ProjectCreated, p.ID}, {audit.ProjectUpdated, p.ID},
		{audit.APICreated, a.ID}, {audit.APIUpdated, a.ID},
		{audit.ClientCreated, c.ID}, {audit.ClientSecretRotated, c.ID},
		{audit.ClientDeleted, c.ID}, {audit.APIDeleted, a.ID}, {audit.ProjectDeleted, p.ID},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(recs), len(want), recs)
	}
	for i, w := range want {
		r := recs[i]
		if r.Action != w.action || r.Target != w.target || r.Actor != "admin:root" || !r.Time.Equal(clock.Truncate(time.Microsecond)) {
			t.Errorf("record %d = %s %s by %s at %v; want %s %s by admin:root at the clock", i+1, r.Action, r.Target, r.Actor, r.Time, w.action, w.target)
		}
		if strings.Contains(r.Details, "secret") || strings.Contains(r.Details, "password") {
			t.Errorf("record %d details %s mention a secret", i+1, r.Details)
		}
	}
}
