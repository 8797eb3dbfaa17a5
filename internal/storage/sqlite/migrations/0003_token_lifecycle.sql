-- Token lifecycle: client secret rotation and authentication methods,
-- refresh-token rotation, client-assertion replay protection, scheduled
-- signing-key rotation, and indexes for the janitor (DeleteExpired).
-- Optional times are NULL when unset (the zero time.Time); durations are
-- INTEGER microseconds.

ALTER TABLE clients ADD COLUMN previous_secret_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN previous_secret_expires_at INTEGER;
ALTER TABLE clients ADD COLUMN sealed_secret BLOB NOT NULL DEFAULT x'';
ALTER TABLE clients ADD COLUMN auth_method TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN jwks BLOB NOT NULL DEFAULT x'';
ALTER TABLE clients ADD COLUMN jwks_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN resource_server INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN issue_refresh_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN refresh_idle_ttl INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN refresh_absolute_ttl INTEGER NOT NULL DEFAULT 0;

ALTER TABLE tokens ADD COLUMN auth_time INTEGER;        -- NULL for clients
ALTER TABLE tokens ADD COLUMN rotated_at INTEGER;       -- NULL until rotated
ALTER TABLE tokens ADD COLUMN grant_expires_at INTEGER; -- NULL for access tokens

-- Keys created before this migration signed from their creation.
ALTER TABLE signing_keys ADD COLUMN activates_at INTEGER NOT NULL DEFAULT 0;
UPDATE signing_keys SET activates_at = created_at;

-- jti values of client assertions (RFC 7523 §3), per client, until they
-- expire. No foreign key: a row outliving its client is harmless, and a
-- client deleted meanwhile must not turn a replay check into an error.
CREATE TABLE assertion_ids (
	client_id  TEXT NOT NULL,
	jti        TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (client_id, jti)
) STRICT;
CREATE INDEX assertion_ids_expires_at ON assertion_ids (expires_at);

-- ListSessions reads a user's sessions newest first; the new index also
-- serves the foreign key's cascade, so the old one goes.
CREATE INDEX sessions_user_id_created_at ON sessions (user_id, created_at);
DROP INDEX sessions_user_id;

-- The janitor keeps a revoked grant while a code or token of it remains.
CREATE INDEX auth_codes_grant_id ON auth_codes (grant_id);
CREATE INDEX revoked_grants_revoked_at ON revoked_grants (revoked_at);
