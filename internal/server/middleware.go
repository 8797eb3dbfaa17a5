package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/metrics"
)

// statusWriter is a ResponseWriter that remembers the status written so
// far (0 before any): metrics.StatusRecorder, which observe uses instead
// of wrapping the writer again when the metrics middleware made one.
type statusWriter interface {
	http.ResponseWriter
	Status() int
}

// observe logs each request and turns a panic into a 500 with a request ID,
// so one bad request never takes the process down. Only the path is logged:
// queries carry codes and state.
func observe(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec, ok := w.(statusWriter)
		if !ok {
			rec = &metrics.StatusRecorder{ResponseWriter: w}
		}
		reqID := newRequestID()
		h := w.Header()
		h.Set("X-Request-Id", reqID)
		h.Set("X-Content-Type-Options", "nosniff")
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving request", "request_id", reqID, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.Status() == 0 {
					// Drop what the handler set before it panicked (a
					// cookie, say): the 500 carries nothing of it.
					clear(rec.Header())
					rec.Header().Set("X-Request-Id", reqID)
					rec.Header().Set("Cache-Control", "no-store")
					http.Error(rec, "internal server error (request "+reqID+")", http.StatusInternalServerError)
				}
			}
			// Checked first: building the attributes costs allocations on
			// every request even when the line is dropped.
			if log.Enabled(context.Background(), slog.LevelDebug) {
				log.Debug("request", "request_id", reqID, "method", r.Method, "path", r.URL.Path,
					"status", rec.Status(), "duration", time.Since(start))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// requestIDAlphabet is lowercase base32 (RFC 4648 letters and digits), the
// alphabet of secret.NewID, whose first 12 characters request IDs were.
const requestIDAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// newRequestID returns 12 random characters (60 bits) from
// requestIDAlphabet: the same IDs as secret.NewID()[:12], without
// drawing, encoding and lowercasing the 26 characters it throws away.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	var id [12]byte
	for i := range id {
		id[i] = requestIDAlphabet[v&31]
		v >>= 5
	}
	return string(id[:])
}
