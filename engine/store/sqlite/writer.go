package sqlite

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// Group commit. SQLite has one writer at a time and, with synchronous=FULL,
// one fsync per COMMIT: about 5,000-6,000 one-row transactions a second on
// the reference machine, whatever the CPU. To go past that without weaker
// durability, one goroutine owns the write connection and commits the
// requests that queued up while the previous COMMIT was syncing as one
// transaction, each request inside its own SAVEPOINT so a failing one is
// rolled back alone.
//
// The writer does not run callers' code itself: it passes the connection
// (a "turn") to the caller's goroutine and waits for it back. A panic, or
// runtime.Goexit from t.FailNow, therefore happens where it belongs; the
// caller's deferred hand-back tells the writer, which rolls the savepoint
// back before the panic continues up the caller's stack.
const (
	maxBatch     = 256                   // requests per transaction
	maxBatchTime = 10 * time.Millisecond // stop gathering after this long
)

// request is one write (a Tx body or a single Insert/Update/Delete).
type request struct {
	ctx      context.Context
	toCaller chan error   // the turn (nil) or refusal, then the final outcome
	toWriter chan outcome // the caller is done with its turn
	created  []string     // tables created in this request, known once committed
}

type outcome struct {
	err    error
	failed bool // panicked or exited: roll back, the caller handles the rest
}

var requestPool = sync.Pool{New: func() any {
	return &request{toCaller: make(chan error, 1), toWriter: make(chan outcome, 1)}
}}

type writer struct {
	s    *Store
	r    *runner
	reqs chan *request

	mu     sync.RWMutex // held shared while sending, exclusively by close
	closed bool
	exited chan struct{}

	done []*request // requests of the open transaction awaiting COMMIT

	// Counters for tests and benchmarks: commits, and requests committed.
	commits, committed atomic.Int64
}

func newWriter(s *Store, r *runner) *writer {
	w := &writer{s: s, r: r, reqs: make(chan *request, maxBatch), exited: make(chan struct{})}
	go w.loop()
	return w
}

// do runs fn on the write connection inside the current group transaction
// and returns once that transaction has committed (or fn's error once its
// savepoint is rolled back). A panic in fn is re-raised after the rollback.
func (w *writer) do(ctx context.Context, fn func(o *ops) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := requestPool.Get().(*request)
	r.ctx, r.created = ctx, r.created[:0]
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		release(r)
		return errClosed
	}
	select {
	case w.reqs <- r:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		release(r)
		return ctx.Err()
	}
	if err := <-r.toCaller; err != nil {
		release(r)
		return err // skipped (cancelled before its turn) or no transaction
	}
	return w.turn(r, fn)
}

// turn runs fn in the caller's goroutine while the writer waits.
func (w *writer) turn(r *request, fn func(o *ops) error) (err error) {
	finished := false
	defer func() {
		if !finished {
			// Panic or Goexit in fn: let the writer roll back, then let the
			// panic continue unchanged (with its original stack).
			r.toWriter <- outcome{failed: true}
			<-r.toCaller
			release(r)
		}
	}()
	o := &ops{s: w.s, r: w.r, req: r}
	ferr := fn(o)
	finished = true
	r.toWriter <- outcome{err: ferr}
	err = <-r.toCaller
	release(r)
	return err
}

func (w *writer) loop() {
	defer close(w.exited)
	for first := range w.reqs {
		w.batch(first)
		w.truncateWAL()
	}
}

// batch runs first and whatever is queued behind it in one transaction.
func (w *writer) batch(first *request) {
	if err := w.exec("BEGIN IMMEDIATE"); err != nil {
		first.toCaller <- mapErr(err)
		return
	}
	start := time.Now()
	w.done = w.done[:0]
	r, n := first, 0
	for {
		if err := w.run(r); err != nil {
			w.abort(err)
			return
		}
		n++
		if n >= maxBatch || time.Since(start) > maxBatchTime {
			break
		}
		var ok bool
		select {
		case r, ok = <-w.reqs:
		default:
		}
		if !ok {
			break
		}
	}
	w.commit()
}

// run gives r its turn inside a savepoint. A non-nil return means the
// transaction itself is lost (SQLite rolled it back, e.g. on a full disk).
func (w *writer) run(r *request) error {
	if err := r.ctx.Err(); err != nil {
		r.toCaller <- err
		return nil
	}
	if err := w.exec("SAVEPOINT req"); err != nil {
		r.toCaller <- mapErr(err)
		return err
	}
	r.toCaller <- nil
	out := <-r.toWriter
	if out.err == nil && !out.failed {
		if err := w.exec("RELEASE req"); err != nil {
			r.toCaller <- mapErr(err)
			return err
		}
		w.done = append(w.done, r)
		return nil
	}
	err := w.exec("ROLLBACK TO req")
	if err == nil {
		err = w.exec("RELEASE req")
	}
	// The caller gets its own error (fn's, unchanged), or nothing after a
	// panic, which it is about to continue.
	r.toCaller <- out.err
	return err
}

// commit ends the transaction and answers every request in it.
func (w *writer) commit() {
	if len(w.done) == 0 {
		// Nothing to keep: ending the read-write transaction without
		// changes costs no fsync either way.
		w.rollback()
		return
	}
	var cerr error
	if err := w.exec("COMMIT"); err != nil {
		w.rollback()
		cerr = mapErr(err)
	}
	if cerr == nil {
		w.commits.Add(1)
		w.committed.Add(int64(len(w.done)))
		if w.s.ckpt != nil {
			w.s.ckpt.written()
		}
	}
	for _, r := range w.done {
		if cerr == nil {
			for _, c := range r.created {
				w.s.tables.add(c)
			}
		}
		r.toCaller <- cerr
	}
	w.done = w.done[:0]
}

// abort answers the requests whose work was lost with the transaction.
func (w *writer) abort(cause error) {
	w.rollback()
	err := errs.Wrap(cause, errs.Internal, "store.internal", "the transaction was lost; retry")
	for _, r := range w.done {
		r.toCaller <- err
	}
	w.done = w.done[:0]
}

// rollback ends the transaction without keeping anything, and drops the
// frames it may have spilled into the WAL buffer: never synced, they must
// never reach the file (walbuf_ncruces.go).
func (w *writer) rollback() {
	_ = w.exec("ROLLBACK")
	dropWALBuffer(w.s.walToken)
}

func (w *writer) exec(text string) error {
	_, err := w.r.exec(context.Background(), text, nil)
	return err
}

// release returns r to the pool once neither side will touch it again.
func release(r *request) {
	r.ctx = nil
	requestPool.Put(r)
}

// close stops accepting requests, runs those already queued, and waits for
// the writer goroutine to finish.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.exited
}

// WriterStats reports how many group transactions the writer committed and
// how many requests they held, since the store opened: their ratio is the
// group-commit batch size benchmarks report.
func (s *Store) WriterStats() (commits, requests int64) {
	return s.w.commits.Load(), s.w.committed.Load()
}
