package script

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja"
)

// maxCachedFns bounds the per-runtime cache of instantiated functions. When
// it fills up the cache is simply emptied: instantiating a function from a
// compiled program is a few microseconds, while tracking recency per runtime
// would cost on every call of the hot path.
const maxCachedFns = 4096

// slot is one pooled runtime with everything that belongs to it. A slot is
// used by one goroutine at a time; only the watchdog fields (deadline, done,
// mu) are touched concurrently.
type slot struct {
	e    *Engine
	rt   *goja.Runtime
	base *goja.Object // the frozen global object formulas run against
	fns  map[uint64]goja.Callable
	args []goja.Value

	// Watchdog state; see watchdog.go.
	deadline atomic.Int64
	done     atomic.Value // <-chan struct{}
	mu       sync.Mutex
	lastDone <-chan struct{} // runner-owned copy of done, saves a store
	gen      int64

	// Per-run state of Run, reset by endRun.
	ctx       context.Context
	logging   bool
	logs      []string
	dropped   int
	hostErrs  map[*goja.Object]error
	errorCtor *goja.Object
}

// idlePool holds idle runtimes in a fixed array of cache-line-padded
// atomic cells. A buffered channel was the first version: with two cores
// evaluating formulas its lock took over a third of the CPU and two cores
// did fewer evaluations than one (bench_test.go, BenchmarkFormulaParallel).
// Here a goroutine starts at a random cell and takes or returns a runtime
// with one compare-and-swap, so goroutines rarely touch the same cache line.
// sync.Pool would be as fast but drops its contents at every garbage
// collection, and a runtime costs milliseconds to build.
type idlePool struct {
	cells []idleCell
}

type idleCell struct {
	s atomic.Pointer[slot]
	_ [56]byte // pad to a cache line
}

func newIdlePool(n int) *idlePool { return &idlePool{cells: make([]idleCell, n)} }

func (p *idlePool) get() *slot {
	n := len(p.cells)
	start := rand.IntN(n)
	for i := range n {
		c := &p.cells[(start+i)%n]
		if s := c.s.Load(); s != nil && c.s.CompareAndSwap(s, nil) {
			return s
		}
	}
	return nil
}

// put stores s and reports whether there was room.
func (p *idlePool) put(s *slot) bool {
	n := len(p.cells)
	start := rand.IntN(n)
	for i := range n {
		c := &p.cells[(start+i)%n]
		if c.s.Load() == nil && c.s.CompareAndSwap(nil, s) {
			return true
		}
	}
	return false
}

// drain empties the pool, returning what it held.
func (p *idlePool) drain() []*slot {
	var out []*slot
	for i := range p.cells {
		if s := p.cells[i].s.Swap(nil); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// acquire takes an idle runtime or makes a new one; it never waits, so
// nested use of the engine from a host function cannot deadlock.
func (e *Engine) acquire() (*slot, error) {
	if s := e.idle.get(); s != nil {
		return s, nil
	}
	s, err := e.newSlot()
	if err != nil {
		return nil, err
	}
	e.wd.add(s)
	return s, nil
}

// release returns s to the pool, or drops it when the pool is full or the
// engine is closed.
func (e *Engine) release(s *slot) {
	if !e.closed.Load() && e.idle.put(s) {
		if e.closed.Load() {
			// Close drained the pool between our check and the put.
			for _, x := range e.idle.drain() {
				e.wd.remove(x)
			}
		}
		return
	}
	e.wd.remove(s)
}

// discard drops a runtime whose state can no longer be trusted (a Go panic
// escaped from inside goja).
func (e *Engine) discard(s *slot) { e.wd.remove(s) }

// newSlot builds and locks down a runtime once; after this its built-ins and
// global object are frozen, which is what lets runs share it safely.
func (e *Engine) newSlot() (*slot, error) {
	s := &slot{e: e, fns: make(map[uint64]goja.Callable)}
	if err := setupRuntime(s); err != nil {
		return nil, err
	}
	return s, nil
}

// fn returns the function instance of a compiled wrapper on this runtime,
// instantiating it on first use.
func (s *slot) fn(id uint64, p *goja.Program) (goja.Callable, error) {
	if f, ok := s.fns[id]; ok {
		return f, nil
	}
	v, err := s.rt.RunProgram(p)
	if err != nil {
		return nil, err
	}
	f, ok := goja.AssertFunction(v)
	if !ok {
		return nil, inputErr("compiled wrapper is not a function")
	}
	if len(s.fns) >= maxCachedFns {
		clear(s.fns)
	}
	s.fns[id] = f
	return f, nil
}
