package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var fBalance = query.Field{Path: "balance", Kind: query.KindInt}

func TestUpdateDocGolden(t *testing.T) {
	u, err := updateDoc(store.Patch{
		Set:   map[string]any{"b.c": json.Number("1.50"), "a": "x"},
		Unset: []string{"old"},
		Inc:   map[string]int64{"n": -2},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"$set":{"a":"x","b.c":{"$numberDecimal":"1.50"}},"$unset":{"old":""},"$inc":{"n":-2}}`
	if got := extJSON(t, u); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	if u, err := updateDoc(store.Patch{}); err != nil || len(u) != 0 {
		t.Errorf("empty patch: %v %v", u, err)
	}
}

func TestUpdateDocRefuses(t *testing.T) {
	for name, p := range map[string]store.Patch{
		"set _id":        {Set: map[string]any{"_id": "x"}},
		"unset _id":      {Unset: []string{"_id"}},
		"inc _id.x":      {Inc: map[string]int64{"_id.x": 1}},
		"bad path":       {Set: map[string]any{"a..b": 1}},
		"dollar path":    {Set: map[string]any{"$set": 1}},
		"set and unset":  {Set: map[string]any{"a": 1}, Unset: []string{"a"}},
		"parent + child": {Set: map[string]any{"a": 1}, Inc: map[string]int64{"a.b": 1}},
		"unset twice":    {Unset: []string{"a", "a"}},
		"bad value":      {Set: map[string]any{"a": make(chan int)}},
	} {
		if _, err := updateDoc(p); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

func TestConditionalUpdateAndDelete(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.Insert(ctx, "acct", store.Doc{"_id": "a", "balance": 100}); err != nil {
			t.Fatal(err)
		}
		enough := func(n int64) *query.Node { return query.Cmp(fBalance, query.OpGte, query.Int(n)) }
		got, err := s.Update(ctx, "acct", "a", store.Patch{Inc: map[string]int64{"balance": -60}}, enough(60))
		if err != nil || got["balance"] != json.Number("40") {
			t.Fatalf("debit: %v %v", got, err)
		}
		if _, err := s.Update(ctx, "acct", "a", store.Patch{Inc: map[string]int64{"balance": -60}}, enough(60)); !errors.Is(err, store.ErrConditionFailed) {
			t.Errorf("overdraw: got %v, want ErrConditionFailed", err)
		}
		if _, err := s.Update(ctx, "acct", "zz", store.Patch{Inc: map[string]int64{"balance": 1}}, enough(0)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing: got %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "acct", "a", enough(41)); !errors.Is(err, store.ErrConditionFailed) {
			t.Errorf("conditional delete: got %v", err)
		}
		if err := s.Delete(ctx, "acct", "a", enough(40)); err != nil {
			t.Errorf("delete: %v", err)
		}
		if err := s.Delete(ctx, "acct", "a", nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete again: got %v", err)
		}
	})
}

// Concurrent debits with a no-overdraw condition never take the balance
// below zero and succeed exactly as often as the balance allows.
func TestConcurrentDebits(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.Insert(ctx, "acct", store.Doc{"_id": "a", "balance": 10}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, failed := 0, 0
		for i := 0; i < 25; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Update(ctx, "acct", "a", store.Patch{Inc: map[string]int64{"balance": -1}}, query.Cmp(fBalance, query.OpGte, query.Int(1)))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrConditionFailed):
					failed++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		d, err := s.Get(ctx, "acct", "a")
		if err != nil || d["balance"] != json.Number("0") || ok != 10 || failed != 15 {
			t.Errorf("balance %v (%v), %d debits, %d refused", d["balance"], err, ok, failed)
		}
	})
}

func TestIncOnDecimal(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.Insert(ctx, "acct", store.Doc{"_id": "a", "v": json.Number("10.50")}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Update(ctx, "acct", "a", store.Patch{Inc: map[string]int64{"v": 2}}, nil)
		if err != nil || got["v"] != json.Number("12.50") {
			t.Errorf("got %v %v, want 12.50", got["v"], err)
		}
	})
}
