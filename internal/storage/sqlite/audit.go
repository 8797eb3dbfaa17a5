package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const auditColumns = `seq, time, actor, action, user_id, client_id, target, remote_ip, details, prev_hash, hash`

func scanAudit(r row) (storage.AuditRecord, error) {
	var a storage.AuditRecord
	err := r.Scan(&a.Seq, microTime{&a.Time}, &a.Actor, &a.Action, &a.UserID, &a.ClientID,
		&a.Target, &a.RemoteIP, &a.Details, &a.PrevHash, &a.Hash)
	return a, err
}

// AppendAudit adds r at the head of the trail. The transaction is BEGIN
// IMMEDIATE (see dsn): it holds the database's write lock from reading the
// head to inserting after it, so appends from any number of connections
// and processes form one linear chain.
func (s *Store) AppendAudit(ctx context.Context, r storage.AuditRecord) (storage.AuditRecord, error) {
	const op = "append audit record"
	if err := storage.CheckAuditRecord(r); err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	defer tx.Rollback()
	var head *storage.AuditRecord
	h, err := scanAudit(tx.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`))
	switch {
	case err == nil:
		head = &h
	case !errors.Is(err, sql.ErrNoRows):
		return storage.AuditRecord{}, wrap(op, err)
	}
	a := storage.SealAudit(r, head)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Seq, micros(a.Time), a.Actor, a.Action, a.UserID, a.ClientID, a.Target, a.RemoteIP, a.Details, a.PrevHash, a.Hash)
	if err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return storage.AuditRecord{}, wrap(op, err)
	}
	return a, nil
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
