// Package proctest holds the tests that run real gatehouse processes, as
// an operator would (issue 6 §3 and §4): several replicas on one
// PostgreSQL database with no sticky routing, and a server killed with
// SIGKILL under load and restarted on the same database, on SQLite and
// PostgreSQL. TestMain builds the binary once; the package has no
// non-test code beyond this comment.
package proctest
