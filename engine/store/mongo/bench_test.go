package mongo

// These benchmarks run the adapter on lungo's in-memory engine. They measure
// the adapter plus lungo (which copies data on write and serialises
// writers), NOT MongoDB: never quote them as MongoDB performance. Datasets
// are kept small (lungo slows down as the database grows).
//
//	go test ./engine/store/mongo/ -run '^$' -bench Lungo -benchtime 2s

import (
	"context"
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

const benchDocs = 1000

// seedLungo opens lungo with benchDocs members m0000..m0999 and an index
// on "code".
func seedLungo(b *testing.B) *Store {
	b.Helper()
	s := newLungo(b, store.Options{})
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx, "members", []store.Index{{Name: "code", Fields: []string{"code"}, Unique: true}}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchDocs; i++ {
		_, err := s.Insert(ctx, "members", store.Doc{
			"_id": fmt.Sprintf("m%04d", i), "code": fmt.Sprintf("C%04d", i), "tier": "gold", "balance": 1 << 40,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkLungoInsert(b *testing.B) {
	s := newLungo(b, store.Options{})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%benchDocs == 0 {
			// Start over every benchDocs inserts: lungo's cost grows with
			// the database's size, and the figure is for a small one.
			b.StopTimer()
			_ = s.Close()
			s = newLungo(b, store.Options{})
			b.StartTimer()
		}
		if _, err := s.Insert(ctx, "sales", store.Doc{"store": "s1", "amount": 1990, "member": "m0001"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLungoGetByID(b *testing.B) {
	s := seedLungo(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Get(ctx, "members", fmt.Sprintf("m%04d", i%benchDocs)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLungoFindIndexed(b *testing.B) {
	s := seedLungo(b)
	ctx := context.Background()
	code := query.Field{Path: "code", Kind: query.KindString}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		docs, err := s.Find(ctx, "members", store.Query{Filter: query.Eq(code, query.Str(fmt.Sprintf("C%04d", i%benchDocs)))})
		if err != nil || len(docs) != 1 {
			b.Fatal(len(docs), err)
		}
	}
}

func BenchmarkLungoConditionalUpdate(b *testing.B) {
	s := seedLungo(b)
	ctx := context.Background()
	cond := query.Cmp(fBalance, query.OpGte, query.Int(1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := s.Update(ctx, "members", fmt.Sprintf("m%04d", i%benchDocs), store.Patch{Inc: map[string]int64{"balance": -1}}, cond)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLungoTx5Writes(b *testing.B) {
	s := seedLungo(b)
	ctx := context.Background()
	cond := query.Cmp(fBalance, query.OpGte, query.Int(1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.Tx(ctx, func(tx store.Ops) error {
			for j := 0; j < 4; j++ {
				id := fmt.Sprintf("m%04d", (i*4+j)%benchDocs)
				if _, err := tx.Update(ctx, "members", id, store.Patch{Inc: map[string]int64{"balance": -1}}, cond); err != nil {
					return err
				}
			}
			_, err := tx.Insert(ctx, "sales", store.Doc{"store": "s1", "amount": 1990})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
