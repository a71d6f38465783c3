package sqlite

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds each cache. Filters with IN lists of varying length
// and patches of varying shape produce distinct statement texts, so the
// cache must forget; 256 comfortably holds an application's hot set.
const maxCachedStmts = 256

// preparer is a *sql.DB (reader pool: the statement is re-prepared on each
// pooled connection as needed by database/sql) or the writer's *sql.Conn.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmtCache keeps prepared statements by SQL text, least recently used
// first out. Entries are reference counted so an evicted statement is
// closed only when no caller is still running it.
type stmtCache struct {
	p   preparer
	max int

	mu  sync.Mutex
	m   map[string]*list.Element
	lru list.List // of *cachedStmt, most recent at the front
}

type cachedStmt struct {
	st      *sql.Stmt
	text    string
	refs    int
	evicted bool
}

func newStmtCache(p preparer, max int) *stmtCache {
	return &stmtCache{p: p, max: max, m: map[string]*list.Element{}}
}

// get returns the prepared statement for text; release it when done.
func (c *stmtCache) get(ctx context.Context, text string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.m[text]; ok {
		cs := e.Value.(*cachedStmt)
		cs.refs++
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()
	// Prepare outside the lock: preparing a big statement must not stall
	// every other reader.
	st, err := c.p.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[text]; ok { // another goroutine prepared it meanwhile
		cs := e.Value.(*cachedStmt)
		cs.refs++
		c.lru.MoveToFront(e)
		_ = st.Close()
		return cs, nil
	}
	cs := &cachedStmt{st: st, text: text, refs: 1}
	c.m[text] = c.lru.PushFront(cs)
	for c.lru.Len() > c.max {
		old := c.lru.Back().Value.(*cachedStmt)
		c.lru.Remove(c.lru.Back())
		delete(c.m, old.text)
		old.evicted = true
		if old.refs == 0 {
			_ = old.st.Close()
		}
	}
	return cs, nil
}

func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.refs--
	closeNow := cs.evicted && cs.refs == 0
	c.mu.Unlock()
	if closeNow {
		_ = cs.st.Close()
	}
}

// close closes every cached statement (at shutdown, after all users).
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.lru.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*cachedStmt).st.Close()
	}
	c.lru.Init()
	c.m = map[string]*list.Element{}
}

// runner executes statements through a cache. The writer's runner ignores
// callers' contexts: cancelling a running write makes SQLite interrupt it,
// and an interrupted write inside a transaction rolls back the whole
// transaction, which would lose every other request of the group commit.
// Contexts are checked between operations instead.
type runner struct {
	cache     *stmtCache
	ignoreCtx bool
}

func (r *runner) ctx(ctx context.Context) context.Context {
	if r.ignoreCtx {
		return context.Background()
	}
	return ctx
}

// query runs a statement returning rows; call done after closing rows.
func (r *runner) query(ctx context.Context, text string, args []any) (*sql.Rows, func(), error) {
	ctx = r.ctx(ctx)
	cs, err := r.cache.get(ctx, text)
	if err != nil {
		return nil, nil, err
	}
	rows, err := cs.st.QueryContext(ctx, args...)
	if err != nil {
		r.cache.release(cs)
		return nil, nil, err
	}
	return rows, func() { r.cache.release(cs) }, nil
}

// exec runs a statement that returns no rows.
func (r *runner) exec(ctx context.Context, text string, args []any) (sql.Result, error) {
	ctx = r.ctx(ctx)
	cs, err := r.cache.get(ctx, text)
	if err != nil {
		return nil, err
	}
	defer r.cache.release(cs)
	return cs.st.ExecContext(ctx, args...)
}

// queryRow scans the first row into dest; found is false when there is none.
func (r *runner) queryRow(ctx context.Context, text string, args []any, dest ...any) (found bool, err error) {
	rows, done, err := r.query(ctx, text, args)
	if err != nil {
		return false, err
	}
	defer done()
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	return true, rows.Close()
}
