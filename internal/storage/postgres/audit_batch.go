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
// inside it. The UNIQUE prev_hash would refuse a fork anyway.
//
// It costs two round trips, which matters because the lock is held across
// them: BEGIN, the lock and the head read go in one pgx batch (the read is
// a statement of its own, after the lock's, so its snapshot is taken once
// the lock is held), and the inserts and COMMIT in another.
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
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, wrap(op, err)
	}
	defer c.Release()
	out, err := appendAudit(ctx, c.Conn(), rs)
	if c.Conn().PgConn().TxStatus() != 'I' {
		// If this fails too, Release closes the connection, which
		// rolls back.
		_, _ = c.Exec(ctx, "ROLLBACK")
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// appendAudit is AppendAuditBatch on conn; it may leave a transaction
// open when it fails.
func appendAudit(ctx context.Context, conn *pgx.Conn, rs []storage.AuditRecord) ([]storage.AuditRecord, error) {
	var b pgx.Batch
	b.Queue("BEGIN")
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, auditLockKey)
	b.Queue(auditHeadQuery)
	br := conn.SendBatch(ctx, &b)
	var head *storage.AuditRecord
	err := func() error {
		for range 2 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		h, err := scanAudit(br.QueryRow())
		switch {
		case err == nil:
			head = &h
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		return nil
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}

	out := make([]storage.AuditRecord, len(rs))
	b = pgx.Batch{}
	for i, r := range rs {
		a := storage.SealAudit(r, head)
		b.Queue(auditInsertQuery,
			a.Seq, a.Time, a.Actor, a.Action, a.UserID, a.ClientID, a.Target, a.RemoteIP, a.Details, a.PrevHash, a.Hash)
		out[i] = a
		head = &out[i]
	}
	b.Queue("COMMIT")
	if err := conn.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	return out, nil
}
