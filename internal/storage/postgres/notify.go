package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// InvalidationChannel is the channel on which the database announces
// changes to clients, APIs and signing keys (migration 0010): each
// committed change notifies it with "client:<id>", "api:<id>", "keys" or
// "all". The triggers fire for every writer — a replica, the CLI, psql —
// so in-memory caches of every replica can drop what changed.
const InvalidationChannel = "gatehouse_invalidate"

// Listen delivers the payload of every notification on InvalidationChannel
// to invalidate until ctx ends. It uses a connection of its own, outside
// the pool. Notifications sent while no connection listens are lost, so
// whenever it starts listening (the first time and after each reconnect)
// and whenever the connection drops it calls flush with the reason (nil
// on a (re)connection): the caller must then forget everything it cached. A
// dropped connection is retried after a delay growing to 5 seconds.
func (s *Store) Listen(ctx context.Context, invalidate func(key string), flush func(reason error)) {
	l := &listener{config: s.pool.Config().ConnConfig}
	l.run(ctx, invalidate, flush)
}

// listener holds the state of one Listen call; pid (the backend process
// of the listening connection, 0 when none) lets tests cut it.
type listener struct {
	config *pgx.ConnConfig
	pid    atomic.Uint32
}

const (
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 5 * time.Second
)

func (l *listener) run(ctx context.Context, invalidate func(string), flush func(error)) {
	backoff := listenMinBackoff
	for ctx.Err() == nil {
		conn, err := l.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			flush(fmt.Errorf("listen for invalidations: %w", err))
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, listenMaxBackoff)
			continue
		}
		backoff = listenMinBackoff
		flush(nil) // anything may have changed before LISTEN took effect
		l.pid.Store(conn.PgConn().PID())
		for {
			var n *pgconn.Notification
			if n, err = conn.WaitForNotification(ctx); err != nil {
				break
			}
			invalidate(n.Payload)
		}
		l.pid.Store(0)
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(closeCtx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		flush(fmt.Errorf("invalidation listener lost its connection: %w", err))
	}
}

// connect opens a connection that listens on InvalidationChannel.
func (l *listener) connect(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg := l.config.Copy()
	cfg.RuntimeParams["application_name"] = "gatehouse invalidation listener"
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(cctx, "LISTEN "+InvalidationChannel); err != nil {
		_ = conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}
