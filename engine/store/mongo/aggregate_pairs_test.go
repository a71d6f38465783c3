package mongo

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The golden pipelines of a pair count (category pairs of completed
// baskets in the south, the store joined under its row scope): the $facet
// of baskets and top pairs, then the baskets of the pairs' values. lungo
// cannot run them; storetest.RunReport (Pairs) runs the same counts
// against an independent count in Go on SQLite and on a real MongoDB.
func TestPairsPipelineGolden(t *testing.T) {
	region := query.Field{Path: "store.region", Kind: query.KindString}
	completed := query.Eq(query.Field{Path: "status", Kind: query.KindString}, query.Str("completed"))
	lookups := []store.Lookup{{As: "store", Coll: "r_crm_stores", From: "store",
		Filter: query.Eq(query.Field{Path: "orgUnit", Kind: query.KindString}, query.Str("u1"))}}
	filter := query.And(completed, query.Eq(region, query.Str("south")), query.Cmp(fAt, query.OpGte, query.TimeV("2026-01-01T00:00:00.000Z")))
	spec := store.PairSpec{List: "lines", Field: "category", Limit: 20}
	base, err := pairBase(lookups, filter, spec)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "pairs_top", pairsPipeline(base, spec.Limit))
	checkGolden(t, "pairs_items", itemsPipeline(base, []string{"乳品", "烘焙"}))
	plain, err := pairBase(nil, nil, spec)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "pairs_all", pairsPipeline(plain, 5))
}

func TestPairsPipelineRefuses(t *testing.T) {
	for name, spec := range map[string]store.PairSpec{
		"no list":        {Field: "category", Limit: 5},
		"system list":    {List: "_id", Field: "category", Limit: 5},
		"dotted key":     {List: "lines", Field: "a.b", Limit: 5},
		"operator key":   {List: "lines", Field: "$where", Limit: 5},
		"no limit":       {List: "lines", Field: "category"},
		"limit too high": {List: "lines", Field: "category", Limit: store.MaxPairs + 1},
	} {
		if _, err := pairBase(nil, nil, spec); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	bad := []store.Lookup{{As: "1x", Coll: "c", From: "store"}}
	if _, err := pairBase(bad, nil, store.PairSpec{List: "lines", Field: "category", Limit: 1}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad lookup: got %v, want ErrInvalid", err)
	}
}

// TestPairsFacetRead reads the $facet's answer as the driver decodes it,
// the pairs put in order (ties by value), an empty collection as zero.
func TestPairsFacetRead(t *testing.T) {
	doc := store.Doc{
		"baskets": []any{map[string]any{"n": 7}},
		"pairs": []any{
			map[string]any{"_id": map[string]any{"a": "b", "b": "c"}, "n": 2},
			map[string]any{"_id": map[string]any{"a": "a", "b": "c"}, "n": 2},
			map[string]any{"_id": map[string]any{"a": "a", "b": "b"}, "n": 5},
		},
	}
	n, pairs := readPairFacet(docFromBSONValue(t, doc))
	want := []store.PairCount{{A: "a", B: "b", Count: 5}, {A: "a", B: "c", Count: 2}, {A: "b", B: "c", Count: 2}}
	if n != 7 || !reflect.DeepEqual(pairs, want) {
		t.Fatalf("got %d %v, want 7 %v", n, pairs, want)
	}
	if n, pairs := readPairFacet(store.Doc{"baskets": []any{}, "pairs": []any{}}); n != 0 || pairs != nil {
		t.Fatalf("empty: got %d %v", n, pairs)
	}
}

// docFromBSONValue passes a document through the BSON conversion the
// adapter applies to results (int32 counts become json.Number).
func docFromBSONValue(t *testing.T, d store.Doc) store.Doc {
	t.Helper()
	b, err := docToBSON(d)
	if err != nil {
		t.Fatal(err)
	}
	return docFromBSON(b)
}

// lungo runs no aggregation pipeline: a pair count says so (as Aggregate
// does) rather than answering wrongly.
func TestPairsOnLungoUnsupported(t *testing.T) {
	st := newLungo(t, store.Options{})
	_, err := st.CountPairs(t.Context(), "sales", nil, nil, store.PairSpec{List: "lines", Field: "category", Limit: 5})
	if !errors.Is(err, store.ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
}
