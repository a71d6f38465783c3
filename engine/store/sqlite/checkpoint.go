package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
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
)

type checkpointer struct {
	db    *sql.DB
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	runs  int64 // checkpoints run (tests)
	runMu sync.Mutex
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
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
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
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		_ = c.db.Close()
	})
}
