package server

import (
	"context"

	"github.com/gatehouse-dev/gatehouse/internal/janitor"
)

// startJanitor deletes expired rows in the background every
// --janitor-interval (none when it is 0) until ctx ends or the returned
// stop is called; stop waits for it, so the store outlives it.
func (s *Server) startJanitor(ctx context.Context) (stop func()) {
	if s.cfg.JanitorInterval <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		janitor.Run(ctx, s.store, janitor.Options{Interval: s.cfg.JanitorInterval, Now: s.now, Log: s.log})
	}()
	return func() { cancel(); <-done }
}
