package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints off the writer. In WAL mode committed pages go to the WAL
// file and a checkpoint copies them back into the database file. By
// default SQLite checkpoints inside the COMMIT that takes the WAL past
// 1,000 pages, on the committing connection: here that is the single
// writer, which then copies and syncs the database file while every other
// write waits (about 5% of a record create's CPU, and the longest commits).
// The writer's automatic checkpoints are therefore off, and a checkpointer
// goroutine with a connection of its own runs PASSIVE checkpoints (which
// never block the writer or readers) shortly after writes. Durability is
// unchanged: a commit is durable once the WAL is synced; checkpoints only
// move committed data.
const (
	// checkpointEvery is how often the checkpointer runs while there are
	// writes: the WAL grows by at most what commits in that time, and a
	// quiet store is not touched.
	checkpointEvery = 200 * time.Millisecond
	// walTruncateBytes is the WAL size past which the writer itself
	// truncates the WAL between two group transactions (truncateWAL).
	walTruncateBytes = 256 << 20
	// truncateWaitFirst bounds how long a truncation waits for readers
	// still on older snapshots: writes queue meanwhile. Each failed attempt
	// in a row doubles the wait up to truncateWaitMax, because readers that
	// always outlast a short wait (long report queries one after another)
	// would otherwise let the WAL fill the disk; a rare second of write
	// latency is the lesser harm.
	truncateWaitFirst = 50 * time.Millisecond
	truncateWaitMax   = 2 * time.Second
)

// Why the writer truncates. A PASSIVE checkpoint copies frames back but
// never resets the WAL: SQLite starts the WAL over only when a write finds
// every frame copied back, which under a continuous stream of group
// commits never happens (each passive pass ends behind the writer). The
// WAL then grows without bound: 29 GB in six minutes of demo generation.
// So when the checkpointer sees the WAL past walTruncateBytes, the writer
// runs a TRUNCATE checkpoint in its own gap between transactions, where no
// new frame can arrive: it copies the rest back, waits briefly for readers
// to leave the old snapshots, and empties the file.

type checkpointer struct {
	db    *sql.DB
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	runs  int64 // checkpoints run (tests)
	runMu sync.Mutex

	walPath     string
	truncateAt  int64       // walTruncateBytes (smaller in tests)
	truncateDue atomic.Bool // the WAL is past truncateAt: the writer truncates
	truncations atomic.Int64
	// truncateWait is the next attempt's wait (only the writer's goroutine
	// touches it).
	truncateWait time.Duration
}

// startCheckpointer opens the checkpointer's connection and starts it.
func (s *Store) startCheckpointer(ctx context.Context) error {
	db, err := openDB(dsn(s.path, false))
	if err != nil {
		return fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return fmt.Errorf("sqlite: open checkpointer: %w", err)
	}
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		walPath: s.path + "-wal", truncateAt: walTruncateBytes, truncateWait: truncateWaitFirst}
	s.ckpt = c
	go c.loop()
	return nil
}

// written tells the checkpointer that a transaction committed.
func (c *checkpointer) written() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		c.run()
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// run makes one passive checkpoint. A failure (the file busy with another
// process's checkpoint, say) is left to the next run.
func (c *checkpointer) run() {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	var busy, logFrames, done int
	if err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &done); err == nil {
		c.runs++
	}
	if fi, err := os.Stat(c.walPath); err == nil && fi.Size() > c.truncateAt {
		c.truncateDue.Store(true)
	}
}

// truncateWAL runs on the writer's goroutine between group transactions
// when the checkpointer asked for it. Readers that keep old snapshots past
// the wait leave the WAL as it is until the checkpointer asks again, with
// a longer wait.
func (w *writer) truncateWAL() {
	c := w.s.ckpt
	if c == nil || !c.truncateDue.CompareAndSwap(true, false) {
		return
	}
	ctx := context.Background()
	if _, err := w.s.wconn.ExecContext(ctx, "PRAGMA busy_timeout="+strconv.FormatInt(c.truncateWait.Milliseconds(), 10)); err != nil {
		return
	}
	var busy, logFrames, done int
	err := w.s.wconn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done)
	_, _ = w.s.wconn.ExecContext(ctx, "PRAGMA busy_timeout="+strconv.Itoa(busyTimeoutMilliseconds))
	if err == nil && busy == 0 {
		c.truncations.Add(1)
		c.truncateWait = truncateWaitFirst
		return
	}
	c.truncateWait = min(2*c.truncateWait, truncateWaitMax)
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		_ = c.db.Close()
	})
}
