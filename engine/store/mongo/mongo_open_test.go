package mongo

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

func TestRegisteredSchemes(t *testing.T) {
	for _, s := range []string{"mongodb", "mongodb+srv", "lungo"} {
		if !slices.Contains(store.Schemes(), s) {
			t.Errorf("scheme %q not registered", s)
		}
	}
}

func TestOpenLungoURIs(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "lungo://memory", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Backend() != BackendLungo {
		t.Errorf("backend %q", st.Backend())
	}
	_ = st.Close()

	// File-backed: data survives a reopen.
	path := filepath.Join(t.TempDir(), "data.lungo")
	st, err = store.Open(ctx, "lungo://"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Insert(ctx, "c", store.Doc{"_id": "kept"}); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	st, err = store.Open(ctx, "lungo://"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Get(ctx, "c", "kept"); err != nil {
		t.Errorf("after reopen: %v", err)
	}

	for _, bad := range []string{"lungo://elsewhere", "lungo://memory/x", "lungo://"} {
		if _, err := store.Open(ctx, bad, store.Options{}); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestOpenMongoFailsFast(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// Nothing listens on port 1: the ping must fail within the deadline.
	if _, err := store.Open(ctx, "mongodb://127.0.0.1:1/x?serverSelectionTimeoutMS=500", store.Options{}); err == nil {
		t.Error("opened a MongoDB that does not exist")
	}
	if _, err := Open(ctx, "mongodb://127.0.0.1:1/bad.name", store.Options{}); err == nil {
		t.Error("accepted a bad database name")
	}
}

func TestObserver(t *testing.T) {
	var mu sync.Mutex
	var got []string
	s := newLungo(t, store.Options{Observer: func(backend, op string, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if backend != BackendLungo || d < 0 {
			t.Errorf("observer got %s %v", backend, d)
		}
		mark := ""
		if err != nil {
			mark = "!"
		}
		got = append(got, op+mark)
	}})
	ctx := context.Background()
	_, _ = s.Insert(ctx, "c", store.Doc{"_id": "a"})
	_, _ = s.Get(ctx, "c", "missing")
	_, _ = s.Find(ctx, "c", store.Query{})
	_, _ = s.Count(ctx, "c", nil)
	_, _ = s.Update(ctx, "c", "a", store.Patch{Set: map[string]any{"x": 1}}, nil)
	_, _ = s.Aggregate(ctx, "c", &query.Aggregate{})
	_ = s.Tx(ctx, func(tx store.Ops) error { return tx.Delete(ctx, "c", "a", nil) })
	_ = s.EnsureIndexes(ctx, "c", []store.Index{{Name: "x", Fields: []string{"x"}}})
	_ = s.Ping(ctx)
	want := []string{"insert", "get!", "find", "count", "update", "aggregate!", "delete", "tx", "ensure_indexes", "ping"}
	if !slices.Equal(got, want) {
		t.Errorf("observed %v, want %v", got, want)
	}
}

func TestBadCollectionNames(t *testing.T) {
	s := newLungo(t, store.Options{})
	ctx := context.Background()
	for _, c := range []string{"", "a.b", "$cmd", "system.users", "1abc"} {
		if _, err := s.Find(ctx, c, store.Query{}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("find %q: %v", c, err)
		}
		if err := s.EnsureIndexes(ctx, c, nil); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("indexes %q: %v", c, err)
		}
	}
}
