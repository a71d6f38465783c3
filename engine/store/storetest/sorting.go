package storetest

import (
	"slices"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// sortCase is a user sort; want (when set) is the order worked out by hand.
type sortCase struct {
	sort string
	want []string
}

var sortCases = []sortCase{
	// Nulls first ascending; equal decimals ("10.5"/"10.50", "0.1"/"0.10")
	// tie and fall back to _id ascending.
	{"price", ids("f08 f09 f05 f11 f04 f12 f10 f01 f02 f03 f07 f06")},
	// Nulls last descending; ties still by _id ascending.
	{"-price", ids("f06 f03 f07 f02 f01 f10 f04 f12 f11 f05 f08 f09")},
	// UTF-8 byte order: "" < ASCII upper < lower < 会 < 金 < 阿 < ～ < 😀.
	{"name", ids("f08 f09 f07 f01 f03 f12 f02 f04 f05 f10 f11 f06")},
	{"-name", ids("f06 f11 f10 f05 f04 f02 f12 f03 f01 f07 f08 f09")},
	// int64 beyond 2^53 in order.
	{"-n", ids("f05 f06 f10 f12 f03 f02 f11 f01 f07 f04 f08 f09")},
	{"n", ids("f08 f09 f04 f07 f01 f11 f02 f03 f12 f10 f06 f05")},
	// Multi-key: null, false, true; then n descending with nulls last.
	{"vip,-n", ids("f03 f11 f04 f08 f09 f06 f10 f02 f05 f12 f01 f07")},
	{"-vip,name", nil},
	{"birthday,-price", nil},
	{"-birthday", nil},
	{"paidAt", nil},
	{"-paidAt", nil},
	{"a.b.c,-a.b.n", nil},
	{"-a.b.n,name", nil},
	{"_id", ids("f01 f02 f03 f04 f05 f06 f07 f08 f09 f10 f11 f12")},
	{"-_id", ids("f12 f11 f10 f09 f08 f07 f06 f05 f04 f03 f02 f01")},
	{"price,-_id", ids("f09 f08 f05 f11 f12 f04 f10 f01 f02 f07 f03 f06")},
}

func (s *suite) sorting(t *testing.T) {
	st := s.open(t)
	c, ref := load(t, st, "sort", filterDocs())
	for _, sc := range sortCases {
		t.Run(sc.sort, func(t *testing.T) {
			t.Parallel()
			keys, err := query.ParseSort(sc.sort, filterFields)
			mustNil(t, err, "storetest: parse sort %q", sc.sort)
			model := idsOf(expectFind(ref, nil, keys))
			if sc.want != nil && !slices.Equal(sc.want, model) {
				t.Fatalf("storetest bug: the reference model disagrees with the hand-written order for %q:\n  hand  %v\n  model %v", sc.sort, sc.want, model)
			}
			docs, err := st.Find(t.Context(), c, store.Query{Sort: keys})
			mustNil(t, err, "find sorted by %q", sc.sort)
			if got := idsOf(docs); !slices.Equal(model, got) {
				t.Errorf("sort %q:\n  want %v\n   got %v", sc.sort, model, got)
			}
			// Passing the tie-break explicitly gives the same order.
			docs, err = st.Find(t.Context(), c, store.Query{Sort: query.WithIDTieBreak(keys)})
			mustNil(t, err, "find sorted by %q with explicit _id", sc.sort)
			if got := idsOf(docs); !slices.Equal(model, got) {
				t.Errorf("sort %q with explicit _id tie-break:\n  want %v\n   got %v", sc.sort, model, got)
			}
		})
	}
	t.Run("WithFilter", func(t *testing.T) {
		t.Parallel()
		keys, _ := query.ParseSort("-price", filterFields)
		node := mustFilter(t, `{"price":{"$lt":"10.5"}}`, filterFields)
		docs, err := st.Find(t.Context(), c, store.Query{Filter: node, Sort: keys})
		mustNil(t, err, "find")
		if want, got := idsOf(expectFind(ref, node, keys)), idsOf(docs); !slices.Equal(want, got) {
			t.Errorf("filtered sort:\n  want %v\n   got %v", want, got)
		}
	})
}
