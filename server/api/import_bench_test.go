package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api"
)

// BenchmarkImportHTTP imports generated member rows through POST
// .../import over loopback: the CSV is written into the request as it is
// sent (chunked, through a pipe), so neither side holds a copy and the
// process's peak RSS is the server's import plus a small client. Two
// servers: "records" has the records service alone; "wired" is the
// service graph `tangram serve` runs (api.Wire: report rollups kept by
// every write, automations, workflows). Rows per run:
// TANGRAM_IMPORT_ROWS (default 100,000); mode: TANGRAM_IMPORT_MODE (skip
// or all, default skip). Run with
//
//	go test ./server/api -run '^$' -bench ImportHTTP -benchtime 1x
//	TANGRAM_IMPORT_ROWS=1000000 go test ./server/api -run '^$' -bench ImportHTTP/records -benchtime 1x -timeout 0
func BenchmarkImportHTTP(b *testing.B) {
	b.Run("records", func(b *testing.B) { benchImport(b, newBenchServer) })
	b.Run("wired", func(b *testing.B) { benchImport(b, newWiredBenchServer) })
}

// newWiredBenchServer serves the whole service graph (api.Wire) on a
// loopback port over a fresh SQLite file, signed in as the admin.
func newWiredBenchServer(b *testing.B) *benchServer {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(b.TempDir(), "bench.db")), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv, svc, err := api.Wire(ctx, st, api.WireOptions{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), DataDir: b.TempDir(),
		Auth: auth.Config{Hash: auth.HashParams{Time: 1, Memory: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}}, Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	const password = "Bench-Admin-Pa55word!"
	if _, _, err := svc.Auth.EnsureAdmin(ctx, password); err != nil {
		b.Fatal(err)
	}
	s := &benchServer{b: b, st: st, url: serveBench(b, srv, svc.Close, func() { _ = st.Close() }), client: &http.Client{Timeout: 30 * time.Second}}
	s.signIn(password)
	return s
}

func benchImport(b *testing.B, newServer func(*testing.B) *benchServer) {
	rows := 100_000
	if v := os.Getenv("TANGRAM_IMPORT_ROWS"); v != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
		if err != nil || n <= 0 {
			b.Fatalf("TANGRAM_IMPORT_ROWS=%q", v)
		}
		rows = n
	}
	mode := os.Getenv("TANGRAM_IMPORT_MODE")
	if mode == "" {
		mode = "skip"
	}
	var elapsed time.Duration
	var bytesSent int64
	for range b.N {
		b.StopTimer()
		s := newServer(b)
		s.call("POST", "/api/apps/crm/meta/app/crm", appSpec, 201, nil)
		s.call("POST", "/api/apps/crm/meta/form/members", map[string]any{"spec": membersForm}, 201, nil)
		s.call("POST", "/api/apps/crm/meta/form/members/publish", nil, 200, nil)
		pr, pw := io.Pipe()
		counted := &countingReader{r: pr}
		go func() {
			bw := bufio.NewWriterSize(pw, 64<<10)
			fmt.Fprint(bw, "姓名,手机号,门店,积分,等级\n")
			for i := range rows {
				fmt.Fprintf(bw, "会员%07d,139%08d,store_%03d,%d,普通\n", i, i, i%500, i%10000)
			}
			pw.CloseWithError(bw.Flush())
		}()
		req, _ := http.NewRequest("POST", s.url+"/api/apps/crm/forms/members/import?mode="+mode, counted)
		req.ContentLength = -1
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+s.token)
		b.StartTimer()
		start := time.Now()
		resp, err := (&http.Client{}).Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		elapsed += time.Since(start)
		b.StopTimer()
		var res struct {
			Created, Failed int
		}
		if err := json.Unmarshal(raw, &res); err != nil || resp.StatusCode != 200 || res.Created != rows {
			b.Fatalf("import: %d %s", resp.StatusCode, raw)
		}
		bytesSent += counted.n
	}
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(bytesSent)/float64(b.N)/(1<<20), "body-MiB")
	b.ReportMetric(float64(peakRSSKiB())/1024, "peak-rss-MiB")
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// peakRSSKiB is the process's peak resident set (VmHWM), 0 where
// /proc/self/status is missing.
func peakRSSKiB() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
