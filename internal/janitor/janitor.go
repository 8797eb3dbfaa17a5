package janitor

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Defaults for Options.
const (
	DefaultInterval = 10 * time.Minute
	DefaultBatch    = 500
	DefaultPause    = 50 * time.Millisecond
)

// Store is the part of storage.Store the janitor uses.
type Store interface {
	// DeleteExpired removes at most limit expired rows of each kind and
	// reports how many it removed.
	DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error)
}

// Options configure Run; zero values mean the defaults.
type Options struct {
	Interval time.Duration // between sweeps
	Batch    int           // rows of each kind per DeleteExpired call
	Pause    time.Duration // between batches of one sweep
	Now      func() time.Time
	Log      *slog.Logger // nil discards
}

func (o *Options) fill() {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Pause <= 0 {
		o.Pause = DefaultPause
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Run sweeps at once and then every o.Interval until ctx ends. A failed
// sweep is logged and retried at the next interval.
func Run(ctx context.Context, store Store, o Options) {
	o.fill()
	t := time.NewTicker(o.Interval)
	defer t.Stop()
	for {
		n, err := Sweep(ctx, store, o.Now(), o.Batch, o.Pause)
		switch {
		case err != nil && ctx.Err() == nil:
			o.Log.Warn("janitor: sweep failed", "removed", n, "error", err)
		case n > 0:
			o.Log.Info("janitor: removed expired rows", "removed", n)
		default:
			o.Log.Debug("janitor: nothing expired")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once sweeps everything expired at now with the default batch size and
// pause, for the command line.
func Once(ctx context.Context, store Store, now time.Time) (int, error) {
	return Sweep(ctx, store, now, DefaultBatch, DefaultPause)
}

// Sweep deletes every row expired at now, batch rows of each kind at a
// time, pausing between batches, until a batch removes fewer than batch
// rows (so nothing expired at now is left) or ctx ends. It returns how
// many rows it removed, also when it fails part way.
func Sweep(ctx context.Context, store Store, now time.Time, batch int, pause time.Duration) (int, error) {
	if batch <= 0 {
		return 0, fmt.Errorf("janitor: batch must be positive, got %d", batch)
	}
	total := 0
	for {
		n, err := store.DeleteExpired(ctx, now, batch)
		total += n
		if err != nil {
			return total, fmt.Errorf("delete expired: %w", err)
		}
		if n < batch {
			return total, nil
		}
		wait := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			wait.Stop()
			return total, ctx.Err()
		case <-wait.C:
		}
	}
}
