package script

import (
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// The deadline mechanism. At a million formula evaluations per second per
// core, arming a timer per call would cost about as much as the evaluation
// itself. Measured around the same bare goja call (BenchmarkDeadline*,
// -cpu 1): no deadline 281 ns, time.AfterFunc + Stop 584 ns, a deadline
// from time.Now stored for a watchdog 369 ns, this tick counter 325 ns.
// One watchdog goroutine per engine counts ticks and scans the runtimes: a
// runner arms its deadline with one atomic store of "current tick + n" and
// disarms with one atomic swap.
//
// The tick counter advances by one per watchdog wake-up rather than by wall
// time: if the watchdog is starved (GC, a saturated machine) a deadline
// fires late, never early, so legitimate work is not killed by scheduling
// noise. While nothing runs for parkAfter ticks the watchdog stops its
// ticker and sleeps until a runner wakes it, so an idle server pays nothing.
const (
	tick      = time.Millisecond
	parkAfter = 100
	heapEvery = 10 // ticks between heap samples while something runs
)

// A slot's deadline word: 0 idle, fired after the watchdog interrupted it,
// otherwise deadlineTick<<genBits | generation. The per-run generation makes
// the compare-and-swap in fire immune to ABA: a run that ended and a new run
// that started in the same tick have different words.
const (
	genBits = 20
	genMask = 1<<genBits - 1
	fired   = -1
)

// interruptReason is the value handed to goja's Interrupt; the runner reads
// it back from the *goja.InterruptedError.
type interruptReason struct{ code string }

var (
	reasonTimeout  = &interruptReason{CodeTimeout}
	reasonCanceled = &interruptReason{CodeCanceled}
	reasonMemory   = &interruptReason{CodeLimit}
)

func ticksFor(d time.Duration) int64 {
	// +1: the current tick is already partly over, so n whole ticks
	// guarantee at least d.
	return int64((d+tick-1)/tick) + 1
}

type watchdog struct {
	ticks     atomic.Int64
	parked    atomic.Bool
	wake      chan struct{}
	stop      chan struct{}
	stopOnce  sync.Once
	mu        sync.Mutex // serialises copy-on-write updates of slots
	slots     atomic.Pointer[[]*slot]
	heapLimit int64
	sample    []metrics.Sample
}

func newWatchdog(heapLimit int64) *watchdog {
	w := &watchdog{
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		heapLimit: heapLimit,
		sample:    []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}},
	}
	w.slots.Store(&[]*slot{})
	w.ticks.Store(1)
	go w.loop()
	return w
}

func (w *watchdog) close() { w.stopOnce.Do(func() { close(w.stop) }) }

func (w *watchdog) add(s *slot) {
	w.mu.Lock()
	old := *w.slots.Load()
	next := make([]*slot, len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	w.slots.Store(&next)
	w.mu.Unlock()
}

func (w *watchdog) remove(s *slot) {
	w.mu.Lock()
	old := *w.slots.Load()
	next := make([]*slot, 0, len(old))
	for _, x := range old {
		if x != s {
			next = append(next, x)
		}
	}
	w.slots.Store(&next)
	w.mu.Unlock()
}

// arm starts watching s until now+n ticks, and done (nil for contexts that
// never end). The store of the deadline precedes the load of parked, and the
// watchdog stores parked before its final scan of deadlines: with Go's
// sequentially consistent atomics at least one side sees the other, so a
// run can never start unwatched.
func (w *watchdog) arm(s *slot, n int64, done <-chan struct{}) {
	if done != s.lastDone {
		s.lastDone = done
		s.done.Store(done)
	}
	s.gen = (s.gen + 1) & genMask
	s.deadline.Store((w.ticks.Load()+n)<<genBits | s.gen)
	if w.parked.Load() && w.parked.CompareAndSwap(true, false) {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// disarm stops watching s and reports whether the watchdog interrupted it.
// When it did, the interrupt flag may have been raised after the JavaScript
// had already returned; clearing it here, after the watchdog released the
// slot's lock, keeps the next run on this runtime from being interrupted at
// its first instruction.
func (w *watchdog) disarm(s *slot) bool {
	if s.deadline.Swap(0) != fired {
		return false
	}
	s.mu.Lock()
	s.mu.Unlock() //nolint:staticcheck // empty critical section: waits for fire to finish Interrupt
	s.rt.ClearInterrupt()
	return true
}

func (w *watchdog) loop() {
	t := time.NewTicker(tick)
	defer t.Stop()
	idle := 0
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
		now := w.ticks.Add(1)
		if w.scan(now, now%heapEvery == 0) {
			idle = 0
			continue
		}
		if idle++; idle < parkAfter {
			continue
		}
		w.parked.Store(true)
		if w.scan(now, false) {
			// A run started while we were deciding; if its runner already
			// flipped parked back it also left a token in wake, which only
			// costs one spurious loop later.
			w.parked.CompareAndSwap(true, false)
			idle = 0
			continue
		}
		t.Stop()
		select {
		case <-w.stop:
			return
		case <-w.wake:
		}
		idle = 0
		t.Reset(tick)
	}
}

// scan interrupts expired or canceled runs and reports whether any run is
// in progress.
func (w *watchdog) scan(now int64, checkHeap bool) bool {
	active := false
	overHeap := false
	for _, s := range *w.slots.Load() {
		d := s.deadline.Load()
		if d <= 0 {
			continue
		}
		if !active {
			active = true
			if checkHeap && w.heapLimit > 0 {
				overHeap = w.heapOver()
			}
		}
		switch {
		case overHeap:
			s.fire(d, reasonMemory)
		case now >= d>>genBits:
			s.fire(d, reasonTimeout)
		default:
			if done, _ := s.done.Load().(<-chan struct{}); done != nil {
				select {
				case <-done:
					s.fire(d, reasonCanceled)
				default:
				}
			}
		}
	}
	return active
}

// heapOver samples the heap: runtime/metrics reads the runtime's running
// totals without stopping the world, cheap enough for every few ticks.
func (w *watchdog) heapOver() bool {
	metrics.Read(w.sample)
	v := w.sample[0].Value
	return v.Kind() == metrics.KindUint64 && v.Uint64() > uint64(w.heapLimit)
}

// fire interrupts s if it is still in the run whose deadline word was d.
func (s *slot) fire(d int64, why *interruptReason) {
	s.mu.Lock()
	if s.deadline.CompareAndSwap(d, fired) {
		s.rt.Interrupt(why)
	}
	s.mu.Unlock()
}
