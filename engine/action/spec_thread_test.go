package action

import (
	"errors"
	"runtime"
	"testing"
)

// TestSpecWorkers: a speculation runs on a worker and returns to its
// caller; a panic in it is raised in the caller's goroutine and the worker
// serves again; a worker that ends its goroutine is not reused; an idle
// worker can retire, a taken one cannot.
func TestSpecWorkers(t *testing.T) {
	var ws specWorkers
	ran := false
	ws.do(func() { ran = true })
	if !ran || len(ws.idle) != 1 {
		t.Fatalf("ran %v, %d idle workers", ran, len(ws.idle))
	}
	boom := errors.New("boom")
	func() {
		defer func() {
			if p := recover(); p != boom {
				t.Fatalf("panic %v, want boom", p)
			}
		}()
		ws.do(func() { panic(boom) })
	}()
	if len(ws.idle) != 1 {
		t.Fatalf("%d idle workers after a panic, want the same one back", len(ws.idle))
	}
	func() {
		defer func() {
			if p := recover(); p != errWorkerExited {
				t.Fatalf("panic %v, want errWorkerExited", p)
			}
		}()
		ws.do(runtime.Goexit)
	}()
	if len(ws.idle) != 0 {
		t.Fatalf("%d idle workers, want none: the one that exited is gone", len(ws.idle))
	}
	// Retiring, on a worker that runs no loop: idle, it goes; taken (no
	// longer idle), it stays for the job on its way.
	w := &specWorker{jobs: make(chan specJob, 1)}
	ws.put(w)
	if !ws.retire(w) || len(ws.idle) != 0 {
		t.Fatal("an idle worker did not retire")
	}
	if ws.retire(w) {
		t.Fatal("a worker that is not idle retired")
	}
}
