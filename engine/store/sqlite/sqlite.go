// Package sqlite is the embedded store adapter: one SQLite file in WAL mode
// with synchronous=FULL, a table per collection holding JSONB documents,
// filters compiled to SQL over json_extract (the same expressions that
// expression indexes use), and group commit through a single writer.
//
// Driver: github.com/ncruces/go-sqlite3 (through its database/sql driver),
// chosen by measurement against modernc.org/sqlite; both are pure Go and
// embed SQLite 3.54.1. Figures and commands are in
// docs/perf-sqlite-driver.md (2 cores, medians of several noisy runs). On
// the drivers alone the two were within 2% overall: the same durable
// one-row transaction rate (fsync-bound, about 5,000-6,000/s), batched
// inserts within 2%, ncruces 10% faster on indexed point finds, modernc 8%
// faster on a 200k-row JSONB GROUP BY. On this adapter's own benchmarks,
// which decided it, ncruces was faster where requests are many and small
// (32 goroutines): Get by id 103k/s against 79k/s, indexed Find 58k/s
// against 45k/s, Insert 39k/s against 26k/s, conditional Update 23k/s
// against 20k/s, 5-write Tx 9.9k/s against 9.2k/s; modernc kept a 6-13%
// lead on GROUP BY over 1,000,000 documents (2.49 s against 2.64-2.88 s).
// The API and the POS checkout live on small requests, so ncruces. The
// adapter speaks database/sql; driver_ncruces.go is the only file that
// knows the driver (SQL functions written in Go are registered per
// driver), and driver_modernc.go (-tags modernc) keeps the comparison
// repeatable on the whole adapter.
//
// Register: importing this package makes store.Open accept
// "sqlite:///abs/path/tangram.db" and "sqlite://./relative/tangram.db".
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/tangram/tangram/engine/store"
)

func init() { store.Register("sqlite", open) }

// Store is an open SQLite database. It implements store.Store.
type Store struct {
	path   string
	rdb    *sql.DB // read-only pool (query_only connections)
	rcache *stmtCache
	read   *ops
	wdb    *sql.DB   // one connection, owned by the writer
	wconn  *sql.Conn // the writer's connection
	wcache *stmtCache
	w      *writer
	ckpt   *checkpointer // nil until Open has started it
	// walToken names the writer connection's buffered WAL file.
	walToken string
	tables   tableSet
	obs      store.Observer
	closed   atomic.Bool
}

var _ store.Store = (*Store)(nil)

func open(ctx context.Context, u *url.URL, opt store.Options) (store.Store, error) {
	path, err := pathOf(u)
	if err != nil {
		return nil, err
	}
	return Open(ctx, path, opt)
}

// pathOf reads the file path of a sqlite URI: "sqlite:///abs/file.db"
// (empty host), "sqlite://./rel/file.db" or "sqlite://data/file.db" (the
// host is the first path element), or the opaque "sqlite:file.db".
func pathOf(u *url.URL) (string, error) {
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("sqlite: URI %q: user, query and fragment are not supported", u.Redacted())
	}
	p := u.Opaque
	if p == "" {
		p = u.Host + u.Path
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("sqlite: URI %q names no database file", u.Redacted())
	}
	return p, nil
}

// Open opens (creating if needed) the database file at path, which may be
// relative to the working directory.
func Open(ctx context.Context, path string, opt store.Options) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s := &Store{path: abs, obs: opt.Observer}
	if err := s.openWriter(ctx); err != nil {
		return nil, err
	}
	if err := s.startCheckpointer(ctx); err != nil {
		s.closeWriter()
		return nil, err
	}
	// Readers never block the writer in WAL mode; more connections than
	// cores only help while some wait on I/O.
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	s.rdb, err = openDB(dsn(abs, true))
	if err != nil {
		s.closeWriter()
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	s.rdb.SetMaxOpenConns(readers)
	s.rdb.SetMaxIdleConns(readers)
	s.rcache = newStmtCache(s.rdb, maxCachedStmts)
	s.read = &ops{s: s, r: &runner{cache: s.rcache}}
	if err := s.rdb.PingContext(ctx); err != nil {
		s.closeWriter()
		_ = s.rdb.Close()
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	return s, nil
}

func (s *Store) openWriter(ctx context.Context) error {
	var err error
	s.walToken = store.NewID()
	if s.wdb, err = openDB(dsn(s.path, false) + "&" + walBufParam + "=" + s.walToken); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	if s.wconn, err = s.wdb.Conn(writerContext(ctx)); err != nil {
		_ = s.wdb.Close()
		return fmt.Errorf("sqlite: open %s: %w", s.path, err)
	}
	// journal_mode reports the mode it got; a file on a filesystem without
	// shared memory support would silently stay in rollback mode.
	var mode string
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || !strings.EqualFold(mode, "wal") {
		_ = s.wconn.Close()
		_ = s.wdb.Close()
		return fmt.Errorf("sqlite: %s: WAL mode unavailable (mode %q): %v", s.path, mode, err)
	}
	// The WAL buffer (walbuf_ncruces.go) is only correct when every commit
	// syncs the WAL before publishing its frames.
	var sync int
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		_ = s.wconn.Close()
		_ = s.wdb.Close()
		return fmt.Errorf("sqlite: %s: the writer runs synchronous=%d, want 2 (FULL): %v", s.path, sync, err)
	}
	// Checkpoints run off the writer (checkpoint.go).
	if _, err := s.wconn.ExecContext(ctx, "PRAGMA wal_autocheckpoint=0"); err != nil {
		_ = s.wconn.Close()
		_ = s.wdb.Close()
		return fmt.Errorf("sqlite: %s: %w", s.path, err)
	}
	s.wcache = newStmtCache(s.wconn, maxCachedStmts)
	s.w = newWriter(s, &runner{cache: s.wcache, ignoreCtx: true})
	return nil
}

// closeWriter stops the writer (idempotent) and the checkpointer, and
// closes their connections.
func (s *Store) closeWriter() {
	s.w.close()
	if s.ckpt != nil {
		s.ckpt.close()
	}
	s.wcache.close()
	_ = s.wconn.Close()
	_ = s.wdb.Close()
}

// Close finishes the queued writes, then closes every connection.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.w.close()
	// Refresh the planner's statistics where they went stale, as SQLite
	// recommends before closing a long-lived connection; analysis_limit
	// keeps it to a bounded sample on large tables.
	_, _ = s.wconn.ExecContext(context.Background(), "PRAGMA analysis_limit=1000")
	_, _ = s.wconn.ExecContext(context.Background(), "PRAGMA optimize")
	s.closeWriter()
	s.rcache.close()
	return s.rdb.Close()
}

// Ping checks that the database file can be read.
func (s *Store) Ping(ctx context.Context) (err error) {
	defer s.observe("ping", s.now(), &err)
	if s.closed.Load() {
		return errClosed
	}
	var one int
	if _, err := s.read.r.queryRow(ctx, "SELECT 1", nil, &one); err != nil {
		return mapErr(err)
	}
	return nil
}

// Backend names the adapter.
func (s *Store) Backend() string { return "sqlite" }

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }
