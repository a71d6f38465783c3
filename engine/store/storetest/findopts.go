package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

func (s *suite) findOptions(t *testing.T) {
	st := s.open(t)
	c, ref := load(t, st, "findopts", filterDocs())
	ctx := t.Context()

	t.Run("SkipLimit", func(t *testing.T) {
		t.Parallel()
		keys, _ := query.ParseSort("-price", filterFields)
		all := idsOf(expectFind(ref, nil, keys))
		for _, c2 := range []struct{ skip, limit int }{
			{0, 0}, {0, 1}, {0, 5}, {2, 3}, {5, 0}, {10, 5}, {11, 1}, {12, 3}, {50, 2}, {0, 12}, {0, 13},
		} {
			docs, err := st.Find(ctx, c, store.Query{Sort: keys, Skip: c2.skip, Limit: c2.limit})
			mustNil(t, err, "find skip=%d limit=%d", c2.skip, c2.limit)
			lo := min(c2.skip, len(all))
			hi := len(all)
			if c2.limit > 0 {
				hi = min(lo+c2.limit, len(all))
			}
			if want, got := all[lo:hi], idsOf(docs); !slices.Equal(want, got) {
				t.Errorf("skip=%d limit=%d (limit 0 means the adapter default, MaxLimit):\n  want %v\n   got %v", c2.skip, c2.limit, want, got)
			}
		}
		node := mustFilter(t, `{"n":{"$ne":null}}`, filterFields)
		docs, err := st.Find(ctx, c, store.Query{Filter: node, Sort: keys, Skip: 1, Limit: 4})
		mustNil(t, err, "filtered skip/limit")
		if want, got := idsOf(expectFind(ref, node, keys))[1:5], idsOf(docs); !slices.Equal(want, got) {
			t.Errorf("filtered skip=1 limit=4:\n  want %v\n   got %v", want, got)
		}
	})

	t.Run("Projection", func(t *testing.T) {
		t.Parallel()
		for _, fields := range [][]string{{"name"}, {"name", "price"}, {"a"}, {"tags", "vip", "paidAt"}, {"nothere"}, {"_id"}} {
			t.Run(fmt.Sprint(fields), func(t *testing.T) {
				keys, _ := query.ParseSort("_id", filterFields)
				docs, err := st.Find(ctx, c, store.Query{Sort: keys, Fields: fields})
				mustNil(t, err, "find with projection")
				if len(docs) != len(ref) {
					t.Fatalf("projection changed the row count: %d", len(docs))
				}
				allowed := map[string]bool{"_id": true}
				for _, f := range fields {
					allowed[f] = true
				}
				for i, d := range docs {
					src := ref[i]
					if d["_id"] != src["_id"] {
						t.Fatalf("row %d is %v, want %v", i, d["_id"], src["_id"])
					}
					for k := range d {
						if !allowed[k] {
							t.Errorf("%s: field %q returned, projection is %v", d["_id"], k, fields)
						}
					}
					for _, f := range fields {
						// A stored null may come back as null or be left out.
						if dd := docDiff(canon(lookup(src, f)), canon(lookup(d, f))); dd != "" {
							t.Errorf("%s: projected %q: %s", d["_id"], f, dd)
						}
					}
				}
			})
		}
	})

	t.Run("Count", func(t *testing.T) {
		t.Parallel()
		n, err := st.Count(ctx, c, nil)
		mustNil(t, err, "count all")
		if n != int64(len(ref)) {
			t.Errorf("count(nil) = %d, want %d", n, len(ref))
		}
		n, err = st.Count(ctx, c, query.True())
		mustNil(t, err, "count true")
		if n != int64(len(ref)) {
			t.Errorf("count(true) = %d, want %d", n, len(ref))
		}
		n, err = st.Count(ctx, c, query.False())
		mustNil(t, err, "count false")
		if n != 0 {
			t.Errorf("count(false) = %d", n)
		}
		n, err = st.Count(ctx, coll("never"), nil)
		mustNil(t, err, "count of a collection never written")
		if n != 0 {
			t.Errorf("count of an empty collection = %d", n)
		}
		docs, err := st.Find(ctx, coll("never"), store.Query{})
		mustNil(t, err, "find in a collection never written")
		if len(docs) != 0 {
			t.Errorf("find in an empty collection = %v", docs)
		}
		// Counts with filters are checked with every filter case.
	})
}
