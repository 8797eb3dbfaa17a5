-- Token lifecycle: client secret rotation and authentication methods,
-- refresh-token rotation, client-assertion replay protection, scheduled
-- signing-key rotation, and indexes for the janitor (DeleteExpired).
-- Optional times are NULL when unset (the zero time.Time); durations are
-- bigint microseconds.

ALTER TABLE clients
	ADD COLUMN previous_secret_hash       text NOT NULL DEFAULT '',
	ADD COLUMN previous_secret_expires_at timestamptz,
	ADD COLUMN sealed_secret              bytea NOT NULL DEFAULT '',
	ADD COLUMN auth_method                text NOT NULL DEFAULT '',
	ADD COLUMN jwks                       bytea NOT NULL DEFAULT '',
	ADD COLUMN jwks_uri                   text NOT NULL DEFAULT '',
	ADD COLUMN resource_server            boolean NOT NULL DEFAULT false,
	ADD COLUMN issue_refresh_tokens       boolean NOT NULL DEFAULT false,
	ADD COLUMN refresh_idle_ttl           bigint NOT NULL DEFAULT 0,
	ADD COLUMN refresh_absolute_ttl       bigint NOT NULL DEFAULT 0;

ALTER TABLE tokens
	ADD COLUMN auth_time        timestamptz, -- NULL for clients
	ADD COLUMN rotated_at       timestamptz, -- NULL until rotated
	ADD COLUMN grant_expires_at timestamptz; -- NULL for access tokens

-- Keys created before this migration signed from their creation.
ALTER TABLE signing_keys ADD COLUMN activates_at timestamptz;
UPDATE signing_keys SET activates_at = created_at;
ALTER TABLE signing_keys ALTER COLUMN activates_at SET NOT NULL;

-- jti values of client assertions (RFC 7523 §3), per client, until they
-- expire. No foreign key: a row outliving its client is harmless, and a
-- client deleted meanwhile must not turn a replay check into an error.
CREATE TABLE assertion_ids (
	client_id  text COLLATE "C" NOT NULL,
	jti        text COLLATE "C" NOT NULL,
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (client_id, jti)
);
CREATE INDEX assertion_ids_expires_at ON assertion_ids (expires_at);

-- ListSessions reads a user's sessions newest first; the new index also
-- serves the foreign key's cascade, so the old one goes.
CREATE INDEX sessions_user_id_created_at ON sessions (user_id, created_at);
DROP INDEX sessions_user_id;

-- The janitor keeps a revoked grant while a code or token of it remains.
CREATE INDEX auth_codes_grant_id ON auth_codes (grant_id);
CREATE INDEX revoked_grants_revoked_at ON revoked_grants (revoked_at);
