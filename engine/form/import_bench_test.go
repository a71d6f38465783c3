package form

import (
	"bytes"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkImportCSV imports 100,000 generated member rows from a 6 MB
// CSV into the members form of the tests (text, a unique phone, a select
// by its Chinese label, a number, an auto-number) on the embedded store,
// in each mode. It reports rows/s and the peak heap in use while the
// import ran (sampled every 5 ms, runtime.MemStats.HeapInuse), besides the
// heap before it. Run with
//
//	go test ./engine/form -run '^$' -bench ImportCSV -benchtime 1x
func BenchmarkImportCSV(b *testing.B) {
	const rows = 100_000
	var buf bytes.Buffer
	buf.WriteString("姓名,手机号,等级,积分,门店,备注\n")
	for i := range rows {
		tier, note := "普通", ""
		if i%10 == 0 {
			tier, note = "金卡", "金卡会员须填备注" // the form requires a note of gold members
		}
		fmt.Fprintf(&buf, "会员%06d,139%08d,%s,%d,store_%03d,%s\n", i, i, tier, i%5000, i%200, note)
	}
	data := buf.Bytes()
	for _, mode := range []string{ImportSkip, ImportAll} {
		b.Run(mode, func(b *testing.B) {
			var elapsed time.Duration
			var peak, base uint64
			for range b.N {
				b.StopTimer()
				e := newEnv(b).crm()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base = ms.HeapInuse
				stop, top := sampleHeap()
				b.StartTimer()
				start := time.Now()
				res := e.importFile(e.admin, "members", "csv", data, ImportOptions{Mode: mode})
				elapsed += time.Since(start)
				b.StopTimer()
				stop()
				peak = max(peak, top.Load())
				if res.Created != rows || res.Failed != 0 {
					b.Fatalf("import: created %d, failed %d: %v", res.Created, res.Failed, errorLines(res))
				}
			}
			b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(base)/(1<<20), "base-heap-MiB")
		})
	}
}

// sampleHeap records the largest HeapInuse until stop is called.
func sampleHeap() (stop func(), top *atomic.Uint64) {
	top = new(atomic.Uint64)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > top.Load() {
				top.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, top
}
