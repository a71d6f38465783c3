package action

import (
	"runtime"
	"syscall"
)

// specNice is how much lower than the process's own the priority of a
// speculation thread is (nice levels: each is about 25% less CPU weight
// when cores are contended; none when they are not).
const specNice = 5

// lockAndLowerPriority locks the calling goroutine to its thread for good
// and lowers that thread's priority (Linux schedules threads on their
// own: setpriority with a thread id changes that thread only). Lowering
// needs no privilege; failing, the worker runs at normal priority.
func lockAndLowerPriority() {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	cur, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	// The raw system call answers 20 - nice.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(19, 20-cur+specNice))
}
