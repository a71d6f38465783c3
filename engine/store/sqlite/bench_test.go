package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Run with:
//
//	go test ./engine/store/sqlite -run '^$' -bench . -benchtime 2s
//
// Parallel benchmarks use 16 goroutines per GOMAXPROCS (32 on the 2-core
// reference machine), the load under which group commit matters.
const benchParallelism = 16

// benchDir holds datasets shared by benchmark runs of one process (each
// b.N round calls the function again); TestMain removes it.
var benchDir = sync.OnceValue(func() string {
	d, err := os.MkdirTemp("", "tangram-sqlite-bench")
	if err != nil {
		panic(err)
	}
	return d
})

var benchDirUsed atomic.Bool

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDirUsed.Load() {
		_ = os.RemoveAll(benchDir())
	}
	os.Exit(code)
}

func benchStore(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func member(i int) store.Doc {
	return store.Doc{
		"name": fmt.Sprintf("会员 %d", i), "phone": fmt.Sprintf("138%08d", i), "level": i % 5,
		"points": i % 10000, "balance": json.Number(fmt.Sprintf("%d.%02d", i%1000, i%100)),
		"tags": []any{"vip", fmt.Sprintf("t%d", i%7)}, "storeId": fmt.Sprintf("s%03d", i%200),
		"joinedAt": query.FormatTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)),
	}
}

