package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const (
	auditHeadQuery   = `SELECT ` + auditColumns + ` FROM audit_log ORDER BY seq DESC LIMIT 1`
	auditInsertQuery = `INSERT INTO audit_log (` + auditColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// AppendAuditBatch adds rs at the head of the trail in one transaction,
// shared with concurrent writes (combine.go).
// BEGIN IMMEDIATE (see dsn) holds the database's write lock from reading
// the head to the commit, so batches and single appends from any number of
// connections and processes form one linear chain; the records of a batch
// are chained in order inside it.
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
	var out []storage.AuditRecord
	err := s.w.write(ctx, true, func(ctx context.Context, w writer) error {
		var err error
		out, err = appendAudit(ctx, w, rs)
		return err
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// appendAudit chains rs to the head of the trail as w sees it and inserts
// them. w must hold the write lock from the read to the commit: a
// BEGIN IMMEDIATE transaction.
func appendAudit(ctx context.Context, w writer, rs []storage.AuditRecord) ([]storage.AuditRecord, error) {
	var head *storage.AuditRecord
	h, err := scanAudit(w.QueryRowContext(ctx, auditHeadQuery))
	switch {
	case err == nil:
		head = &h
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	out := make([]storage.AuditRecord, len(rs))
	for i, r := range rs {
		a := storage.SealAudit(r, head)
		_, err = w.ExecContext(ctx, auditInsertQuery,
			a.Seq, micros(a.Time), a.Actor, a.Action, a.UserID, a.ClientID, a.Target, a.RemoteIP, a.Details, a.PrevHash, a.Hash)
		if err != nil {
			return nil, err
		}
		out[i] = a
		head = &out[i]
	}
	return out, nil
}
