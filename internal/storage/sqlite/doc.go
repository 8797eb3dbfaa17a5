// Package sqlite implements storage.Store on an SQLite database file, using
// the pure-Go driver modernc.org/sqlite, for single-node deployments and
// development.
//
// Every pooled connection runs in WAL mode with foreign keys enforced, a busy
// timeout and synchronous=NORMAL, and starts its transactions with BEGIN
// IMMEDIATE, so that writers from many goroutines, and from other processes
// such as the gatehouse CLI, wait for each other instead of failing with
// SQLITE_BUSY. Times are stored as INTEGER unix microseconds (UTC), optional
// times (zero meaning unset) as NULL, durations as INTEGER microseconds,
// string lists as JSON arrays in TEXT columns. The schema lives in the
// embedded migrations/*.sql files, applied by Migrate.
//
// SQLite could store any key, but UseAssertionID refuses a client_id or jti
// holding NUL or invalid UTF-8 with ErrAlreadyExists, as the PostgreSQL
// backend must, so that both backends answer alike.
package sqlite
