package storage

import "context"

// AuditBatchStore appends several audit records in one transaction, so
// that a busy server pays one commit (and, on PostgreSQL, one wait for the
// trail's lock) for many records: see audit.Recorder's group commit.
type AuditBatchStore interface {
	// AppendAuditBatch appends rs at the head of the trail, in order and
	// consecutively, each chained to the one before, as len(rs) calls of
	// AppendAudit holding the append lock throughout would, and returns
	// them as stored. It is all or nothing: when one record cannot be
	// stored (CheckAuditRecord) or the commit fails, none is. An empty rs
	// appends nothing and returns an empty slice.
	AppendAuditBatch(ctx context.Context, rs []AuditRecord) ([]AuditRecord, error)
}
