-- The audit trail (storage.AuditRecord): append-only and hash-chained.
-- seq is assigned by AppendAudit under a transaction-level advisory lock,
-- one more than the head's; prev_hash is UNIQUE, so the chain cannot fork
-- even if two appends raced. details is text, not jsonb: the hash covers
-- its exact bytes, which jsonb would normalize. The trigger refuses
-- UPDATE, DELETE and TRUNCATE: records are never changed through
-- Gatehouse. (A superuser can drop it; the hash chain is what detects that.)

CREATE TABLE audit_log (
	seq       bigint PRIMARY KEY,
	time      timestamptz NOT NULL,
	actor     text NOT NULL,
	action    text NOT NULL,
	user_id   text NOT NULL,
	client_id text NOT NULL,
	target    text NOT NULL,
	remote_ip text NOT NULL,
	details   text NOT NULL,
	prev_hash text NOT NULL UNIQUE,
	hash      text NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
