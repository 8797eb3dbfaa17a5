// Package server is the composition root: it opens the store, builds the
// services and endpoint handlers, wraps them in the cross-cutting HTTP
// middleware (logging, panic recovery, CORS, health) and runs the
// http.Server with graceful shutdown. It is the only package that knows
// every other one.
package server
