package mongo

import (
	"errors"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Golden pipelines of the report abilities: lookups (with a scope, chained,
// under the reference's own name), filters split around the lookups,
// conditional measures, bins and the cyclic buckets. Like the other golden
// files they cannot run here; the same specs run against the reference
// model in storetest.RunReport on SQLite and on a real MongoDB.
func TestJoinPipelineGolden(t *testing.T) {
	sh := mustZone(t, "Asia/Shanghai")
	region := query.Field{Path: "store.region", Kind: query.KindString}
	tier := query.Field{Path: "mem.tier", Kind: query.KindString}
	tags := query.Field{Path: "store.tags", Kind: query.KindString, Array: true}
	channel := query.Field{Path: "channel", Kind: query.KindString}
	lookups := []store.Lookup{
		{As: "store", Coll: "r_crm_stores", From: "store", Filter: query.Cmp(query.Field{Path: "region", Kind: query.KindString}, query.OpNe, query.Str("west"))},
		{As: "mem", Coll: "r_crm_members", From: "member"},
		{As: "home", Coll: "r_crm_stores", From: "mem.homeStore"},
	}
	cases := map[string]*query.Aggregate{
		"join_region_tier": {
			Filter: query.And(query.Cmp(fAt, query.OpGte, query.TimeV("2026-01-01T00:00:00.000Z")),
				query.Cmp(tags, query.OpContains, query.Str("mall")), query.Cmp(tier, query.OpNe, query.Str("gold"))),
			Group: []query.GroupKey{{Field: region, As: "region"}, {Field: query.Field{Path: "home.region", Kind: query.KindString}, As: "homeRegion"}},
			Measures: []query.Measure{{Fn: query.FnCount, As: "n"}, {Fn: query.FnSum, Field: query.Field{Path: "mem.points", Kind: query.KindInt}, As: "pts"},
				{Fn: query.FnCountDistinct, Field: fMember, As: "buyers"}},
			Location: sh,
		},
		"conditional_bins_cyclic": {
			Group: []query.GroupKey{
				{Field: fPoints, Bins: []query.Value{query.Int(0), query.Dec("5.5"), query.Int(100)}, As: "pointsBin"},
				{Field: fAt, Bucket: query.BucketHourOfDay, As: "hour"},
				{Field: fDay, Bucket: query.BucketDayOfWeek, As: "weekday"},
			},
			Measures: []query.Measure{
				{Fn: query.FnCount, Filter: query.Eq(channel, query.Str("pos")), As: "posN"},
				{Fn: query.FnSum, Field: fAmount, Filter: query.And(query.Cmp(fAmount, query.OpGte, query.Dec("1")), query.Not(query.Eq(channel, query.Null(query.KindString)))), As: "bigAmt"},
				{Fn: query.FnCountDistinct, Field: fMember, Filter: &query.Node{Op: query.OpIn, Field: tier, Values: []query.Value{query.Str("gold"), query.Null(query.KindString)}}, As: "goldBuyers"},
				{Fn: query.FnMax, Field: fAt, Filter: query.Cmp(fStore, query.OpStartsWith, query.Str("S00")), As: "last"},
			},
			Location: sh,
		},
	}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			ls := lookups
			if name == "conditional_bins_cyclic" {
				ls = lookups[1:2]
			}
			p, err := joinPipeline("sales", ls, spec)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, p)
		})
	}
}

func TestJoinPipelineRefuses(t *testing.T) {
	count := []query.Measure{{Fn: query.FnCount, As: "n"}}
	list := query.Field{Path: "tags", Kind: query.KindString, Array: true}
	bad := map[string]struct {
		lookups []store.Lookup
		spec    *query.Aggregate
	}{
		"list in a measure condition": {nil, &query.Aggregate{Measures: []query.Measure{{Fn: query.FnCount, As: "n", Filter: query.Eq(list, query.Str("a"))}}}},
		"bins on text":                {nil, &query.Aggregate{Group: []query.GroupKey{{Field: fMember, Bins: []query.Value{query.Str("a")}, As: "b"}}, Measures: count}},
		"bins and bucket":             {nil, &query.Aggregate{Group: []query.GroupKey{{Field: fAt, Bucket: query.BucketDay, Bins: []query.Value{query.TimeV("2026-01-01T00:00:00.000Z")}, As: "b"}}, Measures: count}},
		"hour of a date":              {nil, &query.Aggregate{Group: []query.GroupKey{{Field: fDay, Bucket: query.BucketHourOfDay, As: "h"}}, Measures: count}},
		"repeated alias":              {[]store.Lookup{{As: "a", Coll: "x", From: "b"}, {As: "a", Coll: "x", From: "b"}}, &query.Aggregate{Measures: count}},
		"bad lookup collection":       {[]store.Lookup{{As: "a", Coll: "", From: "b"}}, &query.Aggregate{Measures: count}},
	}
	for name, c := range bad {
		if _, err := joinPipeline("sales", c.lookups, c.spec); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}
