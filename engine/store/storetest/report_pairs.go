package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// reportPairs checks store.PairCounter against pairs counted in Go over
// generated baskets: a category repeated over lines counts once, baskets
// of one category or none count as baskets without pairs, non-text and
// missing values are skipped, the filter (a joined store's region, the
// status) selects the baskets, and the answer keeps the top pairs by count
// then by value with the baskets of each of their values.
func (s *suite) reportPairs(t *testing.T) {
	if s.h.NoAggregate != "" {
		t.Skip(s.h.NoAggregate)
	}
	st := s.open(t)
	pc, ok := st.(store.PairCounter)
	if !ok {
		t.Fatalf("the store (%T) does not implement store.PairCounter", st)
	}
	stores, storeRef := load(t, st, "pstores", reportStores())
	baskets, basketRef := load(t, st, "pbaskets", pairBaskets())
	lookups := []store.Lookup{{As: "store", Coll: stores, From: "store",
		Filter: query.Cmp(query.Field{Path: "region", Kind: query.KindString}, query.OpNe, query.Str("west"))}}
	fields := query.NewFields(query.Field{Path: "status", Kind: query.KindString}, query.Field{Path: "store", Kind: query.KindString},
		query.Field{Path: "store.region", Kind: query.KindString})
	byID := map[string]store.Doc{}
	for _, d := range storeRef {
		if matches(d, lookups[0].Filter) {
			byID[d["_id"].(string)] = d
		}
	}
	views := make([]store.Doc, len(basketRef))
	for i, d := range basketRef {
		v := maps.Clone(d)
		if id, _ := d["store"].(string); byID[id] != nil {
			v["__j0"] = byID[id]
		}
		views[i] = v
	}
	rename := func(p string) string {
		if p == "store.region" {
			return "__j0.region"
		}
		return p
	}
	cases := map[string]struct {
		filter string
		limit  int
	}{
		"all":                  {``, 100},
		"top 3 with ties":      {``, 3},
		"completed":            {`{"status":"completed"}`, 100},
		"joined region":        {`{"store.region":"south","status":{"$ne":"refunded"}}`, 4},
		"matches none":         {`{"status":"none"}`, 10},
		"joined null region":   {`{"store.region":null}`, 100},
		"refunded, top 1 only": {`{"status":"refunded"}`, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			filter, err := query.ParseFilter([]byte(tc.filter), fields, query.Options{})
			mustNil(t, err, "parse")
			want := &store.PairCounts{Items: map[string]int64{}}
			pairs := map[[2]string]int64{}
			items := map[string]int64{}
			for _, v := range views {
				if !matches(v, query.RenamePaths(filter, rename)) {
					continue
				}
				want.Baskets++
				set := map[string]bool{}
				lines, _ := v["lines"].([]any)
				for _, l := range lines {
					if m, ok := l.(map[string]any); ok {
						if c, ok := m["category"].(string); ok {
							set[c] = true
						}
					}
				}
				for a := range set {
					items[a]++
					for b := range set {
						if a < b {
							pairs[[2]string{a, b}]++
						}
					}
				}
			}
			for k, n := range pairs {
				want.Pairs = append(want.Pairs, store.PairCount{A: k[0], B: k[1], Count: n})
			}
			store.SortPairs(want.Pairs)
			if name == "all" && (len(want.Pairs) < 10 || want.Pairs[0].Count == want.Pairs[len(want.Pairs)-1].Count) {
				t.Fatalf("the fixture should give many pairs of different counts: %v", want.Pairs)
			}
			if len(want.Pairs) > tc.limit {
				want.Pairs = want.Pairs[:tc.limit]
			}
			for _, p := range want.Pairs {
				want.Items[p.A], want.Items[p.B] = items[p.A], items[p.B]
			}
			got, err := pc.CountPairs(t.Context(), baskets, lookups, filter, store.PairSpec{List: "lines", Field: "category", Limit: tc.limit})
			mustNil(t, err, "count pairs")
			if got.Baskets != want.Baskets || !reflect.DeepEqual(got.Items, want.Items) || !reflect.DeepEqual(got.Pairs, want.Pairs) {
				t.Fatalf("got %d baskets %v %v\nwant %d baskets %v %v", got.Baskets, got.Items, got.Pairs, want.Baskets, want.Items, want.Pairs)
			}
		})
	}
	t.Run("refuses", func(t *testing.T) {
		for _, spec := range []store.PairSpec{{List: "lines", Field: "a.b", Limit: 3}, {List: "", Field: "category", Limit: 3},
			{List: "lines", Field: "category", Limit: 0}} {
			if _, err := pc.CountPairs(t.Context(), baskets, nil, nil, spec); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%+v: got %v, want ErrInvalid", spec, err)
			}
		}
	})
}

// pairBaskets are 90 baskets over the report stores: lines of 0 to 5
// categories from a small set with repeats, some lines without a category
// or with a number in it, some baskets without lines, two statuses.
func pairBaskets() []store.Doc {
	cats := []string{"乳品", "烘焙", "饮料", "零食", "生鲜", "a", "B"}
	stores := []any{"st1", "st2", "st3", "st4", "st5", nil, "gone"}
	var out []store.Doc
	seed := uint32(7)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>8) % n
	}
	for i := range 90 {
		d := store.Doc{"_id": fmt.Sprintf("b%02d", i), "store": stores[i%len(stores)], "status": "completed"}
		if i%5 == 0 {
			d["status"] = "refunded"
		}
		var lines []any
		for range next(6) {
			line := map[string]any{"sku": fmt.Sprintf("sku%d", next(50)), "quantity": 1 + next(3)}
			switch k := next(10); {
			case k == 0:
				// no category
			case k == 1:
				line["category"] = 42
			default:
				line["category"] = cats[next(len(cats))]
			}
			lines = append(lines, line)
		}
		if lines != nil {
			d["lines"] = lines
		}
		out = append(out, d)
	}
	return out
}
