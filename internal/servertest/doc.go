// Package servertest starts a complete Gatehouse for end-to-end tests, on
// SQLite or PostgreSQL, with a controllable clock and a cookie-keeping
// Browser that fills in and submits the real HTML forms.
package servertest
