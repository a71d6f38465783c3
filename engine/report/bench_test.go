package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/templates"
)

// Report benchmarks on the crm-retail template's own reports, over
// generated data on SQLite (a file in a temporary directory):
//
//	TANGRAM_REPORT_BENCH_SALES    transactions (default 200000)
//	TANGRAM_REPORT_BENCH_MEMBERS  members (default 100000)
//	TANGRAM_REPORT_BENCH_STORES   stores (default 500)
//	TANGRAM_REPORT_BENCH_DIR      keep the generated database in this
//	                              directory and reuse it on the next run
//	                              (same sizes), instead of a temporary one
//	TANGRAM_REPORT_BENCH_CPUPROFILE  write a CPU profile of the cockpit
//	                              benchmarks' timed loop (not of the setup)
//
//	go test ./engine/report -run '^$' -bench . -benchtime 3x
//
// Sales span 15 months. The data is generated once per process and shared
// by the benchmarks; generating it is not timed.

type benchData struct {
	e          *env
	raw, built *Service // one reads the records, one answers from rollups
	err        error
	sales      int
	members    int
	genTime    time.Duration
	buildTime  time.Duration
}

var (
	benchOnce sync.Once
	bench     benchData
	benchDirs []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchEnv opens (once) the benchmark store with the generated data and a
// built rollup of sales-by-store-month.
func benchEnv(b *testing.B) *benchData {
	benchOnce.Do(func() {
		dir := os.Getenv("TANGRAM_REPORT_BENCH_DIR")
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "tangram-report-bench-"); err != nil {
				bench.err = err
				return
			}
			benchDirs = append(benchDirs, dir)
		} else if err := os.MkdirAll(dir, 0o750); err != nil {
			bench.err = err
			return
		}
		bench.err = bench.setUp(b, dir)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return &bench
}

func (bd *benchData) setUp(b *testing.B, dir string) error {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(dir, "bench.db")), store.Options{})
	if err != nil {
		return err
	}
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		return err
	}
	// A kept database (TANGRAM_REPORT_BENCH_DIR) already has the app and
	// its data: the generation is deterministic, so only its size is checked.
	reuse := false
	if _, err := ms.Published(ctx, "crm", meta.KindForm, "transactions"); err == nil {
		reuse = true
	} else if _, err := templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{Publish: true}, "admin"); err != nil {
		return err
	}
	guard := access.NewGuard(ms)
	rec := form.NewRecords(st, ms, guard, nil, nil)
	now := func() time.Time { return time.Date(2026, 3, 20, 10, 0, 0, 0, query.DefaultLocation) }
	bd.e = &env{t: b, ctx: ctx, st: st, meta: ms, rec: rec, admin: &auth.Principal{UserID: "admin", Admin: true}}
	bd.raw = New(Deps{Store: st, Meta: ms, Guard: guard, Records: rec, Now: now})
	bd.built = New(Deps{Store: st, Meta: ms, Guard: guard, Records: rec, Now: now})
	bd.built.Hook()
	bd.sales = envInt("TANGRAM_REPORT_BENCH_SALES", 200000)
	bd.members = envInt("TANGRAM_REPORT_BENCH_MEMBERS", 100000)
	start := time.Now()
	if reuse {
		n, err := st.Count(ctx, form.RecordsCollection("crm", "transactions"), nil)
		if err != nil {
			return err
		}
		if int(n) != bd.sales {
			return fmt.Errorf("%s holds %d sales, not %d: remove it or set TANGRAM_REPORT_BENCH_SALES", dir, n, bd.sales)
		}
	} else if err := bd.generate(ctx, envInt("TANGRAM_REPORT_BENCH_STORES", 500)); err != nil {
		return err
	}
	bd.genTime = time.Since(start)
	start = time.Now()
	if _, err := bd.built.BuildRollups(ctx, bd.e.admin, "crm"); err != nil {
		return err
	}
	bd.buildTime = time.Since(start)
	fmt.Fprintf(os.Stderr, "report bench: %d sales, %d members generated in %v; rollups built in %v\n", bd.sales, bd.members, bd.genTime, bd.buildTime)
	return nil
}

