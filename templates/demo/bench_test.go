package demo_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/templates/demo"
)

// BenchmarkGenerate generates TANGRAM_DEMO_MEMBERS members (default
// 10,000) with their sales, coupons and ledger entries into a fresh
// SQLite file, and reports the rates, the peak Go heap and the peak RSS
// of the process. Progress goes to stderr every 10% so a long run can be
// watched (and extrapolated) as it goes.
//
//	TANGRAM_DEMO_MEMBERS=100000 go test ./templates/demo -run '^$' -bench Generate -benchtime 1x -timeout 0
func BenchmarkGenerate(b *testing.B) {
	members := 10_000
	if s := os.Getenv("TANGRAM_DEMO_MEMBERS"); s != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil || n <= 0 {
			b.Fatalf("TANGRAM_DEMO_MEMBERS=%q", s)
		}
		members = n
	}
	var res demo.Result
	var peakHeap uint64
	for range b.N {
		b.StopTimer()
		d := newDeps(b)
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		step := max(1, members/10)
		var err error
		res, err = demo.Generate(context.Background(), d, testApp, demo.Options{Members: members, Seed: 1, Now: fixedNow,
			Progress: func(stage string, done, total int) {
				if stage != demo.StageMembers || (done%step >= 500 && done != total) {
					return
				}
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peakHeap = max(peakHeap, m.HeapInuse)
				s := time.Since(start).Seconds()
				fmt.Fprintf(os.Stderr, "members=%d t=%.1fs rate=%.0f members/s heapInuse=%.1fMiB rss=%.1fMiB hwm=%.1fMiB\n",
					done, s, float64(done)/s, float64(m.HeapInuse)/(1<<20), procMiB("VmRSS"), procMiB("VmHWM"))
			}})
		if err != nil {
			b.Fatal(err)
		}
	}
	s := res.Elapsed.Seconds()
	fmt.Fprintf(os.Stderr, "done: %+v\n", res)
	b.ReportMetric(float64(res.Members)/s, "members/s")
	b.ReportMetric(float64(res.Transactions)/s, "transactions/s")
	b.ReportMetric(float64(res.Members+res.Transactions+res.Coupons)/s, "records/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(procMiB("VmHWM"), "peak-rss-MiB")
}

// procMiB reads a "kB" line of /proc/self/status (VmRSS, VmHWM) in MiB.
func procMiB(key string) float64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return float64(n) / 1024
		}
	}
	return 0
}