// fill inserts n members in transactions of 1000.
func fill(b *testing.B, s *Store, coll string, n int) {
	b.Helper()
	ctx := context.Background()
	for i := 0; i < n; i += 1000 {
		err := s.Tx(ctx, func(tx store.Ops) error {
			for j := i; j < min(i+1000, n); j++ {
				d := member(j)
				d["_id"] = fmt.Sprintf("m%08d", j)
				if _, err := tx.Insert(ctx, coll, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// reportRate adds operations per second and, for writes (s not nil),
// requests per commit since the given counter values.
func reportRate(b *testing.B, s *Store, commits0, committed0 int64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if s == nil {
		return
	}
	if c := s.w.commits.Load() - commits0; c > 0 {
		b.ReportMetric(float64(s.w.committed.Load()-committed0)/float64(c), "req/commit")
	}
}

func BenchmarkInsert(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		s := benchStore(b)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := s.Insert(ctx, "members", member(i)); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, s, 0, 0)
	})
	b.Run("parallel", func(b *testing.B) {
		s := benchStore(b)
		ctx := context.Background()
		var n atomic.Int64
		b.SetParallelism(benchParallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Insert(ctx, "members", member(int(n.Add(1)))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b, s, 0, 0)
	})
}

// BenchmarkBatchInsert compares ways of storing 1,000 documents in one
// durable transaction: one Insert per document, and one InsertMany
// (multi-row statements). ops/s counts documents.
func BenchmarkBatchInsert(b *testing.B) {
	const batch = 1000
	docs := func(from int) []store.Doc {
		out := make([]store.Doc, batch)
		for i := range out {
			out[i] = member(from + i)
		}
		return out
	}
	run := func(b *testing.B, write func(ctx context.Context, tx store.Ops, d []store.Doc) error) {
		s := benchStore(b)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			d := docs(i * batch)
			if err := s.Tx(ctx, func(tx store.Ops) error { return write(ctx, tx, d) }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "docs/s")
	}
	b.Run("Insert", func(b *testing.B) {
		run(b, func(ctx context.Context, tx store.Ops, d []store.Doc) error {
			for _, doc := range d {
				if _, err := tx.Insert(ctx, "members", doc); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("InsertMany", func(b *testing.B) {
		run(b, func(ctx context.Context, tx store.Ops, d []store.Doc) error {
			_, err := tx.InsertMany(ctx, "members", d)
			return err
		})
	})
}

func BenchmarkGetByID(b *testing.B) {
	s := benchStore(b)
	const n = 10000
	fill(b, s, "members", n)
	ctx := context.Background()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			if _, err := s.Get(ctx, "members", fmt.Sprintf("m%08d", rng.IntN(n))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, nil, 0, 0)
}

func BenchmarkIndexedFind(b *testing.B) {
	s := benchStore(b)
	const n = 100000
	if err := s.EnsureIndexes(context.Background(), "members", []store.Index{{Name: "phone_u", Fields: []string{"phone"}, Unique: true}}); err != nil {
		b.Fatal(err)
	}
	fill(b, s, "members", n)
	ctx := context.Background()
	phone := query.Field{Path: "phone", Kind: query.KindString}
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			docs, err := s.Find(ctx, "members", store.Query{Filter: query.Eq(phone, query.Str(fmt.Sprintf("138%08d", rng.IntN(n)))), Limit: 10})
			if err != nil || len(docs) != 1 {
				b.Errorf("find: %d docs, %v", len(docs), err)
				return
			}
		}
	})
	reportRate(b, nil, 0, 0)
}

// BenchmarkConditionalUpdate decrements balances under a condition (the
// no-overdraw pattern) from 32 goroutines over 1000 accounts.
func BenchmarkConditionalUpdate(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	const accounts = 1000
	err := s.Tx(ctx, func(tx store.Ops) error {
		for i := 0; i < accounts; i++ {
			if _, err := tx.Insert(ctx, "accounts", store.Doc{"_id": fmt.Sprint(i), "points": int64(1) << 40}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	points := query.Field{Path: "points", Kind: query.KindInt}
	c0, r0 := s.w.commits.Load(), s.w.committed.Load()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 3))
		for pb.Next() {
			_, err := s.Update(ctx, "accounts", fmt.Sprint(rng.IntN(accounts)),
				store.Patch{Inc: map[string]int64{"points": -7}}, query.Cmp(points, query.OpGte, query.Int(7)))
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, s, c0, r0)
}

// BenchmarkTx5Writes runs a checkout-like transaction: read an account,
// two conditional updates, two inserts.
func BenchmarkTx5Writes(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	const accounts = 1000
	err := s.Tx(ctx, func(tx store.Ops) error {
		for i := 0; i < accounts; i++ {
			if _, err := tx.Insert(ctx, "accounts", store.Doc{"_id": fmt.Sprint(i), "points": int64(1) << 40, "stored": int64(1) << 40}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	points := query.Field{Path: "points", Kind: query.KindInt}
	stored := query.Field{Path: "stored", Kind: query.KindInt}
	c0, r0 := s.w.commits.Load(), s.w.committed.Load()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 4))
		for pb.Next() {
			acct := fmt.Sprint(rng.IntN(accounts))
			err := s.Tx(ctx, func(tx store.Ops) error {
				if _, err := tx.Get(ctx, "accounts", acct); err != nil {
					return err
				}
				if _, err := tx.Update(ctx, "accounts", acct, store.Patch{Inc: map[string]int64{"points": -10}},
					query.Cmp(points, query.OpGte, query.Int(10))); err != nil {
					return err
				}
				if _, err := tx.Update(ctx, "accounts", acct, store.Patch{Inc: map[string]int64{"stored": -500}},
					query.Cmp(stored, query.OpGte, query.Int(500))); err != nil {
					return err
				}
				if _, err := tx.Insert(ctx, "sales", store.Doc{"account": acct, "total": json.Number("123.45"), "items": []any{store.Doc{"sku": "A1", "qty": 2}}}); err != nil {
					return err
				}
				_, err := tx.Insert(ctx, "outbox", store.Doc{"event": "sale.created", "account": acct})
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRate(b, s, c0, r0)
}

// agg1M is the shared 1,000,000-sale dataset, built at most once per
// process and only when an aggregation benchmark runs.
var agg1M = sync.OnceValues(func() (*Store, error) {
	benchDirUsed.Store(true)
	s, err := Open(context.Background(), filepath.Join(benchDir(), "agg1m.db"), store.Options{})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const n, batch = 1_000_000, 5000
	for i := 0; i < n; i += batch {
		err := s.Tx(ctx, func(tx store.Ops) error {
			for j := i; j < i+batch; j++ {
				_, err := tx.Insert(ctx, "sales", store.Doc{
					"storeId": fmt.Sprintf("s%03d", j%200), "member": fmt.Sprintf("m%06d", j%100000),
					"qty": j%9 + 1, "amount": json.Number(fmt.Sprintf("%d.%02d", j%500, j%100)),
					"at": query.FormatTime(base.Add(time.Duration(j) * 47 * time.Second)),
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
})

// BenchmarkAggregateGroupBy1M groups 1,000,000 sales by store and month
// (Asia/Shanghai) with a count, an integer sum and an exact decimal sum.
func BenchmarkAggregateGroupBy1M(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-document dataset")
	}
	start := time.Now()
	s, err := agg1M()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("dataset ready after %v", time.Since(start))
	fs := query.NewFields(
		query.Field{Path: "storeId", Kind: query.KindString},
		query.Field{Path: "at", Kind: query.KindTime},
		query.Field{Path: "qty", Kind: query.KindInt},
		query.Field{Path: "amount", Kind: query.KindDecimal},
	)
	for _, c := range []struct{ name, spec string }{
		{"storeXmonth", `{"groupBy":[{"field":"storeId"},{"field":"at","bucket":"month"}],"measures":[{"op":"count"},{"op":"sum","field":"qty"}]}`},
		{"storeXmonth_decimalSum", `{"groupBy":[{"field":"storeId"},{"field":"at","bucket":"month"}],"measures":[{"op":"count"},{"op":"sum","field":"qty"},{"op":"sum","field":"amount"}]}`},
		{"store", `{"groupBy":[{"field":"storeId"}],"measures":[{"op":"count"},{"op":"sum","field":"qty"}]}`},
	} {
		spec, err := query.ParseAggregate([]byte(c.spec), fs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rows, err := s.Aggregate(context.Background(), "sales", spec)
				if err != nil || len(rows) == 0 {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
		})
	}
}

// BenchmarkRawDurableTx is the reference: one-row transactions straight on
// a SQLite file with the adapter's pragmas (WAL, synchronous=FULL), one
// fsync each, no adapter in between.
func BenchmarkRawDurableTx(b *testing.B) {
	db, err := openDB(dsn(filepath.Join(b.TempDir(), "raw.db"), false))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, createTableSQL("raw")); err != nil {
		b.Fatal(err)
	}
	ins, err := conn.PrepareContext(ctx, `INSERT INTO "c_raw" (id, doc) VALUES (?, `+docIn+`)`)
	if err != nil {
		b.Fatal(err)
	}
	defer ins.Close()
	body, _ := json.Marshal(member(1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			b.Fatal(err)
		}
		if _, err := ins.ExecContext(ctx, store.NewID(), string(body)); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
