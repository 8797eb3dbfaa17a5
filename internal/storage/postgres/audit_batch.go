package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const (
	auditHeadQuery   = `SELECT ` + auditColumns + ` FROM audit_log ORDER BY seq DESC LIMIT 1`
	auditInsertQuery = `INSERT INTO audit_log (` + auditColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
)

// AppendAuditBatch adds rs at the head of the trail in one transaction. It
// first takes a transaction-level advisory lock, held until it commits:
// batches and single appends from every replica queue on it, and each
// reads the head only once the one before has committed (at READ
// COMMITTED every statement sees what was committed before it began), so
// the chain stays linear; the records of a batch are chained in order
// inside it. The UNIQUE prev_hash would refuse a fork anyway. The inserts
// go in one pgx batch: one round trip for the whole group.
func (s *Store) AppendAuditBatch(ctx context.Context, rs []storage.AuditRecord) ([]storage.AuditRecord, error) {
	const op = "append audit records"
	for _, r := range rs {
		if err := storage.CheckAuditRecord(r); err != nil {
			return nil, wrap(op, err)
		}
	}
	if len(rs) == 0 {
		return []storage.AuditRecord{}, nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return nil, wrap(op, err)
	}
	var head *storage.AuditRecord
	h, err := scanAudit(tx.QueryRow(ctx, auditHeadQuery))
	switch {
	case err == nil:
		head = &h
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, wrap(op, err)
	}
	out := make([]storage.AuditRecord, len(rs))
	var b pgx.Batch
	for i, r := range rs {
		a := storage.SealAudit(r, head)
		b.Queue(auditInsertQuery,
			a.Seq, a.Time, a.Actor, a.Action, a.UserID, a.ClientID, a.Target, a.RemoteIP, a.Details, a.PrevHash, a.Hash)
		out[i] = a
		head = &out[i]
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, wrap(op, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}
