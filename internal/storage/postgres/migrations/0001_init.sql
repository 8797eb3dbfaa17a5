-- The initial schema. Children reference clients and users ON DELETE
-- CASCADE, and every referencing column is indexed so that the cascade does
-- not scan the table. Columns that lists are ordered by use COLLATE "C"
-- (byte order), as SQLite does, whatever the database's locale.

CREATE TABLE users (
	id            text PRIMARY KEY,
	email         text COLLATE "C" NOT NULL UNIQUE, -- lower-cased by the store
	name          text NOT NULL,
	password_hash text NOT NULL,
	group_names   text[] NOT NULL,
	admin         boolean NOT NULL,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL
);

CREATE TABLE clients (
	id                        text COLLATE "C" PRIMARY KEY,
	name                      text NOT NULL,
	type                      text NOT NULL,
	secret_hash               text NOT NULL,
	redirect_uris             text[] NOT NULL,
	redirect_uri_patterns     text[] NOT NULL,
	default_redirect_uri      text NOT NULL,
	post_logout_redirect_uris text[] NOT NULL,
	scopes                    text[] NOT NULL,
	pkce_optional             boolean NOT NULL,
	allow_plain_pkce          boolean NOT NULL,
	id_token_alg              text NOT NULL,
	created_at                timestamptz NOT NULL,
	updated_at                timestamptz NOT NULL
);
CREATE INDEX clients_created_at_id ON clients (created_at, id);

CREATE TABLE sessions (
	id         text PRIMARY KEY, -- hash of the cookie value
	user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	auth_time  timestamptz NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE consents (
	user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	client_id  text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	scopes     text[] NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (user_id, client_id)
);
CREATE INDEX consents_client_id ON consents (client_id);

CREATE TABLE auth_codes (
	hash                  text PRIMARY KEY,
	grant_id              text NOT NULL,
	client_id             text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	user_id               text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	session_id            text NOT NULL,
	redirect_uri          text NOT NULL,
	scopes                text[] NOT NULL,
	nonce                 text NOT NULL,
	code_challenge        text NOT NULL,
	code_challenge_method text NOT NULL,
	auth_time             timestamptz NOT NULL,
	created_at            timestamptz NOT NULL,
	expires_at            timestamptz NOT NULL,
	consumed_at           timestamptz -- NULL until ConsumeAuthCode
);
CREATE INDEX auth_codes_client_id ON auth_codes (client_id);
CREATE INDEX auth_codes_user_id ON auth_codes (user_id);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);

CREATE TABLE tokens (
	id         text PRIMARY KEY, -- jti, or hash of a refresh token
	kind       text NOT NULL,
	grant_id   text NOT NULL,
	client_id  text NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
	user_id    text REFERENCES users (id) ON DELETE CASCADE, -- NULL for client credentials
	scopes     text[] NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	revoked_at timestamptz
);
CREATE INDEX tokens_grant_id ON tokens (grant_id);
CREATE INDEX tokens_client_id ON tokens (client_id);
CREATE INDEX tokens_user_id ON tokens (user_id);
CREATE INDEX tokens_expires_at ON tokens (expires_at);

CREATE TABLE signing_keys (
	id          text COLLATE "C" PRIMARY KEY, -- the JWK kid
	alg         text NOT NULL,
	public_jwk  bytea NOT NULL,
	private_key bytea NOT NULL, -- encrypted with the master secret
	created_at  timestamptz NOT NULL,
	not_after   timestamptz NOT NULL
);
CREATE INDEX signing_keys_created_at_id ON signing_keys (created_at, id);
