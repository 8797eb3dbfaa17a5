-- Grants revoked as a whole (a replayed authorization code, later a reused
-- refresh token). CreateToken checks it, so a token issued while its grant
-- is being revoked is revoked too.
CREATE TABLE revoked_grants (
	grant_id   text COLLATE "C" NOT NULL PRIMARY KEY,
	revoked_at timestamptz NOT NULL
);
