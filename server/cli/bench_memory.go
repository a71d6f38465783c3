package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// BenchMemory is the server's memory around a run (`tangram bench -pid`),
// from /proc/PID/status: the resident set (VmRSS) and its peak since the
// process started (VmHWM), before the scenario's first request and after
// its last, in KiB. The peak after the run is the most the server held
// at any moment so far, the run included.
type BenchMemory struct {
	PID       int   `json:"pid"`
	RSSBefore int64 `json:"rssBeforeKiB"`
	HWMBefore int64 `json:"hwmBeforeKiB"`
	RSSAfter  int64 `json:"rssAfterKiB"`
	HWMAfter  int64 `json:"hwmAfterKiB"`
}

// procMemory reads VmRSS and VmHWM of pid (Linux).
func procMemory(pid int) (rss, hwm int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("-pid %d: %w (the server must run on this machine, under Linux)", pid, err)
	}
	found := 0
	for _, line := range strings.Split(string(raw), "\n") {
		key, rest, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("-pid %d: cannot read %q", pid, line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("-pid %d: cannot read %q", pid, line)
		}
		if key == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("-pid %d: no VmRSS/VmHWM (a kernel thread or a zombie?)", pid)
	}
	return rss, hwm, nil
}

// memoryBefore starts a BenchMemory (nil when no pid was given).
func memoryBefore(pid int) (*BenchMemory, error) {
	if pid == 0 {
		return nil, nil
	}
	rss, hwm, err := procMemory(pid)
	if err != nil {
		return nil, err
	}
	return &BenchMemory{PID: pid, RSSBefore: rss, HWMBefore: hwm}, nil
}

// after completes m; a server gone by then is reported as an error.
func (m *BenchMemory) after() error {
	if m == nil {
		return nil
	}
	rss, hwm, err := procMemory(m.PID)
	m.RSSAfter, m.HWMAfter = rss, hwm
	return err
}

func printMemory(out io.Writer, m *BenchMemory) {
	mib := func(kib int64) float64 { return float64(kib) / 1024 }
	fmt.Fprintf(out, "server RSS   before %.1f MiB (peak %.1f)  after %.1f MiB (peak %.1f)  [pid %d]\n",
		mib(m.RSSBefore), mib(m.HWMBefore), mib(m.RSSAfter), mib(m.HWMAfter), m.PID)
}
