package ledger_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
)

// benchLedger is a ledger over a fresh SQLite file (the embedded store,
// WAL, synchronous=FULL, group commit).
func benchLedger(b *testing.B) (*ledger.Ledger, store.Store) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(b.TempDir(), "bench.db")), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	l := ledger.New(st, ledger.Options{})
	if err := l.Init(ctx); err != nil {
		b.Fatal(err)
	}
	return l, st
}

// BenchmarkPostParallel: 32 goroutines, each on its own account, each
// alternating a credit of 2 and a debit of 1 (PostTx: one durable
// transaction per post, committed in groups by the SQLite writer).
func BenchmarkPostParallel(b *testing.B) {
	l, _ := benchLedger(b)
	ctx := context.Background()
	var owners atomic.Int64
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 goroutines in all
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		owner := fmt.Sprintf("m%d", owners.Add(1))
		for i := 0; pb.Next(); i++ {
			amount := int64(2)
			if i%2 == 1 {
				amount = -1
			}
			if _, err := l.PostTx(ctx, posting(owner, amount, fmt.Sprintf("%s-%d", owner, i))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkDebitWithLots: debits of 7 points from accounts holding open
// lots of 1,000 points with different expiries. Each debit reads the
// account and the first page of its lots, updates one or two lots and the
// account, and writes the entry with its allocations. serial: one account
// with 2,000 lots, one debit at a time (each waits for its own fsync);
// parallel32: 32 goroutines, each on its own account with 100 lots.
func BenchmarkDebitWithLots(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		l, st := benchLedger(b)
		seedLots(b, l, st, 1, 2000)
		b.ResetTimer()
		for i := range b.N {
			if _, err := l.PostTx(context.Background(), posting("m0", -7, fmt.Sprintf("d-%d", i))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "debits/s")
	})
	b.Run("parallel32", func(b *testing.B) {
		l, st := benchLedger(b)
		seedLots(b, l, st, 32, 100)
		var owners atomic.Int64
		b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			owner := fmt.Sprintf("m%d", owners.Add(1)-1)
			for i := 0; pb.Next(); i++ {
				if _, err := l.PostTx(context.Background(), posting(owner, -7, fmt.Sprintf("%s-d-%d", owner, i))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "debits/s")
	})
}

// seedLots credits owners m0..m<owners-1> with lots of 1,000 points each,
// expiring over the next year, 100 credits per transaction.
func seedLots(b *testing.B, l *ledger.Ledger, st store.Store, owners, lots int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	for start := 0; start < owners*lots; start += 100 {
		err := st.Tx(ctx, func(tx store.Ops) error {
			for n := start; n < min(start+100, owners*lots); n++ {
				p := posting(fmt.Sprintf("m%d", n%owners), 1000, fmt.Sprintf("lot-%d", n))
				p.ExpiresAt = now.Add(time.Duration(1+n%365) * 24 * time.Hour)
				if _, err := l.Post(ctx, tx, p); err != nil {
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
