package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// TestAuditAppendOnly: the triggers refuse UPDATE, DELETE and TRUNCATE of
// the trail; with them disabled (as a superuser could), a change is
// caught by the hash chain at the changed record.
func TestAuditAppendOnly(t *testing.T) {
	ctx := t.Context()
	s := open(t, pgtest.NewDatabase(t))
	defer s.Close()
	for i := range 4 {
		if _, err := s.AppendAudit(ctx, storage.AuditRecord{Time: time.Now(), Actor: "cli", Action: "user.created", Details: "{}"}); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'x' WHERE seq = 2`,
		`DELETE FROM audit_log WHERE seq = 4`,
		`TRUNCATE audit_log`,
	} {
		if _, err := s.pool.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err %v, want the append-only refusal", q, err)
		}
	}
	if res, err := audit.Verify(ctx, s, nil); err != nil || res.Break != nil || res.Records != 4 {
		t.Fatalf("Verify after refused changes = %+v, %v; want 4 intact records", res, err)
	}
	for _, q := range []string{
		`ALTER TABLE audit_log DISABLE TRIGGER USER`,
		`UPDATE audit_log SET actor = 'x' WHERE seq = 2`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	res, err := audit.Verify(ctx, s, nil)
	if err != nil || res.Break == nil || res.Break.Seq != 2 {
		t.Fatalf("Verify after an UPDATE = %+v, %v; want a break at record 2", res, err)
	}
}
