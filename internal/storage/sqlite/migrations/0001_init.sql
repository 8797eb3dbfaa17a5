-- The initial schema. Times are INTEGER unix microseconds in UTC; string
-- lists are JSON arrays in TEXT columns; booleans are 0 or 1. Children
-- reference clients and users ON DELETE CASCADE, and every referencing
-- column is indexed so that the cascade does not scan the table.

CREATE TABLE users (
	id            TEXT NOT NULL PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE, -- lower-cased by the store
	name          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	group_names   TEXT NOT NULL,
	admin         INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE clients (
	id                        TEXT NOT NULL PRIMARY KEY,
	name                      TEXT NOT NULL,
	type                      TEXT NOT NULL,
	secret_hash               TEXT NOT NULL,
	redirect_uris             TEXT NOT NULL,
	redirect_uri_patterns     TEXT NOT NULL,
	default_redirect_uri      TEXT NOT NULL,
	post_logout_redirect_uris TEXT NOT NULL,
	scopes                    TEXT NOT NULL,
	pkce_optional             INTEGER NOT NULL,
	allow_plain_pkce          INTEGER NOT NULL,
	id_token_alg              TEXT NOT NULL,
	created_at                INTEGER NOT NULL,
	updated_at                INTEGER NOT NULL
) STRICT;
CREATE INDEX clients_created_at_id ON clients (created_at, id);

CREATE TABLE sessions (
	id         TEXT NOT NULL PRIMARY KEY, -- hash of the cookie value
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	auth_time  INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE consents (
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	scopes     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, client_id)
) STRICT;
CREATE INDEX consents_client_id ON consents (client_id);

CREATE TABLE auth_codes (
	hash                  TEXT NOT NULL PRIMARY KEY,
	grant_id              TEXT NOT NULL,
	client_id             TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	session_id            TEXT NOT NULL,
	redirect_uri          TEXT NOT NULL,
	scopes                TEXT NOT NULL,
	nonce                 TEXT NOT NULL,
	code_challenge        TEXT NOT NULL,
	code_challenge_method TEXT NOT NULL,
	auth_time             INTEGER NOT NULL,
	created_at            INTEGER NOT NULL,
	expires_at            INTEGER NOT NULL,
	consumed_at           INTEGER -- NULL until ConsumeAuthCode
) STRICT;
CREATE INDEX auth_codes_client_id ON auth_codes (client_id);
CREATE INDEX auth_codes_user_id ON auth_codes (user_id);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);

CREATE TABLE tokens (
	id         TEXT NOT NULL PRIMARY KEY, -- jti, or hash of a refresh token
	kind       TEXT NOT NULL,
	grant_id   TEXT NOT NULL,
	client_id  TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	user_id    TEXT REFERENCES users (id) ON DELETE CASCADE, -- NULL for client credentials
	scopes     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;
CREATE INDEX tokens_grant_id ON tokens (grant_id);
CREATE INDEX tokens_client_id ON tokens (client_id);
CREATE INDEX tokens_user_id ON tokens (user_id);
CREATE INDEX tokens_expires_at ON tokens (expires_at);

CREATE TABLE signing_keys (
	id          TEXT NOT NULL PRIMARY KEY, -- the JWK kid
	alg         TEXT NOT NULL,
	public_jwk  BLOB NOT NULL,
	private_key BLOB NOT NULL, -- encrypted with the master secret
	created_at  INTEGER NOT NULL,
	not_after   INTEGER NOT NULL
) STRICT;
CREATE INDEX signing_keys_created_at_id ON signing_keys (created_at, id);
