package sqlite

import (
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/store"
)

// TestWALStaysBoundedUnderContinuousWrites: writers that never pause and
// readers that always overlap leave a passive checkpoint no moment to
// start the WAL over; the writer's truncation keeps it near its limit
// anyway, and no write or read fails because of it.
func TestWALStaysBoundedUnderContinuousWrites(t *testing.T) {
	s := openTest(t)
	const limit = 1 << 20
	s.ckpt.truncateAt = limit
	ctx := t.Context()

	stop := make(chan struct{})
	var readers sync.WaitGroup
	var reads atomic.Int64
	readErr := make(chan error, 4)
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Count(ctx, "w", nil); err != nil {
					readErr <- err
					return
				}
				reads.Add(1)
			}
		}()
	}

	pad := strings.Repeat("x", 400)
	var writers sync.WaitGroup
	writeErr := make(chan error, 4)
	var peak atomic.Int64
	for g := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for b := range 40 {
				docs := make([]store.Doc, 250)
				for i := range docs {
					docs[i] = store.Doc{"g": g, "b": b, "i": i, "pad": pad}
				}
				if _, err := s.InsertMany(ctx, "w", docs); err != nil {
					writeErr <- err
					return
				}
				if fi, err := os.Stat(s.Path() + "-wal"); err == nil && fi.Size() > peak.Load() {
					peak.Store(fi.Size())
				}
			}
		}()
	}
	writers.Wait()
	for err := range drain(writeErr) {
		t.Fatalf("write failed: %v", err)
	}
	n, err := s.Count(ctx, "w", nil)
	if err != nil || n != 4*40*250 {
		t.Fatalf("count = %d (%v), want %d", n, err, 4*40*250)
	}
	// About 20 MB of rows went through the WAL. With the readers still
	// overlapping, the next small writes find it truncated; without the
	// truncation the file keeps its size (SQLite trims it only to
	// journal_size_limit, 64 MB, when it starts the WAL over).
	var wal int64
	for tries := 0; ; tries++ {
		if _, err := s.Insert(ctx, "w", store.Doc{"tick": tries}); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(s.Path() + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		if wal = fi.Size(); wal < limit {
			break
		}
		if tries == 300 {
			t.Fatalf("WAL still %d bytes after the writes (peak %d, %d truncations), want under %d", wal, peak.Load(), s.ckpt.truncations.Load(), limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	readers.Wait()
	for err := range drain(readErr) {
		t.Fatalf("read failed: %v", err)
	}
	t.Logf("WAL peak %d bytes, now %d, %d truncations, %d reads", peak.Load(), wal, s.ckpt.truncations.Load(), reads.Load())
}

// drain closes c and returns it for ranging over what it holds.
func drain(c chan error) chan error {
	close(c)
	return c
}
