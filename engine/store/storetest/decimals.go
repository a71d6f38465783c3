package storetest

import (
	"slices"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// precisionDocs hold decimals with up to 15 significant digits that differ
// only in the last digit, or are equal with different text. query.Node
// documents decimal comparison as numeric and exact to 15 significant
// digits on every adapter (MongoDB's Decimal128 goes further; SQLite's
// float64 does not), so filters, sorts, cursors and measures must tell
// these apart exactly.
func precisionDocs() []store.Doc {
	return []store.Doc{
		{"_id": "d1", "price": num("99999999999999.9")},
		{"_id": "d2", "price": num("99999999999999.8")},
		{"_id": "d3", "price": num("0.123456789012345")},
		{"_id": "d4", "price": num("0.123456789012346")},
		{"_id": "d5", "price": num("-1234567.89012345")},
		{"_id": "d6", "price": num("-1234567.89012344")},
		{"_id": "d7", "price": num("0.1234567890123450")},
		{"_id": "d8", "price": num("999999999999999")},
	}
}

var precisionFilters = []filterCase{
	{"gt in the 15th digit", `{"price":{"$gt":"99999999999999.8"}}`, ids("d1 d8")},
	{"eq in the 15th digit", `{"price":"99999999999999.9"}`, ids("d1")},
	{"eq with a trailing zero", `{"price":"0.123456789012345"}`, ids("d3 d7")},
	{"between", `{"price":{"$gt":"0.123456789012345","$lt":"0.2"}}`, ids("d4")},
	{"negative lt", `{"price":{"$lt":"-1234567.89012344"}}`, ids("d5")},
	{"in", `{"price":{"$in":["99999999999999.8","-1234567.89012345"]}}`, ids("d2 d5")},
	{"ne", `{"price":{"$ne":"0.123456789012345"}}`, ids("d1 d2 d4 d5 d6 d8")},
	{"gte 15-digit integer", `{"price":{"$gte":"999999999999999"}}`, ids("d8")},
}

var precisionFields = query.NewFields(query.Field{Path: "price", Kind: query.KindDecimal})

// decimalPrecision checks exact decimal comparison within the documented 15
// significant digits.
func (s *suite) decimalPrecision(t *testing.T) {
	st := s.open(t)
	c, ref := load(t, st, "decprec", precisionDocs())
	for _, fc := range precisionFilters {
		t.Run("Filter/"+fc.name, func(t *testing.T) {
			t.Parallel()
			node := mustFilter(t, fc.filter, precisionFields)
			if model := idsOf(expectFind(ref, node, nil)); !sameSet(fc.want, model) {
				t.Fatalf("storetest bug: model disagrees for %s:%s", fc.filter, diffIDs(fc.want, model))
			}
			docs, err := st.Find(t.Context(), c, store.Query{Filter: node})
			mustNil(t, err, "find")
			if got := idsOf(docs); !sameSet(fc.want, got) {
				t.Errorf("filter %s:%s", fc.filter, diffIDs(fc.want, got))
			}
		})
	}
	for _, ss := range []string{"price", "-price"} {
		keys, _ := query.ParseSort(ss, precisionFields)
		t.Run("Sort/"+ss, func(t *testing.T) {
			t.Parallel()
			want := idsOf(expectFind(ref, nil, keys))
			docs, err := st.Find(t.Context(), c, store.Query{Sort: keys})
			mustNil(t, err, "find")
			if got := idsOf(docs); !slices.Equal(want, got) {
				t.Errorf("sort %s:\n  want %v\n   got %v", ss, want, got)
			}
			if got := idsOf(pageAll(t, st, c, keys, nil, 1, nil)); !slices.Equal(want, got) {
				t.Errorf("paging by %s, one row per page:%s", ss, diffIDs(want, got))
			}
		})
	}
	t.Run("Aggregate", func(t *testing.T) {
		t.Parallel()
		if s.h.NoAggregate != "" {
			t.Skip(s.h.NoAggregate)
		}
		spec, err := query.ParseAggregate([]byte(`{"measures":[{"op":"sum","field":"price"},{"op":"min","field":"price"},{"op":"max","field":"price"},{"op":"countDistinct","field":"price"}]}`), precisionFields)
		mustNil(t, err, "parse")
		want, err := expectAggregate(ref, spec)
		mustNil(t, err, "reference")
		got, err := st.Aggregate(t.Context(), c, spec)
		mustNil(t, err, "aggregate")
		compareAgg(t, spec, want, got)
	})
}
