package mongo

import (
	"context"
	"errors"
	"testing"

	"github.com/tangram/tangram/engine/store"
)

func TestTxCommit(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		err := s.Tx(ctx, func(tx store.Ops) error {
			if _, err := tx.Insert(ctx, "a", store.Doc{"_id": "x", "n": 1}); err != nil {
				return err
			}
			// Reads inside the transaction see its own writes.
			d, err := tx.Get(ctx, "a", "x")
			if err != nil {
				return err
			}
			_, err = tx.Insert(ctx, "b", store.Doc{"_id": "y", "copy": d["n"]})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"a", "b"} {
			if n, err := s.Count(ctx, c, nil); err != nil || n != 1 {
				t.Errorf("%s: count %d %v", c, n, err)
			}
		}
	})
}

func TestTxRollbackOnError(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.Tx(ctx, func(tx store.Ops) error {
			if _, err := tx.Insert(ctx, "a", store.Doc{"_id": "x"}); err != nil {
				return err
			}
			return boom
		})
		if err != boom { //nolint:errorlint // fn's error must come back unchanged
			t.Errorf("got %v, want fn's own error", err)
		}
		if _, err := s.Get(ctx, "a", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("write survived the rollback: %v", err)
		}
	})
}

func TestTxRollbackOnPanic(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		func() {
			defer func() {
				if r := recover(); r != "kaboom" {
					t.Errorf("recovered %v, want the original panic", r)
				}
			}()
			_ = s.Tx(ctx, func(tx store.Ops) error {
				if _, err := tx.Insert(ctx, "a", store.Doc{"_id": "x"}); err != nil {
					return err
				}
				panic("kaboom")
			})
			t.Error("Tx returned instead of panicking")
		}()
		if _, err := s.Get(ctx, "a", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("write survived the panic: %v", err)
		}
		// The store is usable afterwards (lungo's write lock was released).
		if _, err := s.Insert(ctx, "a", store.Doc{"_id": "x"}); err != nil {
			t.Errorf("insert after panic: %v", err)
		}
	})
}

func TestTxDuplicate(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.Insert(ctx, "a", store.Doc{"_id": "x"}); err != nil {
			t.Fatal(err)
		}
		err := s.Tx(ctx, func(tx store.Ops) error {
			if _, err := tx.Insert(ctx, "b", store.Doc{"_id": "new"}); err != nil {
				return err
			}
			_, err := tx.Insert(ctx, "a", store.Doc{"_id": "x"})
			return err
		})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("got %v, want ErrDuplicate", err)
		}
		if _, err := s.Get(ctx, "b", "new"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("first write survived: %v", err)
		}
	})
}

func TestDuplicateIsClientSafe(t *testing.T) {
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.Insert(ctx, "a", store.Doc{"_id": "x"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.Insert(ctx, "a", store.Doc{"_id": "x"})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("got %v", err)
		}
		// The driver's text stays in the hidden cause.
		var e interface{ Unwrap() error }
		if !errors.As(err, &e) || e.Unwrap() == nil {
			t.Errorf("driver cause not kept: %#v", err)
		}
	})
}
