package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
)

// DryRun lets fn read its own writes, keeps none of them, and hands back
// fn's error.
func TestDryRunKeepsNothing(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+t.TempDir()+"/t.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	seen := false
	err = store.DryRun(ctx, st, func(tx store.Ops) error {
		if _, err := tx.Insert(ctx, "things", store.Doc{"_id": "a", "n": int64(1)}); err != nil {
			return err
		}
		_, err := tx.Get(ctx, "things", "a")
		seen = err == nil
		return nil
	})
	if err != nil || !seen {
		t.Fatalf("dry run: err %v, saw its write %v", err, seen)
	}
	if _, err := st.Get(ctx, "things", "a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the dry run's write was kept (get: %v)", err)
	}
	boom := errors.New("boom")
	if err := store.DryRun(ctx, st, func(store.Ops) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("fn's error: got %v", err)
	}
}
