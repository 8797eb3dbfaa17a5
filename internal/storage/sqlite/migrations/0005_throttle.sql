-- Brute-force protection: one counter of recent failures per throttle key
-- (login account hash, client IP, client_id), shared by every process on
-- the database. Times are unix microseconds; the janitor deletes a row from
-- its expires_at on.

CREATE TABLE throttle_failures (
	key          TEXT NOT NULL PRIMARY KEY,
	failures     INTEGER NOT NULL,
	last_failure INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX throttle_failures_expires_at ON throttle_failures (expires_at);
