package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/store/storetest"
)

// TestConformance runs the shared store suite on a database file in a
// temporary directory. One store serves every case (the suite gives each
// case its own collections), which also exercises group commit across the
// suite's parallel cases.
func TestConformance(t *testing.T) {
	var once sync.Once
	var st store.Store
	dir := t.TempDir()
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) store.Store {
			once.Do(func() {
				var err error
				st, err = store.Open(context.Background(), "sqlite://"+filepath.Join(dir, "conformance.db"), store.Options{})
				if err != nil {
					t.Fatalf("open: %v", err)
				}
			})
			return st
		},
	})
	if st != nil {
		if err := st.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
}

func TestPathOf(t *testing.T) {
	for raw, want := range map[string]string{
		"sqlite:///abs/path/tangram.db": "/abs/path/tangram.db",
		"sqlite://./relative.db":        "./relative.db",
		"sqlite://./data/tangram.db":    "./data/tangram.db",
		"sqlite://data/tangram.db":      "data/tangram.db",
		"sqlite://../up.db":             "../up.db",
		"sqlite:relative.db":            "relative.db",
		"sqlite:///with%20space/会员.db":  "/with space/会员.db",
		"sqlite:///":                    "",
		"sqlite://":                     "",
		"sqlite:///x.db?mode=ro":        "",
		"sqlite://user@host/x.db":       "",
		"sqlite:///x.db#frag":           "",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pathOf(u)
		if want == "" {
			if err == nil {
				t.Errorf("%s: accepted as %q, want refused", raw, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", raw, got, err, want)
		}
	}
}

// TestOpenRelativeURI opens through the registry with a relative path,
// creating the missing directory.
func TestOpenRelativeURI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	st, err := store.Open(t.Context(), "sqlite://./data/tangram.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Backend() != "sqlite" {
		t.Errorf("backend %q", st.Backend())
	}
	if err := st.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := st.(*Store).Path(); got != filepath.Join(dir, "data", "tangram.db") {
		t.Errorf("path %q", got)
	}
}

// TestErrorsHideDriverText: constraint and other driver failures reach
// callers only as coded errors with client-safe messages.
func TestErrorsHideDriverText(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	if err := s.EnsureIndexes(ctx, "c", []store.Index{{Name: "e_u", Fields: []string{"e"}, Unique: true}}); err != nil {
		t.Fatal(err)
	}
	_, _ = s.Insert(ctx, "c", store.Doc{"_id": "a", "e": "x"})
	_, err := s.Insert(ctx, "c", store.Doc{"_id": "b", "e": "x"})
	e, ok := errs.As(err)
	if !ok || !errors.Is(err, store.ErrDuplicate) || strings.Contains(e.Msg, "UNIQUE") || e.Cause == nil {
		t.Errorf("duplicate: %#v", err)
	}
	_, err = s.Update(ctx, "c", "a", store.Patch{Inc: map[string]int64{"e": 1}}, nil)
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("inc of text: %v", err)
	}
	_, err = s.Insert(ctx, "c", store.Doc{"bad": math.NaN()})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("NaN: %v", err)
	}
	mapped := mapErr(errors.New("disk I/O error"))
	if e, ok := errs.As(mapped); !ok || e.Class != errs.Internal || strings.Contains(e.Msg, "disk") {
		t.Errorf("unknown failure: %#v", mapped)
	}
}

// TestIncOverflowRefused: an increment past int64 is refused rather than
// turned into a float by SQLite.
func TestIncOverflowRefused(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	if _, err := s.Insert(ctx, "c", store.Doc{"_id": "a", "n": int64(math.MaxInt64 - 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "c", "a", store.Patch{Inc: map[string]int64{"n": 2}}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("overflow: %v", err)
	}
	d, err := s.Update(ctx, "c", "a", store.Patch{Inc: map[string]int64{"n": 1}}, nil)
	if err != nil || d["n"] != json.Number("9223372036854775807") {
		t.Errorf("inc to max: %v %v", d, err)
	}
}

// TestCollectionNamesAreCaseSensitive: SQLite table names are not, so the
// mapping must keep "Orders" and "orders" apart.
func TestCollectionNamesAreCaseSensitive(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	if _, err := s.Insert(ctx, "Orders", store.Doc{"_id": "x", "v": "upper"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, "orders", store.Doc{"_id": "x", "v": "lower"}); err != nil {
		t.Fatal(err)
	}
	for coll, want := range map[string]string{"Orders": "upper", "orders": "lower"} {
		if d, err := s.Get(ctx, coll, "x"); err != nil || d["v"] != want {
			t.Errorf("%s: %v %v", coll, d, err)
		}
	}
}

// TestCheckpointsOffTheWriter: the writer never checkpoints (its
// automatic checkpoints are off), and the checkpointer copies the WAL back
// into the database file shortly after writes.
func TestCheckpointsOffTheWriter(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "c.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var auto int
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d (%v), want 0", auto, err)
	}
	docs := make([]store.Doc, 3000)
	for i := range docs {
		docs[i] = store.Doc{"i": i, "pad": strings.Repeat("x", 200)}
	}
	if _, err := s.InsertMany(ctx, "c", docs); err != nil {
		t.Fatal(err)
	}
	// The rows are in the WAL; the database file gets them only from a
	// checkpoint, which nothing but the checkpointer makes.
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 600_000 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint: the database file has %d bytes", fi.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