// generate writes the data with InsertMany in batches of 5,000 (the
// records service's own bulk path would also validate; its cost is the
// import benchmark's subject, not this one's).
func (bd *benchData) generate(ctx context.Context, nStores int) error {
	rng := rand.New(rand.NewPCG(42, 7))
	stamp := "2026-03-01T00:00:00.000Z"
	sys := func(id string, d store.Doc) store.Doc {
		d["_id"], d["_version"], d["_deleted"], d["_createdAt"], d["_updatedAt"] = id, int64(1), false, stamp, stamp
		return d
	}
	regions := []string{"east", "north", "south", "west", "central"}
	write := func(formKey string, n int, gen func(i int) store.Doc) error {
		coll := form.RecordsCollection("crm", formKey)
		batch := make([]store.Doc, 0, 5000)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			_, err := bd.e.st.InsertMany(ctx, coll, batch)
			batch = batch[:0]
			return err
		}
		for i := range n {
			batch = append(batch, gen(i))
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		_, err := bd.e.rec.Form(ctx, "crm", formKey) // its indexes
		return err
	}
	err := write("stores", nStores, func(i int) store.Doc {
		r := regions[i%5]
		return sys(fmt.Sprintf("s%05d", i), store.Doc{"code": fmt.Sprintf("S%05d", i), "name": fmt.Sprintf("门店%d", i), "region": r,
			"province": "浙江省", "orgUnit": "u-" + r, "status": "open"})
	})
	if err != nil {
		return err
	}
	tiers := []string{"normal", "normal", "silver", "gold", "diamond"}
	err = write("members", bd.members, func(i int) store.Doc {
		s := rng.IntN(nStores)
		m := store.Doc{"name": "会员", "phone": fmt.Sprintf("1%010d", i), "tier": tiers[rng.IntN(5)],
			"homeStore": fmt.Sprintf("s%05d", s), "homeUnit": "u-" + regions[s%5], "orders": int64(rng.IntN(30)),
			"spend12m": int64(rng.IntN(2000000)), "points": int64(rng.IntN(9000)), "balance": int64(rng.IntN(50000)),
			"registeredAt": query.FormatTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(800*24)) * time.Hour))}
		if intOf(m["orders"]) > 0 {
			m["lastPurchaseAt"] = query.FormatTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(440*24*60)) * time.Minute))
		}
		d := sys(fmt.Sprintf("m%07d", i), m)
		d["_createdAt"], d["_updatedAt"] = m["registeredAt"], m["registeredAt"]
		return d
	})
	if err != nil {
		return err
	}
	return write("transactions", bd.sales, func(i int) store.Doc {
		s := rng.IntN(nStores)
		paid := int64(rng.IntN(30000) + 100)
		at := query.FormatTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(444*24*60)) * time.Minute))
		d := sys(fmt.Sprintf("t%08d", i), store.Doc{"receiptId": fmt.Sprintf("R%08d", i), "store": fmt.Sprintf("s%05d", s),
			"storeUnit": "u-" + regions[s%5], "member": fmt.Sprintf("m%07d", rng.IntN(bd.members)), "paidAt": at,
			"amount": paid + 200, "discount": int64(200), "paid": paid,
			"status": []string{"completed", "completed", "completed", "completed", "refunded"}[rng.IntN(5)], "channel": "pos"})
		// Written when sold, as the checkout writes them: the stamps differ.
		d["_createdAt"], d["_updatedAt"] = at, at
		return d
	})
}

var wholeRange = map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2025-01-01", "to": "2026-03-31"}`)}

// runBench runs a report n times without the cache and reports rows,
// aggregations per run and the peak resident memory.
func runBench(b *testing.B, svc *Service, key string, params map[string]json.RawMessage, wantSource string) {
	bd := benchEnv(b)
	b.ReportAllocs()
	b.ResetTimer()
	var r *Result
	for b.Loop() {
		var err error
		if r, err = svc.Run(bd.e.ctx, bd.e.admin, "crm", key, RunRequest{Parameters: params, NoCache: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if wantSource != "" && r.Source != wantSource {
		b.Fatalf("source %s, want %s", r.Source, wantSource)
	}
	b.ReportMetric(float64(len(r.Rows)), "rows")
	b.ReportMetric(float64(bd.sales), "sales")
	b.ReportMetric(peakRSSMiB(), "peakRSS-MiB")
}

// peakRSSMiB is the process's peak resident set (Linux), else the Go heap.
func peakRSSMiB() float64 {
	if raw, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				f := strings.Fields(line)
				if kb, err := strconv.Atoi(f[1]); err == nil {
					return float64(kb) / 1024
				}
			}
		}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.Sys) / (1 << 20)
}

// Sales by store × month over every transaction, from the records.
func BenchmarkStoreMonthRaw(b *testing.B) {
	runBench(b, benchEnv(b).raw, "sales-by-store-month", wholeRange, "raw")
}

// The same report answered from its per-day rollup.
func BenchmarkStoreMonthRollup(b *testing.B) {
	runBench(b, benchEnv(b).built, "sales-by-store-month", wholeRange, "rollup")
}

// The same again from the result cache: what a dashboard refresh costs
// when nothing was written (the data-version reads and the cache lookup).
func BenchmarkStoreMonthCached(b *testing.B) {
	bd := benchEnv(b)
	req := RunRequest{Parameters: wholeRange}
	if _, err := bd.built.Run(bd.e.ctx, bd.e.admin, "crm", "sales-by-store-month", req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := bd.built.Run(bd.e.ctx, bd.e.admin, "crm", "sales-by-store-month", req)
		if err != nil || !r.Cached {
			b.Fatal(err, r.Cached)
		}
	}
}

// The HQ cockpit's nine widgets, cold (no cache) then warm.
func BenchmarkCockpitCold(b *testing.B) { cockpitBench(b, true) }

// BenchmarkCockpitWarm is the cockpit from the result cache.
func BenchmarkCockpitWarm(b *testing.B) { cockpitBench(b, false) }

func cockpitBench(b *testing.B, cold bool) {
	bd := benchEnv(b)
	req := DashboardRequest{Filters: map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2026-02-01", "to": "2026-02-28"}`)}}
	if p := os.Getenv("TANGRAM_REPORT_BENCH_CPUPROFILE"); p != "" && cold {
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
	b.ReportAllocs()
	for b.Loop() {
		if cold {
			bd.built.cache = newResultCache(512)
		}
		d, err := bd.built.RunDashboard(bd.e.ctx, bd.e.admin, "crm", "hq-cockpit", req)
		if err != nil {
			b.Fatal(err)
		}
		for _, w := range d.Widgets {
			if w.Error != nil {
				b.Fatalf("%s: %v", w.ID, w.Error)
			}
		}
	}
	b.ReportMetric(peakRSSMiB(), "peakRSS-MiB")
}
