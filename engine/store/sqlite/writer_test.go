package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// openTest opens a store on a new file; it is closed when the test ends.
func openTest(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

var errFail = errors.New("test: fail this transaction")

// TestGroupCommit runs 200 concurrent transactions, every tenth failing:
// the others all persist, the failing ones leave nothing, and the writer
// committed them in fewer transactions than requests.
func TestGroupCommit(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	gate := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			errs[i] = s.Tx(ctx, func(tx store.Ops) error {
				if _, err := tx.Insert(ctx, "orders", store.Doc{"_id": fmt.Sprintf("o%03d", i), "i": i}); err != nil {
					return err
				}
				if i%10 == 0 {
					return errFail
				}
				return nil
			})
		}()
	}
	close(gate)
	wg.Wait()
	for i, err := range errs {
		if i%10 == 0 {
			if !errors.Is(err, errFail) {
				t.Errorf("tx %d: want its own error, got %v", i, err)
			}
		} else if err != nil {
			t.Errorf("tx %d: %v", i, err)
		}
	}
	if cnt, err := s.Count(ctx, "orders", nil); err != nil || cnt != n-n/10 {
		t.Fatalf("count = %d, %v; want %d", cnt, err, n-n/10)
	}
	for i := 0; i < n; i += 10 {
		if _, err := s.Get(ctx, "orders", fmt.Sprintf("o%03d", i)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("failed tx %d left its insert: %v", i, err)
		}
	}
	commits, committed := s.w.commits.Load(), s.w.committed.Load()
	t.Logf("%d requests in %d commits", committed, commits)
	if committed != n-n/10 || commits >= committed {
		t.Errorf("%d requests in %d commits: want fewer commits than requests", committed, commits)
	}
}

// TestFailingWriteInBatch checks that a duplicate insert (a statement
// error, not a returned error) fails only its own request.
func TestFailingWriteInBatch(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	if _, err := s.Insert(ctx, "c", store.Doc{"_id": "dup"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint(i)
			if i == 25 {
				id = "dup"
			}
			_, errs[i] = s.Insert(ctx, "c", store.Doc{"_id": id})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i == 25 && !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("duplicate: want ErrDuplicate, got %v", err)
		}
		if i != 25 && err != nil {
			t.Errorf("insert %d: %v", i, err)
		}
	}
	if n, _ := s.Count(ctx, "c", nil); n != 50 {
		t.Errorf("count = %d, want 50", n)
	}
}

// TestPanicReraised checks the panic value reaches the caller after the
// rollback, with the store usable afterwards.
func TestPanicReraised(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want boom", r)
			}
		}()
		_ = s.Tx(ctx, func(tx store.Ops) error {
			if _, err := tx.Insert(ctx, "c", store.Doc{"_id": "p"}); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if _, err := s.Get(ctx, "c", "p"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("panicking tx kept its insert: %v", err)
	}
	if _, err := s.Insert(ctx, "c", store.Doc{"_id": "after"}); err != nil {
		t.Errorf("insert after panic: %v", err)
	}
}

// TestGoexitInTx: runtime.Goexit (t.FailNow in a helper goroutine) inside
// fn must roll back and leave the writer working.
func TestGoexitInTx(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Tx(ctx, func(tx store.Ops) error {
			if _, err := tx.Insert(ctx, "c", store.Doc{"_id": "g"}); err != nil {
				return err
			}
			runtime.Goexit()
			return nil
		})
	}()
	<-done
	if _, err := s.Get(ctx, "c", "g"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("exited tx kept its insert: %v", err)
	}
	if _, err := s.Insert(ctx, "c", store.Doc{"_id": "after"}); err != nil {
		t.Errorf("insert after Goexit: %v", err)
	}
}

