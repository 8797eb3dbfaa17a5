-- The audit trail (storage.AuditRecord): append-only and hash-chained.
-- seq is assigned by AppendAudit under the write lock, one more than the
-- head's; prev_hash is UNIQUE, so the chain cannot fork even if two
-- appends raced. The triggers refuse UPDATE and DELETE: records are never
-- changed through Gatehouse. (Someone with write access to the file can
-- drop them; the hash chain is what detects that.)

CREATE TABLE audit_log (
	seq       INTEGER NOT NULL PRIMARY KEY,
	time      INTEGER NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	user_id   TEXT NOT NULL,
	client_id TEXT NOT NULL,
	target    TEXT NOT NULL,
	remote_ip TEXT NOT NULL,
	details   TEXT NOT NULL,
	prev_hash TEXT NOT NULL UNIQUE,
	hash      TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
