package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
	"github.com/tangram/tangram/server/api"
)

// BenchmarkCheckoutHTTP is the CRM template's own POS checkout over HTTP,
// in one process: a SQLite store with crm-retail and its demo data
// (TANGRAM_BENCH_MEMBERS, default 2,000), `tangram serve`'s wiring on a
// loopback port, and `tangram bench checkout`'s load (32 clients, 10%
// coupons, 20% stored value) for b.N checkouts. It reports what the CLI
// reports plus the process CPU per checkout (server and load generator
// together), which contention changes much less than wall time. Run it
// with -cpuprofile to see where a checkout goes; TANGRAM_BENCH_SPECULATE=0
// (or 1) runs the actions without (with) speculation, and
// TANGRAM_BENCH_NO_ROLLUPS=1 detaches the report rollups' write hook
// (to see what it costs):
//
//	TANGRAM_BENCH_CPUPROFILE=/tmp/checkout.prof go test ./server/cli -run '^$' -bench CheckoutHTTP -benchtime 3000x
//
// (TANGRAM_BENCH_CPUPROFILE profiles the checkouts alone; -cpuprofile
// would also profile the demo data's generation.)
func BenchmarkCheckoutHTTP(b *testing.B) {
	fx := checkoutServer(b)
	ctx := context.Background()
	svc := fx.svc
	cfg := BenchConfig{URL: fx.url, User: "admin", Password: fx.password, App: "crm",
		Clients: 32, N: b.N, Sample: 2000, Coupons: 10, StoredValue: 20, Timeout: 30 * time.Second}
	c, err := NewBenchClient(ctx, &cfg)
	if err != nil {
		b.Fatal(err)
	}
	next, err := prepareCheckout(ctx, c, &cfg)
	if err != nil {
		b.Fatal(err)
	}
	if p := os.Getenv("TANGRAM_BENCH_CPUPROFILE"); p != "" && b.N > 1 {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	spec0 := svc.Actions.SpecCounts()
	cpu0 := cpuTime()
	b.ResetTimer()
	rep := runLoad(ctx, c, &cfg, next)
	b.StopTimer()
	cpu := cpuTime() - cpu0
	if rep.Errors > 0 {
		b.Fatalf("%d of %d checkouts failed: %v", rep.Errors, rep.Requests, rep.ByCode)
	}
	fmt.Fprintf(os.Stderr, "checkout over HTTP: %d checkouts, %.1f/s, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, CPU %.2f ms per checkout\n",
		rep.OK, rep.Throughput, rep.P50, rep.P95, rep.P99, float64(cpu.Microseconds())/1000/float64(rep.OK))
	spec := svc.Actions.SpecCounts()
	fmt.Fprintf(os.Stderr, "speculations: %d committed, %d stale, %d diverged, %d abandoned, %d final, %d runs inside the writer\n",
		spec.Committed-spec0.Committed, spec.Stale-spec0.Stale, spec.Diverged-spec0.Diverged, spec.Abandoned-spec0.Abandoned, spec.Final-spec0.Final, spec.Skipped-spec0.Skipped)
	b.ReportMetric(rep.Throughput, "checkouts/s")
	b.ReportMetric(rep.P99, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(rep.OK), "cpu-µs/op")
}

// checkoutFixture is the server the checkout benchmark loads: built once
// per process (the benchmark runs once with b.N = 1 before the measured
// run) and closed by TestMain.
type checkoutFixture struct {
	svc           *api.Services
	url, password string
	close         func()
	err           error
}

var (
	checkoutOnce sync.Once
	checkoutFx   checkoutFixture
)

// TestMain closes the benchmark and scenario test servers built.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, fx := range []*checkoutFixture{&checkoutFx, &reportFx} {
		if fx.close != nil {
			fx.close()
		}
	}
	os.Exit(code)
}

// checkoutServer builds (once) the benchmark's server: a SQLite store in a
// temporary directory, `tangram serve`'s wiring, crm-retail with its demo
// data, listening on a loopback port.
func checkoutServer(b *testing.B) *checkoutFixture {
	checkoutOnce.Do(func() {
		members := 2000
		if s := os.Getenv("TANGRAM_BENCH_MEMBERS"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				checkoutFx.err = fmt.Errorf("TANGRAM_BENCH_MEMBERS=%q", s)
				return
			}
			members = n
		}
		checkoutFx.err = buildBenchServer(&checkoutFx, members)
	})
	if checkoutFx.err != nil {
		b.Fatal(checkoutFx.err)
	}
	return &checkoutFx
}

// buildBenchServer builds a server with crm-retail and members demo
// members into fx.
func buildBenchServer(fx *checkoutFixture, members int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tangram-bench-checkout")
	if err != nil {
		return err
	}
	var closers []func()
	fx.close = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
		_ = os.RemoveAll(dir)
	}
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(dir, "bench.db")), store.Options{})
	if err != nil {
		return err
	}
	closers = append(closers, func() { _ = st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, svc, err := api.Wire(ctx, st, api.WireOptions{Log: log, DataDir: dir, SLAEvery: -1})
	if err != nil {
		return err
	}
	closers = append(closers, svc.Close)
	fx.svc, fx.password = svc, "bench-checkout-Pw1!"
	if _, _, err := svc.Auth.EnsureAdmin(ctx, fx.password); err != nil {
		return err
	}
	if os.Getenv("TANGRAM_BENCH_NO_ROLLUPS") == "1" {
		svc.Records.SetWriteHook(nil) // what the checkout costs without the report rollups' write hook
	}
	switch os.Getenv("TANGRAM_BENCH_SPECULATE") {
	case "0":
		svc.Actions.SetSpeculation(action.SpeculateNever)
	case "1":
		svc.Actions.SetSpeculation(action.SpeculateAlways)
	}
	if err := installAtStart(ctx, st, svc, "crm-retail", members, log); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = srv.App.Listener(ln) }()
	closers = append(closers, func() { _ = srv.App.ShutdownWithTimeout(5 * time.Second) })
	fx.url = "http://" + ln.Addr().String()
	return nil
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