// TestTxUseAfterEnd: a tx kept past its function is refused.
func TestTxUseAfterEnd(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	var kept store.Ops
	if err := s.Tx(ctx, func(tx store.Ops) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := kept.Insert(ctx, "c", store.Doc{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("insert through an ended tx: %v", err)
	}
}

// TestCancelledBeforeStart: a request whose context ends while queued is
// skipped, never run.
func TestCancelledBeforeStart(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	hold := make(chan struct{})
	started := make(chan struct{})
	go func() {
		_ = s.Tx(ctx, func(tx store.Ops) error {
			close(started)
			<-hold // keep the writer busy
			return nil
		})
	}()
	<-started
	cctx, cancel := context.WithCancel(ctx)
	res := make(chan error, 1)
	ran := false
	go func() {
		res <- s.Tx(cctx, func(tx store.Ops) error { ran = true; return nil })
	}()
	time.Sleep(20 * time.Millisecond) // let it queue
	cancel()
	close(hold)
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
	if ran {
		t.Error("a cancelled request ran")
	}
}

// TestCloseDrainsAndReopen: writes queued before Close complete, later
// calls are refused, and a reopened file has every committed document.
func TestCloseDrainsAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reopen.db")
	ctx := t.Context()
	s, err := Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(ctx, "m", []store.Index{{Name: "phone_u", Fields: []string{"phone"}, Unique: true}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	okIDs := map[string]bool{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := s.Insert(ctx, "m", store.Doc{"phone": fmt.Sprint(i), "price": store.Doc{"v": json.Number("10.50")}})
			if err == nil {
				mu.Lock()
				okIDs[id] = true
				mu.Unlock()
			} else if !errors.Is(err, errClosed) {
				t.Errorf("insert: %v", err)
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := s.Insert(ctx, "m", store.Doc{}); !errors.Is(err, errClosed) {
		t.Errorf("insert after close: %v", err)
	}
	if _, err := s.Get(ctx, "m", "x"); !errors.Is(err, errClosed) {
		t.Errorf("get after close: %v", err)
	}

	s2, err := Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	n, err := s2.Count(ctx, "m", nil)
	if err != nil || n != int64(len(okIDs)) {
		t.Fatalf("after reopen count = %d, %v; want %d", n, err, len(okIDs))
	}
	for id := range okIDs {
		d, err := s2.Get(ctx, "m", id)
		if err != nil || d["price"].(map[string]any)["v"] != json.Number("10.50") {
			t.Fatalf("get %s after reopen: %v %v", id, d, err)
		}
	}
	// The unique index survived too.
	var phone string
	for id := range okIDs {
		d, _ := s2.Get(ctx, "m", id)
		phone = d["phone"].(string)
		break
	}
	if phone != "" {
		if _, err := s2.Insert(ctx, "m", store.Doc{"phone": phone}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("unique index after reopen: %v", err)
		}
	}
}

// TestObserver: every operation is reported with the backend name.
func TestObserver(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	obs := func(backend, op string, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if backend != "sqlite" || d < 0 {
			t.Errorf("observer got backend %q duration %v", backend, d)
		}
		seen[op]++
	}
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "obs.db"), store.Options{Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	_, _ = s.Insert(ctx, "c", store.Doc{"_id": "a", "n": 1})
	_, _ = s.Get(ctx, "c", "a")
	_, _ = s.Find(ctx, "c", store.Query{})
	_, _ = s.Count(ctx, "c", nil)
	_, _ = s.Update(ctx, "c", "a", store.Patch{Inc: map[string]int64{"n": 1}}, nil)
	_, _ = s.Aggregate(ctx, "c", &query.Aggregate{Measures: []query.Measure{{Fn: query.FnCount, As: "n"}}})
	_ = s.EnsureIndexes(ctx, "c", []store.Index{{Name: "n_i", Fields: []string{"n"}}})
	_ = s.Tx(ctx, func(tx store.Ops) error { _, err := tx.Get(ctx, "c", "a"); return err })
	_ = s.Delete(ctx, "c", "a", nil)
	_ = s.Ping(ctx)
	for _, op := range []string{"insert", "get", "find", "count", "update", "aggregate", "ensureIndexes", "tx", "tx.get", "delete", "ping"} {
		if seen[op] != 1 {
			t.Errorf("op %q observed %d times", op, seen[op])
		}
	}
}
