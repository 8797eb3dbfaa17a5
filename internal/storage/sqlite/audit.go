package sqlite

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const auditColumns = `seq, time, actor, action, user_id, client_id, target, remote_ip, details, prev_hash, hash`

func scanAudit(r row) (storage.AuditRecord, error) {
	var a storage.AuditRecord
	err := r.Scan(&a.Seq, microTime{&a.Time}, &a.Actor, &a.Action, &a.UserID, &a.ClientID,
		&a.Target, &a.RemoteIP, &a.Details, &a.PrevHash, &a.Hash)
	return a, err
}

// AppendAudit adds r at the head of the trail: a batch of one (see
// AppendAuditBatch for how appends are serialized).
func (s *Store) AppendAudit(ctx context.Context, r storage.AuditRecord) (storage.AuditRecord, error) {
	out, err := s.AppendAuditBatch(ctx, []storage.AuditRecord{r})
	if err != nil {
		return storage.AuditRecord{}, err
	}
	return out[0], nil
}

// ListAudit returns at most limit records after the given sequence number.
func (s *Store) ListAudit(ctx context.Context, after int64, limit int) ([]storage.AuditRecord, error) {
	if limit < 1 {
		return []storage.AuditRecord{}, nil
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT `+auditColumns+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, wrap("list audit records", err)
	}
	return collect(rows, "list audit records", scanAudit)
}
