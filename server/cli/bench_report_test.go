package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The report and dashboard scenarios against a real server: `tangram
// serve`'s wiring on a loopback port, crm-retail with 300 demo members
// (sales over the 24 months before now) and its rollups built.

var (
	reportOnce sync.Once
	reportFx   checkoutFixture
)

func reportServer(t *testing.T) *checkoutFixture {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a server with demo data")
	}
	reportOnce.Do(func() { reportFx.err = buildBenchServer(&reportFx, 300) })
	if reportFx.err != nil {
		t.Fatal(reportFx.err)
	}
	return &reportFx
}

// benchJSON runs `tangram bench` with args plus the server's URL and
// credentials and -json, and decodes the report.
func benchJSON(t *testing.T, fx *checkoutFixture, args ...string) BenchReport {
	t.Helper()
	var out bytes.Buffer
	args = append(args, "-url", fx.url, "-password", fx.password, "-json")
	if err := RunBench(context.Background(), args, &out); err != nil {
		t.Fatalf("bench %v: %v", args, err)
	}
	var rep BenchReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	return rep
}

func TestBenchReportScenario(t *testing.T) {
	fx := reportServer(t)
	runs0 := fx.svc.Reports.Stats.Runs.Load()
	hits0 := fx.svc.Reports.Stats.CacheHits.Load()
	rep := benchJSON(t, fx, "report", "-report", "sales-by-store-month", "-params", `{"period":"thisYear"}`,
		"-cold", "2", "-c", "2", "-n", "6", "-pid", fmt.Sprint(os.Getpid()))
	if rep.Scenario != "report" || rep.Requests != 6 || rep.OK != 6 || rep.Errors != 0 {
		t.Fatalf("load: %+v", rep)
	}
	c := rep.Cold
	if c == nil || c.How != "noCache" || len(c.Runs) != 2 || c.Cached != 0 || c.Rows == 0 || c.Bytes == 0 {
		t.Fatalf("cold: %+v", c)
	}
	if c.Source != "rollup" {
		t.Errorf("cold source %q, want rollup (the template builds its rollups at start)", c.Source)
	}
	for _, ms := range c.Runs {
		if ms <= 0 {
			t.Errorf("cold run of %v ms", ms)
		}
	}
	// 2 cold runs computed the report; the 6 warm ones came from the
	// cache (the second cold run stored what the 6 then read).
	if runs := fx.svc.Reports.Stats.Runs.Load() - runs0; runs != 8 {
		t.Errorf("%d runs on the server, want 8", runs)
	}
	if hits := fx.svc.Reports.Stats.CacheHits.Load() - hits0; hits != 6 {
		t.Errorf("%d cache hits, want the 6 warm requests", hits)
	}
	m := rep.Memory
	if m == nil || m.PID != os.Getpid() || m.RSSBefore <= 0 || m.HWMAfter < m.RSSAfter || m.HWMAfter < m.HWMBefore {
		t.Errorf("memory: %+v", m)
	}
}

func TestBenchDashboardScenario(t *testing.T) {
	fx := reportServer(t)
	// A period no other test asks for: the first request is cold.
	filters := `{"period":{"from":"2025-12-01","to":"2026-02-15"}}`
	rep := benchJSON(t, fx, "dashboard", "-dashboard", "hq-cockpit", "-params", filters, "-c", "1", "-n", "3")
	c := rep.Cold
	if c == nil || c.How != "first request" || c.Widgets != 10 || c.Failed != 0 || c.Cached != 0 || len(c.Runs) != 1 || c.Rows == 0 {
		t.Fatalf("cold: %+v", c)
	}
	if !strings.Contains(c.Source, "rollup") || !strings.Contains(c.Source, "raw") {
		t.Errorf("cold source %q: the cockpit has widgets on rollups and on the records", c.Source)
	}
	if rep.OK != 3 || rep.Errors != 0 || rep.Memory != nil {
		t.Fatalf("warm: %+v", rep)
	}
	// The same again: every widget now comes from the cache, and the
	// report says the figure is not cold.
	again := benchJSON(t, fx, "dashboard", "-params", filters, "-n", "1")
	if again.Cold.Cached != 10 {
		t.Fatalf("second cold: %+v", again.Cold)
	}
	var out bytes.Buffer
	if err := RunBench(context.Background(), []string{"dashboard", "-params", filters, "-n", "1", "-url", fx.url, "-password", fx.password}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cold (first request)", "10 widgets, 0 failed", "NOT COLD: 10 widgets came from the result cache", "warm (", "p50"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBenchReportBadInput(t *testing.T) {
	fx := reportServer(t)
	base := []string{"-url", fx.url, "-password", fx.password, "-n", "1"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "-report", "no-such-report"}, "404"},
		{[]string{"dashboard", "-dashboard", "no-such-dashboard"}, "404"},
		{[]string{"report", "-params", `{"period":`}, "-params: want a JSON object"},
		{[]string{"report", "-params", `[1,2]`}, "-params: want a JSON object"},
		{[]string{"report", "-params", `{"period":42}`}, "400"},
		{[]string{"report", "-params", `{"nope":1}`}, "400"},
		{[]string{"dashboard", "-params", `{"nope":"x"}`}, "400"},
		{[]string{"report", "-cold", "0"}, "-cold must be between 1 and 100"},
		{[]string{"report", "-pid", "-3"}, "must not be negative"},
		{[]string{"report", "-pid", "999999999"}, "-pid 999999999"},
	} {
		err := RunBench(context.Background(), append(tc.args, base...), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

func TestBenchWaitForServer(t *testing.T) {
	fx := reportServer(t)
	// A live server answers at once.
	start := time.Now()
	if err := waitServer(context.Background(), &BenchConfig{URL: fx.url, Wait: 5 * time.Second}); err != nil || time.Since(start) > 3*time.Second {
		t.Fatalf("wait for a live server: %v after %v", err, time.Since(start))
	}
	// Nothing listening: an error naming the address once the wait is up.
	err := RunBench(context.Background(), []string{"report", "-url", "http://127.0.0.1:1", "-password", "x", "-wait", "500ms"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "did not answer /healthz within 500ms") {
		t.Fatalf("got %v", err)
	}
}
