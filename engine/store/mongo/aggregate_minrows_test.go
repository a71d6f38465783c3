package mongo

import (
	"errors"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The golden pipeline of a distinct count with MinRows (repeat buyers by
// month and region, completed sales only): the main $group, a $unionWith
// branch grouping twice over the same filter and lookups, and the merge
// by group. lungo cannot run it; storetest.RunReport (MinRows) runs the
// same measures against hand-worked numbers on SQLite and a real MongoDB.
func TestMinRowsPipelineGolden(t *testing.T) {
	region := query.Field{Path: "store.region", Kind: query.KindString}
	completed := query.Eq(query.Field{Path: "status", Kind: query.KindString}, query.Str("completed"))
	lookups := []store.Lookup{{As: "store", Coll: "r_crm_stores", From: "store"}}
	cases := map[string]*query.Aggregate{
		"minrows_month_region": {
			Filter: query.And(query.Cmp(fAt, query.OpGte, query.TimeV("2026-01-01T00:00:00.000Z")), query.Cmp(region, query.OpNe, query.Str("west"))),
			Group:  []query.GroupKey{{Field: fAt, Bucket: query.BucketMonth, As: "month"}, {Field: region, As: "region"}},
			Measures: []query.Measure{{Fn: query.FnCountDistinct, Field: fMember, Filter: completed, As: "buyers"},
				{Fn: query.FnCountDistinct, Field: fMember, Filter: completed, MinRows: 2, As: "repeat"}},
			Sort:     []query.SortKey{{Field: query.Field{Path: "repeat"}, Desc: true}},
			Location: mustZone(t, "Asia/Shanghai"),
		},
		"minrows_total": {
			Measures: []query.Measure{{Fn: query.FnCountDistinct, Field: fMember, MinRows: 3, As: "loyal"}},
			Location: mustZone(t, "Asia/Shanghai"),
		},
	}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := joinPipeline("r_crm_transactions", lookups, spec)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, p)
		})
	}
}

func TestMinRowsPipelineRefuses(t *testing.T) {
	for name, m := range map[string]query.Measure{
		"on a sum":   {Fn: query.FnSum, Field: fAmount, MinRows: 2, As: "x"},
		"on a count": {Fn: query.FnCount, MinRows: 2, As: "x"},
		"below 1":    {Fn: query.FnCountDistinct, Field: fMember, MinRows: -1, As: "x"},
		"on a list":  {Fn: query.FnCountDistinct, Field: query.Field{Path: "tags", Kind: query.KindString, Array: true}, MinRows: 2, As: "x"},
	} {
		if _, err := joinPipeline("sales", nil, &query.Aggregate{Measures: []query.Measure{m}}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}
