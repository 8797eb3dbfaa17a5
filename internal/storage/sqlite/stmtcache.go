package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxCachedStatements bounds the statement cache. The store's queries are
// constants, a few dozen in all; the bound only guards against a query
// built from data one day.
const maxCachedStatements = 256

// cachedDB is a *sql.DB whose ExecContext, QueryContext and
// QueryRowContext reuse one prepared statement per query text. Without it
// SQLite parses and plans every statement on every call, which profiles
// showed as a quarter of the server's CPU time on the token endpoint.
// database/sql prepares a cached statement once on each connection it
// runs on and keeps it until the statement or the connection is closed.
// Transactions started with begin reuse the statements too; BeginTx and
// Conn use the embedded *sql.DB as before.
type cachedDB struct {
	*sql.DB

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

func newCachedDB(db *sql.DB) *cachedDB {
	return &cachedDB{DB: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement for query, or nil when query is not
// cached (a script of several statements, a full cache, or a failed
// prepare, whose error the direct call then reports).
func (c *cachedDB) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.stmts[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	if strings.Contains(query, ";") {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts) >= maxCachedStatements {
		return nil
	}
	st, err := c.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.stmts[query] = st
	return st
}

// ExecContext runs query with a cached prepared statement.
func (c *cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.DB.ExecContext(ctx, query, args...)
}

// QueryContext runs query with a cached prepared statement.
func (c *cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query with a cached prepared statement.
func (c *cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the cached statements, then the database.
func (c *cachedDB) Close() error {
	c.mu.Lock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
	c.mu.Unlock()
	return c.DB.Close()
}

// cachedTx is a transaction whose ExecContext and QueryRowContext run the
// cached statements of its cachedDB within it (sql.Tx.StmtContext reuses
// a statement already prepared on the transaction's connection).
type cachedTx struct {
	*sql.Tx
	db *cachedDB
}

// begin starts a transaction (BEGIN IMMEDIATE, see dsn) that reuses the
// cached statements.
func (c *cachedDB) begin(ctx context.Context) (*cachedTx, error) {
	tx, err := c.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &cachedTx{Tx: tx, db: c}, nil
}

// ExecContext runs query in the transaction with a cached statement.
func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.db.stmt(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction with a cached statement.
func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.db.stmt(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
