package action

import (
	"runtime"
	"syscall"
	"testing"
)

// TestSpecWorkerPriority: a speculation's thread runs specNice below the
// process's priority, and the caller's thread is left as it was.
func TestSpecWorkerPriority(t *testing.T) {
	nice := func() int {
		raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
		if err != nil {
			t.Fatal(err)
		}
		return 20 - raw
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := nice()
	want := min(19, before+specNice)
	var ws specWorkers
	got := -100
	ws.do(func() { got = nice() })
	if got != want {
		t.Fatalf("speculation thread nice %d, want %d", got, want)
	}
	if after := nice(); after != before {
		t.Fatalf("the caller's thread went from nice %d to %d", before, after)
	}
}
