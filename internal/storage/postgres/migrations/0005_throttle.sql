-- Brute-force protection: one counter of recent failures per throttle key
-- (login account hash, client IP, client_id), shared by every replica. The
-- janitor deletes a row from its expires_at on.

CREATE TABLE throttle_failures (
	key          text COLLATE "C" PRIMARY KEY,
	failures     integer NOT NULL,
	last_failure timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL
);
CREATE INDEX throttle_failures_expires_at ON throttle_failures (expires_at);
