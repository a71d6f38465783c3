package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

func (s *suite) indexes(t *testing.T) {
	st := s.open(t)
	ctx := t.Context()

	t.Run("Single", func(t *testing.T) {
		t.Parallel()
		c := coll("uniq")
		idx := []store.Index{
			{Name: "email_u", Fields: []string{"email"}, Unique: true},
			{Name: "phone_u", Fields: []string{"profile.phone"}, Unique: true},
			{Name: "created", Fields: []string{"-createdAt"}},
		}
		mustNil(t, st.EnsureIndexes(ctx, c, idx), "ensure indexes")
		mustNil(t, st.EnsureIndexes(ctx, c, idx), "ensure indexes again (idempotent)")
		mustNil(t, st.EnsureIndexes(ctx, c, idx[:1]), "ensure a subset")

		ins := func(id, email, phone string) error {
			_, err := st.Insert(ctx, c, store.Doc{"_id": id, "email": email, "profile": store.Doc{"phone": phone}, "createdAt": "2026-01-01T00:00:00.000Z"})
			return err
		}
		mustNil(t, ins("u1", "a@x.cn", "138"), "insert u1")
		mustNil(t, ins("u2", "会员@x.cn", "139"), "insert u2")
		wantIs(t, ins("u3", "a@x.cn", "137"), store.ErrDuplicate, "insert with a used email")
		wantIs(t, ins("u3", "会员@x.cn", "137"), store.ErrDuplicate, "insert with a used Chinese email")
		wantIs(t, ins("u3", "c@x.cn", "138"), store.ErrDuplicate, "insert with a used nested phone")
		if _, err := st.Get(ctx, c, "u3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused insert left a document: %v", err)
		}
		mustNil(t, ins("u3", "A@x.cn", "137"), "unique values are case-sensitive")

		_, err := st.Update(ctx, c, "u2", store.Patch{Set: map[string]any{"email": "a@x.cn"}}, nil)
		wantIs(t, err, store.ErrDuplicate, "update to a used email")
		_, err = st.Update(ctx, c, "u2", store.Patch{Set: map[string]any{"profile.phone": "138"}}, nil)
		wantIs(t, err, store.ErrDuplicate, "update to a used nested phone")
		doc, err := st.Get(ctx, c, "u2")
		mustNil(t, err, "get u2")
		if doc["email"] != "会员@x.cn" || lookup(doc, "profile.phone") != "139" {
			t.Errorf("a refused update changed the document: %v", doc)
		}
		_, err = st.Update(ctx, c, "u2", store.Patch{Set: map[string]any{"email": "会员@x.cn"}}, nil)
		mustNil(t, err, "setting a document's own unique value again")
		mustNil(t, st.Delete(ctx, c, "u1", nil), "delete u1")
		mustNil(t, ins("u4", "a@x.cn", "138"), "a deleted document's unique values are free again")
	})

	t.Run("Compound", func(t *testing.T) {
		t.Parallel()
		c := coll("uniqc")
		idx := []store.Index{{Name: "store_code_u", Fields: []string{"storeId", "code"}, Unique: true}}
		mustNil(t, st.EnsureIndexes(ctx, c, idx), "ensure compound index")
		mustNil(t, st.EnsureIndexes(ctx, c, idx), "ensure compound index again")
		ins := func(id, storeID, code string) error {
			_, err := st.Insert(ctx, c, store.Doc{"_id": id, "storeId": storeID, "code": code})
			return err
		}
		mustNil(t, ins("a", "s1", "c1"), "s1/c1")
		mustNil(t, ins("b", "s1", "c2"), "s1/c2")
		mustNil(t, ins("c", "s2", "c1"), "s2/c1")
		wantIs(t, ins("d", "s1", "c1"), store.ErrDuplicate, "s1/c1 again")
		_, err := st.Update(ctx, c, "c", store.Patch{Set: map[string]any{"storeId": "s1"}}, nil)
		wantIs(t, err, store.ErrDuplicate, "update to s1/c1")
		_, err = st.Update(ctx, c, "c", store.Patch{Set: map[string]any{"storeId": "s1", "code": "c3"}}, nil)
		mustNil(t, err, "update to s1/c3")
		n, err := st.Count(ctx, c, nil)
		mustNil(t, err, "count")
		if n != 3 {
			t.Errorf("count = %d, want 3", n)
		}
	})

	t.Run("InTx", func(t *testing.T) {
		t.Parallel()
		c := coll("uniqtx")
		mustNil(t, st.EnsureIndexes(ctx, c, []store.Index{{Name: "code_u", Fields: []string{"code"}, Unique: true}}), "ensure")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "a", "code": "X"})
		mustNil(t, err, "insert")
		err = st.Tx(ctx, func(tx store.Ops) error {
			if _, err := tx.Insert(ctx, c, store.Doc{"_id": "b", "code": "Y"}); err != nil {
				return err
			}
			_, err := tx.Insert(ctx, c, store.Doc{"_id": "c", "code": "X"})
			return err
		})
		wantIs(t, err, store.ErrDuplicate, "duplicate inside a transaction")
		if _, err := st.Get(ctx, c, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the failed transaction's first insert was kept: %v", err)
		}
	})

	t.Run("SortUsesDescIndex", func(t *testing.T) {
		t.Parallel()
		// An index never changes results: a sort over an indexed field with
		// nulls still puts them last when descending.
		c := coll("idxsort")
		mustNil(t, st.EnsureIndexes(ctx, c, []store.Index{{Name: "at_desc", Fields: []string{"-at"}}}), "ensure")
		for _, d := range []store.Doc{{"_id": "1", "at": "2026-01-02T00:00:00.000Z"}, {"_id": "2"}, {"_id": "3", "at": "2026-01-03T00:00:00.000Z"}, {"_id": "4", "at": nil}} {
			_, err := st.Insert(ctx, c, d)
			mustNil(t, err, "insert")
		}
		keys := []query.SortKey{{Field: query.Field{Path: "at", Kind: query.KindTime}, Desc: true}}
		docs, err := st.Find(ctx, c, store.Query{Sort: keys})
		mustNil(t, err, "find")
		if got := idsOf(docs); !slices.Equal(got, ids("3 1 2 4")) {
			t.Errorf("sort -at with an index: got %v, want [3 1 2 4]", got)
		}
	})
}
