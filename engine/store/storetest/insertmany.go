package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// insertMany checks store.Ops.InsertMany: order of ids, generated ids,
// batches larger than any adapter's statement, all-or-nothing on a
// duplicate (against stored documents, within the batch, on a unique
// index), the failing row named by store.FailedRow, and its place in a
// transaction.
func (s *suite) insertMany(t *testing.T) {
	st := s.open(t)
	count := func(t *testing.T, c string) int64 {
		t.Helper()
		n, err := st.Count(t.Context(), c, nil)
		mustNil(t, err, "count %s", c)
		return n
	}
	rows := func(n int, prefix string) []store.Doc {
		docs := make([]store.Doc, n)
		for i := range docs {
			docs[i] = store.Doc{"i": i, "name": fmt.Sprintf("会员 %d", i), "tags": []any{"a", i}}
			if prefix != "" {
				docs[i]["_id"] = fmt.Sprintf("%s%05d", prefix, i)
			}
		}
		return docs
	}
	wantRow := func(t *testing.T, err error, base error, row int) {
		t.Helper()
		if !wantIs(t, err, base, "InsertMany") {
			return
		}
		if got, ok := store.FailedRow(err); !ok || got != row {
			t.Errorf("FailedRow(%v) = %d, %v; want row %d", err, got, ok, row)
		}
	}

	t.Run("IdsInOrder", func(t *testing.T) {
		t.Parallel()
		c := coll("many")
		docs := rows(7, "")
		docs[2]["_id"] = "chosen-2"
		docs[4]["_id"] = "" // documented: an empty _id gets a new id
		before := fmt.Sprint(docs)
		ids, err := st.InsertMany(t.Context(), c, docs)
		mustNil(t, err, "InsertMany")
		if len(ids) != len(docs) || ids[2] != "chosen-2" {
			t.Fatalf("ids %v", ids)
		}
		if fmt.Sprint(docs) != before {
			t.Error("InsertMany changed the caller's documents")
		}
		seen := map[string]bool{}
		for i, id := range ids {
			if id == "" || seen[id] {
				t.Errorf("id %d %q empty or repeated", i, id)
			}
			seen[id] = true
			got, err := st.Get(t.Context(), c, id)
			mustNil(t, err, "get row %d", i)
			if got["i"] != num(itoa(i)) || got["name"] != fmt.Sprintf("会员 %d", i) {
				t.Errorf("row %d stored as %v", i, got)
			}
		}
	})

	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		c := coll("many_empty")
		ids, err := st.InsertMany(t.Context(), c, nil)
		mustNil(t, err, "InsertMany of nothing")
		if len(ids) != 0 || count(t, c) != 0 {
			t.Errorf("ids %v, count %d", ids, count(t, c))
		}
		_, err = st.InsertMany(t.Context(), "bad name!", nil)
		wantRefused(t, err, "InsertMany into a bad collection name")
	})

	t.Run("LargeBatch", func(t *testing.T) {
		t.Parallel()
		c := coll("many_large")
		ids, err := st.InsertMany(t.Context(), c, rows(2345, "r"))
		mustNil(t, err, "InsertMany of 2345")
		if len(ids) != 2345 || count(t, c) != 2345 || ids[2344] != "r02344" {
			t.Fatalf("%d ids, %d stored", len(ids), count(t, c))
		}
	})

	t.Run("DuplicateOfStored", func(t *testing.T) {
		t.Parallel()
		c := coll("many_dup")
		_, err := st.Insert(t.Context(), c, store.Doc{"_id": "d00300", "i": -1})
		mustNil(t, err, "insert")
		_, err = st.InsertMany(t.Context(), c, rows(400, "d"))
		wantRow(t, err, store.ErrDuplicate, 300)
		if n := count(t, c); n != 1 {
			t.Errorf("%d documents after a failed InsertMany, want the 1 stored before", n)
		}
	})

	t.Run("DuplicateWithinBatch", func(t *testing.T) {
		t.Parallel()
		c := coll("many_dupin")
		docs := rows(200, "w")
		docs[150]["_id"] = "w00003"
		_, err := st.InsertMany(t.Context(), c, docs)
		wantRow(t, err, store.ErrDuplicate, 150)
		if n := count(t, c); n != 0 {
			t.Errorf("%d documents after a failed InsertMany, want none", n)
		}
	})

	t.Run("UniqueIndex", func(t *testing.T) {
		t.Parallel()
		c := coll("many_unique")
		mustNil(t, st.EnsureIndexes(t.Context(), c, []store.Index{{Name: "phone", Fields: []string{"phone"}, Unique: true}}), "index")
		docs := rows(10, "")
		for i, d := range docs {
			d["phone"] = fmt.Sprintf("1390000%04d", i)
		}
		docs[8]["phone"] = docs[1]["phone"]
		_, err := st.InsertMany(t.Context(), c, docs)
		wantRow(t, err, store.ErrDuplicate, 8)
		docs[8]["phone"] = "13900009999"
		_, err = st.InsertMany(t.Context(), c, docs)
		mustNil(t, err, "InsertMany without the duplicate")
		if n := count(t, c); n != 10 {
			t.Errorf("%d documents, want 10", n)
		}
	})

	t.Run("InvalidRow", func(t *testing.T) {
		t.Parallel()
		c := coll("many_invalid")
		docs := rows(5, "")
		docs[3]["_id"] = 42
		_, err := st.InsertMany(t.Context(), c, docs)
		wantRefused(t, err, "InsertMany with a number _id")
		if row, ok := store.FailedRow(err); !ok || row != 3 {
			t.Errorf("FailedRow = %d, %v; want 3", row, ok)
		}
		if n := count(t, c); n != 0 {
			t.Errorf("%d documents after a refused InsertMany", n)
		}
	})

	t.Run("InTx", func(t *testing.T) {
		t.Parallel()
		c, other := coll("many_tx"), coll("many_txo")
		err := st.Tx(t.Context(), func(tx store.Ops) error {
			if _, err := tx.Insert(t.Context(), other, store.Doc{"_id": "before"}); err != nil {
				return err
			}
			ids, err := tx.InsertMany(t.Context(), c, rows(300, "t"))
			if err != nil {
				return err
			}
			// The transaction reads its own rows.
			got, err := tx.Find(t.Context(), c, store.Query{Filter: query.Eq(query.IDField, query.Str(ids[299]))})
			if err != nil || len(got) != 1 {
				return fmt.Errorf("read back in tx: %v %v", got, err)
			}
			return nil
		})
		mustNil(t, err, "tx")
		if count(t, c) != 300 || count(t, other) != 1 {
			t.Errorf("after commit: %d rows, %d other", count(t, c), count(t, other))
		}
		// Rolled back with the transaction.
		c2 := coll("many_txr")
		err = st.Tx(t.Context(), func(tx store.Ops) error {
			if _, err := tx.InsertMany(t.Context(), c2, rows(50, "u")); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) || count(t, c2) != 0 {
			t.Errorf("rollback: err %v, %d rows kept", err, count(t, c2))
		}
		// A failing InsertMany fails the transaction with the row named,
		// and nothing of it commits.
		c3 := coll("many_txf")
		_, err = st.Insert(t.Context(), c3, store.Doc{"_id": "v00010"})
		mustNil(t, err, "insert")
		err = st.Tx(t.Context(), func(tx store.Ops) error {
			_, err := tx.InsertMany(t.Context(), c3, rows(20, "v"))
			return err
		})
		wantRow(t, err, store.ErrDuplicate, 10)
		if n := count(t, c3); n != 1 {
			t.Errorf("%d documents after the failed transaction, want 1", n)
		}
	})
}
