package action

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Speculations run on threads of their own, below normal priority.
//
// Every run waits for the writer: its turn (the caller's goroutine
// replaying the writes) and the writer goroutine committing. Go runs
// goroutines on a few OS threads, and the kernel shares the cores between
// threads fairly; a thread that has been running scripts flat out has
// used its share, so a turn that lands on it (or waits behind it) is held
// back, and every run with it. Measured on a shared two-core machine
// (BenchmarkActionRun/checkout, load 15): a commit turn of about 0.5 ms of
// CPU took 1.5–1.8 ms with scripts on ordinary threads and 0.45–0.55 ms
// with scripts on lowered ones, and throughput went from below the
// in-writer runs' to above it. So each speculation runs on a worker
// goroutine locked to its own thread, whose priority is lowered once
// (lowerPriority; a no-op where the system has no per-thread priority):
// scripts then take what the writer's threads leave. A worker idle for
// workerIdle ends, and its thread with it, so an idle server keeps no
// extra threads.

// workerIdle is how long a speculation worker waits for work before it
// ends.
const workerIdle = 2 * time.Second

// specWorkers hands speculations to worker threads, at most one per
// speculation slot.
type specWorkers struct {
	mu   sync.Mutex
	idle []*specWorker
}

type specWorker struct {
	jobs chan specJob
}

// specJob is one speculation; done gets the value of a panic in it (nil
// when it returned).
type specJob struct {
	run  func()
	done chan any
}

// do runs fn on a worker thread and returns when it has; a panic in fn is
// raised again here, in the caller's goroutine, where it belongs.
func (ws *specWorkers) do(fn func()) {
	w := ws.take()
	j := specJob{run: fn, done: make(chan any, 1)}
	w.jobs <- j
	p := <-j.done
	if p == errWorkerExited {
		panic(p) // the worker is gone (runtime.Goexit in fn): not reused
	}
	ws.put(w)
	if p != nil {
		panic(p)
	}
}

// errWorkerExited is what a speculation that called runtime.Goexit leaves.
var errWorkerExited = errors.New("a speculation ended its goroutine (runtime.Goexit)")

// take returns an idle worker, or starts one.
func (ws *specWorkers) take() *specWorker {
	ws.mu.Lock()
	if n := len(ws.idle); n > 0 {
		w := ws.idle[n-1]
		ws.idle = ws.idle[:n-1]
		ws.mu.Unlock()
		return w
	}
	ws.mu.Unlock()
	w := &specWorker{jobs: make(chan specJob, 1)}
	go ws.loop(w)
	return w
}

func (ws *specWorkers) put(w *specWorker) {
	ws.mu.Lock()
	ws.idle = append(ws.idle, w)
	ws.mu.Unlock()
}

// loop is a worker: its goroutine stays on its thread (never unlocked, so
// the thread ends with it rather than return to the runtime's pool at a
// lowered priority).
func (ws *specWorkers) loop(w *specWorker) {
	lockAndLowerPriority()
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		select {
		case j := <-w.jobs:
			runJob(j)
			t.Reset(workerIdle)
		case <-t.C:
			if ws.retire(w) {
				return
			}
			// Taken meanwhile: its job is on the way.
			t.Reset(workerIdle)
		}
	}
}

// retire removes an idle worker from the pool; false when it is not idle
// (a caller has just taken it).
func (ws *specWorkers) retire(w *specWorker) bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	i := slices.Index(ws.idle, w)
	if i < 0 {
		return false
	}
	ws.idle = slices.Delete(ws.idle, i, i+1)
	return true
}

// runJob runs j and sends the value of a panic in it (nil when it
// returned, errWorkerExited when it called runtime.Goexit, which ends the
// worker too).
func runJob(j specJob) {
	returned := false
	defer func() {
		p := recover()
		if p == nil && !returned {
			p = errWorkerExited
		}
		j.done <- p
	}()
	j.run()
	returned = true
}

// onWorker runs fn on a speculation thread, once a speculation slot is
// free; ctx ending first is the error.
func (s *Service) onWorker(ctx context.Context, fn func()) error {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.slots }()
	s.workers.do(fn)
	return nil
}
