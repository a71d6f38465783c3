//go:build !linux

package action

import "runtime"

// lockAndLowerPriority locks the calling goroutine to its thread for good;
// this system offers no per-thread priority, so it stays as it is.
func lockAndLowerPriority() { runtime.LockOSThread() }
