package form

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkImportCSV imports generated member rows (100,000 unless
// TANGRAM_IMPORT_ROWS says otherwise) from CSV into the members form of the
// tests (text, a unique phone, a select by its Chinese label, a number, an
// auto-number) on the embedded store, in each mode. It reports rows/s, the
// peak Go heap while the import ran (sampled every 5 ms), the heap before
// it and the process's peak RSS, and logs progress to stderr every
// TANGRAM_IMPORT_LOG_EVERY rows. Run with
//
//	go test ./engine/form -run '^$' -bench ImportCSV -benchtime 1x
//	TANGRAM_IMPORT_ROWS=1000000 go test ./engine/form -run '^$' -bench 'ImportCSV/skip' -benchtime 1x -timeout 0
func BenchmarkImportCSV(b *testing.B) {
	rows := envInt(b, "TANGRAM_IMPORT_ROWS", 100_000)
	every := envInt(b, "TANGRAM_IMPORT_LOG_EVERY", 100_000)
	// The file is generated as it is read (genCSV), so the process holds
	// no copy of it: what the peak RSS shows is the import's.
	src := genCSV{rows: rows}
	fmt.Fprintf(os.Stderr, "generating %d rows, %.1f MiB CSV; rss %s\n", rows, float64(src.size())/(1<<20), procMem())
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
				last := 0
				o := ImportOptions{Mode: mode, Progress: func(p ImportProgress) {
					if p.Rows/every > last/every {
						last = p.Rows
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						s := time.Since(start).Seconds()
						fmt.Fprintf(os.Stderr, "%s %s rows=%d ok=%d failed=%d t=%.1fs rate=%.0f rows/s heapInuse=%.1fMiB peakHeap=%.1fMiB %s\n",
							mode, p.Phase, p.Rows, p.OK, p.Failed, s, float64(p.Rows)/s,
							float64(m.HeapInuse)/(1<<20), float64(top.Load())/(1<<20), procMem())
					}
					if p.Rows < last { // a new phase
						last = p.Rows
					}
				}}
				sh, err := OpenCSV(src, src.size(), "en")
				if err != nil {
					b.Fatal(err)
				}
				o.Lang = "en"
				im, err := e.rec.PrepareImport(e.ctx, e.admin, "crm", "members", sh, o)
				if err != nil {
					b.Fatal(err)
				}
				res, err := im.Run(e.ctx)
				if err != nil {
					b.Fatal(err)
				}
				_ = sh.Close()
				elapsed += time.Since(start)
				b.StopTimer()
				stop()
				peak = max(peak, top.Load())
				fmt.Fprintf(os.Stderr, "%s done: rows=%d created=%d failed=%d t=%.1fs peakHeap=%.1fMiB %s\n",
					mode, res.Rows, res.Created, res.Failed, time.Since(start).Seconds(), float64(peak)/(1<<20), procMem())
				if res.Created != rows || res.Failed != 0 {
					b.Fatalf("import: created %d, failed %d: %v", res.Created, res.Failed, errorLines(res))
				}
			}
			b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(base)/(1<<20), "base-heap-MiB")
			b.ReportMetric(float64(procKiB("VmHWM"))/1024, "peak-rss-MiB")
		})
	}
}

// genCSV is a CSV file of member rows made on demand: every data row has
// the same length, so the bytes at any offset are computed, not stored.
type genCSV struct{ rows int }

const (
	genHeader = "姓名,手机号,等级,积分,门店,备注\n"
	genRowLen = len("会员000000,13900000000,普通,0000,store_000,普通会员无需备注\n")
)

func (g genCSV) size() int64 { return int64(len(genHeader) + g.rows*genRowLen) }

// row renders data row i (0-based): every tenth a gold member, whose note
// is required.
func (g genCSV) row(i int) string {
	tier, note := "普通", "普通会员无需备注"
	if i%10 == 0 {
		tier, note = "金卡", "金卡会员须填备注"
	}
	return fmt.Sprintf("会员%06d,139%08d,%s,%04d,store_%03d,%s\n", i, i, tier, i%5000, i%200, note)
}

// ReadAt implements io.ReaderAt over the generated file.
func (g genCSV) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at >= g.size() {
			return n, io.EOF
		}
		var chunk string
		var skip int64
		if at < int64(len(genHeader)) {
			chunk, skip = genHeader, at
		} else {
			i := (at - int64(len(genHeader))) / int64(genRowLen)
			chunk, skip = g.row(int(i)), (at-int64(len(genHeader)))%int64(genRowLen)
		}
		n += copy(p[n:], chunk[skip:])
	}
	return n, nil
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// procKiB reads a "kB" line of /proc/self/status (VmRSS, VmHWM); 0 if absent.
func procKiB(key string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func procMem() string {
	return fmt.Sprintf("rss=%.1fMiB hwm=%.1fMiB", float64(procKiB("VmRSS"))/1024, float64(procKiB("VmHWM"))/1024)
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

// TestGenCSV: the generated file reads the same in any slicing.
func TestGenCSV(t *testing.T) {
	g := genCSV{rows: 37}
	want := genHeader
	for i := range g.rows {
		want += g.row(i)
	}
	if int64(len(want)) != g.size() {
		t.Fatalf("size %d, want %d", g.size(), len(want))
	}
	got, err := io.ReadAll(io.NewSectionReader(g, 0, g.size()))
	if err != nil || string(got) != want {
		t.Fatalf("read %d bytes (%v)", len(got), err)
	}
	buf := make([]byte, 7)
	if n, _ := g.ReadAt(buf, 101); string(buf[:n]) != want[101:108] {
		t.Fatalf("ReadAt 101: %q", buf[:n])
	}
}
