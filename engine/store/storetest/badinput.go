package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// badCollections are names store.ValidCollection refuses: injection
// attempts, MongoDB system and dotted names, non-ASCII, too long.
var badCollections = []string{
	"", "1abc", "_x", "a-b", "a b", "a;drop table x", `a"b`, "a'b", "a.b", "system.users", "$cmd",
	"会员", "a\x00b", strings.Repeat("a", 121),
}

// badPaths are field paths query.ValidPath refuses.
var badPaths = []string{"", "a..b", ".a", "a.", "$where", "a.$set", "a'b", `a")--`, "a b", "a[0]", "会员", "a.b.c.d.e.f.g.h.i"}

func (s *suite) badInput(t *testing.T) {
	st := s.open(t)
	ctx := t.Context()

	t.Run("CollectionNames", func(t *testing.T) {
		t.Parallel()
		for _, name := range badCollections {
			q := fmt.Sprintf("%q", name)
			if len(q) > 40 {
				q = q[:40] + "..."
			}
			safe(t, "insert into "+q, func() error { _, err := st.Insert(ctx, name, store.Doc{"a": 1}); return err })
			safe(t, "get from "+q, func() error { _, err := st.Get(ctx, name, "x"); return err })
			safe(t, "find in "+q, func() error { _, err := st.Find(ctx, name, store.Query{}); return err })
			safe(t, "count in "+q, func() error { _, err := st.Count(ctx, name, nil); return err })
			safe(t, "update in "+q, func() error {
				_, err := st.Update(ctx, name, "x", store.Patch{Set: map[string]any{"a": 2}}, nil)
				return err
			})
			safe(t, "delete in "+q, func() error { return st.Delete(ctx, name, "x", nil) })
			safe(t, "index on "+q, func() error {
				return st.EnsureIndexes(ctx, name, []store.Index{{Name: "a_i", Fields: []string{"a"}}})
			})
			if s.h.NoAggregate == "" {
				spec, _ := query.ParseAggregate([]byte(`{"measures":[{"op":"count"}]}`), query.NewFields())
				safe(t, "aggregate "+q, func() error { _, err := st.Aggregate(ctx, name, spec); return err })
			}
			safe(t, "insert in a transaction into "+q, func() error {
				return st.Tx(ctx, func(tx store.Ops) error { _, err := tx.Insert(ctx, name, store.Doc{"a": 1}); return err })
			})
		}
	})

	t.Run("Paths", func(t *testing.T) {
		t.Parallel()
		c := coll("badpaths")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "x", "a": 1})
		mustNil(t, err, "insert")
		for _, p := range badPaths {
			q := fmt.Sprintf("%q", p)
			safe(t, "set "+q, func() error {
				_, err := st.Update(ctx, c, "x", store.Patch{Set: map[string]any{p: 1}}, nil)
				return err
			})
			safe(t, "unset "+q, func() error { _, err := st.Update(ctx, c, "x", store.Patch{Unset: []string{p}}, nil); return err })
			safe(t, "inc "+q, func() error {
				_, err := st.Update(ctx, c, "x", store.Patch{Inc: map[string]int64{p: 1}}, nil)
				return err
			})
			bad := query.Field{Path: p, Kind: query.KindString}
			safe(t, "filter on "+q, func() error {
				_, err := st.Find(ctx, c, store.Query{Filter: query.Eq(bad, query.Str("v"))})
				return err
			})
			safe(t, "count filter on "+q, func() error {
				_, err := st.Count(ctx, c, query.Or(query.Eq(query.Field{Path: "a", Kind: query.KindInt}, query.Int(1)), query.Eq(bad, query.Str("v"))))
				return err
			})
			safe(t, "condition on "+q, func() error {
				_, err := st.Update(ctx, c, "x", store.Patch{Set: map[string]any{"a": 2}}, query.Eq(bad, query.Null(query.KindString)))
				return err
			})
			safe(t, "sort by "+q, func() error {
				_, err := st.Find(ctx, c, store.Query{Sort: []query.SortKey{{Field: bad}}})
				return err
			})
			safe(t, "project "+q, func() error { _, err := st.Find(ctx, c, store.Query{Fields: []string{p}}); return err })
			safe(t, "index on "+q, func() error {
				return st.EnsureIndexes(ctx, c, []store.Index{{Name: "bad_i", Fields: []string{p}}})
			})
		}
		doc, err := st.Get(ctx, c, "x")
		mustNil(t, err, "get after refused requests")
		if d := docDiff(canonDoc(store.Doc{"_id": "x", "a": 1}), doc); d != "" {
			t.Errorf("refused requests changed the document: %s", d)
		}
	})

	t.Run("IndexNames", func(t *testing.T) {
		t.Parallel()
		c := coll("badidx")
		for _, name := range []string{"", "Bad", "a-b", "a b", "a;drop", "会员", strings.Repeat("a", 64)} {
			safe(t, fmt.Sprintf("index name %q", name), func() error {
				return st.EnsureIndexes(ctx, c, []store.Index{{Name: name, Fields: []string{"a"}}})
			})
		}
		safe(t, "index without fields", func() error {
			return st.EnsureIndexes(ctx, c, []store.Index{{Name: "empty_i"}})
		})
	})

	t.Run("Operators", func(t *testing.T) {
		t.Parallel()
		c := coll("badops")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "x", "a": 1})
		mustNil(t, err, "insert")
		f := query.Field{Path: "a", Kind: query.KindInt}
		for _, n := range []*query.Node{
			{Op: "regex", Field: f, Value: query.Str(".*")},
			{Op: "where", Value: query.Str("1")},
			{Op: "", Field: f},
			{Op: query.OpNot}, // not needs exactly one child
			{Op: query.OpEq, Field: query.Field{Path: "a", Kind: "float"}, Value: query.Value{Kind: "float"}},
		} {
			safe(t, fmt.Sprintf("filter op %q kind %q", n.Op, n.Field.Kind), func() error {
				_, err := st.Find(ctx, c, store.Query{Filter: n})
				return err
			})
		}
	})

	t.Run("NonStringID", func(t *testing.T) {
		t.Parallel()
		c := coll("badid")
		for _, id := range []any{5, true, store.Doc{"$gt": ""}, []any{"a"}} {
			safe(t, fmt.Sprintf("insert with _id %v", id), func() error { _, err := st.Insert(ctx, c, store.Doc{"_id": id}); return err })
		}
	})
}

// safe runs a request that must be refused: an error of class Invalid,
// never a panic or success.
func safe(t *testing.T, what string, call func() error) {
	t.Helper()
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s: panicked: %v", what, r)
				err = errPanicked
			}
		}()
		err = call()
	}()
	if err != errPanicked {
		wantRefused(t, err, "%s", what)
	}
}

var errPanicked = fmt.Errorf("storetest: panicked")
