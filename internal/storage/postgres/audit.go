package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const auditColumns = `seq, time, actor, action, user_id, client_id, target, remote_ip, details, prev_hash, hash`

// auditLockKey names the audit trail's append lock among the database's
// advisory locks (the ASCII of "gh-audit"); nothing else may take it.
const auditLockKey int64 = 0x67682d6175646974

func scanAudit(r pgx.Row) (storage.AuditRecord, error) {
	var a storage.AuditRecord
	err := r.Scan(&a.Seq, &a.Time, &a.Actor, &a.Action, &a.UserID, &a.ClientID,
		&a.Target, &a.RemoteIP, &a.Details, &a.PrevHash, &a.Hash)
	return a, err
}

// AppendAudit adds r at the head of the trail. The transaction first takes
// a transaction-level advisory lock, held until it commits: appends from
// every replica queue on it, and each reads the head only once the one
// before has committed (at READ COMMITTED every statement sees what was
// committed before it began), so the chain stays linear. The UNIQUE
// prev_hash would refuse a fork anyway.
func (s *Store) AppendAudit(ctx context.Context, r storage.AuditRecord) (storage.AuditRecord, error) {
	const op = "append audit record"
	if err := storage.CheckAuditRecord(r); err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	var head *storage.AuditRecord
	h, err := scanAudit(tx.QueryRow(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`))
	switch {
	case err == nil:
		head = &h
	case !errors.Is(err, pgx.ErrNoRows):
		return storage.AuditRecord{}, wrap(op, err)
	}
	a := storage.SealAudit(r, head)
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.Seq, a.Time, a.Actor, a.Action, a.UserID, a.ClientID, a.Target, a.RemoteIP, a.Details, a.PrevHash, a.Hash)
	if err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	return a, nil
}

// ListAudit returns at most limit records after the given sequence number.
func (s *Store) ListAudit(ctx context.Context, after int64, limit int) ([]storage.AuditRecord, error) {
	if limit < 1 {
		return []storage.AuditRecord{}, nil
	}
	rows, err := s.pool.Query(ctx,
		`SELECT `+auditColumns+` FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, wrap("list audit records", err)
	}
	return collect(rows, "list audit records", scanAudit)
}
