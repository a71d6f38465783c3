package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// reportMinRows checks distinct counts of values having at least MinRows
// rows per group (repeat buyers: members with two or more orders) against
// numbers worked out by hand: a member whose two orders fall in two months
// repeats in neither, a refunded order does not count (the measure's
// filter), null and dangling keys form a group, and the output sorts,
// filters (having) and limits like any other. MinRows on other measures
// or below 1 is refused.
func (s *suite) reportMinRows(t *testing.T) {
	if s.h.NoAggregate != "" {
		t.Skip(s.h.NoAggregate)
	}
	st := s.open(t)
	ja, ok := st.(store.JoinAggregator)
	if !ok {
		t.Fatal("the store has no JoinAggregator")
	}
	ctx := t.Context()
	stores, sales := coll("rmstores"), coll("rmsales")
	for _, d := range []store.Doc{{"_id": "s1", "region": "east"}, {"_id": "s2", "region": "west"}} {
		if _, err := st.Insert(ctx, stores, d); err != nil {
			t.Fatal(err)
		}
	}
	rows := []struct{ member, store, day, status string }{
		{"a", "s1", "2026-01-05", "completed"}, {"a", "s1", "2026-01-20", "completed"},
		{"b", "s2", "2026-01-28", "completed"}, {"b", "s2", "2026-02-03", "completed"},
		{"c", "s2", "2026-02-10", "completed"}, {"c", "s2", "2026-02-11", "refunded"},
		{"d", "s1", "2026-02-12", "completed"}, {"d", "s2", "2026-02-13", "completed"}, {"d", "s2", "2026-02-14", "completed"},
		{"", "s1", "2026-02-15", "completed"}, {"", "s1", "2026-02-16", "completed"},
		{"e", "ghost", "2026-02-20", "completed"}, {"e", "ghost", "2026-02-21", "completed"},
	}
	for i, x := range rows {
		d := store.Doc{"_id": fmt.Sprintf("t%02d", i), "store": x.store, "at": x.day + "T04:00:00.000Z", "status": x.status}
		if x.member != "" {
			d["member"] = x.member
		}
		if _, err := st.Insert(ctx, sales, d); err != nil {
			t.Fatal(err)
		}
	}
	member := query.Field{Path: "member", Kind: query.KindString}
	completed := query.Eq(query.Field{Path: "status", Kind: query.KindString}, query.Str("completed"))
	measures := func(minRows int) []query.Measure {
		return []query.Measure{
			{Fn: query.FnCount, As: "n"},
			{Fn: query.FnCountDistinct, Field: member, Filter: completed, As: "rep", MinRows: minRows},
			{Fn: query.FnCountDistinct, Field: member, Filter: completed, As: "buyers"},
		}
	}
	month := query.GroupKey{Field: query.Field{Path: "at", Kind: query.KindTime}, Bucket: query.BucketMonth, As: "month"}
	region := query.GroupKey{Field: query.Field{Path: "st.region", Kind: query.KindString}, As: "region"}
	lookups := []store.Lookup{{As: "st", Coll: stores, From: "store"}}
	cases := []struct {
		name string
		spec *query.Aggregate
		want string
	}{
		{"whole", &query.Aggregate{Measures: measures(2)}, "[map[buyers:5 n:13 rep:4]]"},
		{"at least 3", &query.Aggregate{Measures: measures(3)}, "[map[buyers:5 n:13 rep:1]]"},
		{"by month", &query.Aggregate{Group: []query.GroupKey{month}, Measures: measures(2)},
			"[map[buyers:2 month:2026-01 n:3 rep:1] map[buyers:4 month:2026-02 n:10 rep:2]]"},
		{"by region, null key", &query.Aggregate{Group: []query.GroupKey{region}, Measures: measures(2)},
			"[map[buyers:1 n:2 region:<nil> rep:1] map[buyers:2 n:5 region:east rep:1] map[buyers:3 n:6 region:west rep:2]]"},
		{"by month and region", &query.Aggregate{Group: []query.GroupKey{month, region}, Measures: measures(2),
			Filter: query.Eq(query.Field{Path: "st.region", Kind: query.KindString}, query.Str("west"))},
			"[map[buyers:1 month:2026-01 n:1 region:west rep:0] map[buyers:3 month:2026-02 n:5 region:west rep:1]]"},
		{"sorted, having, limit", &query.Aggregate{Group: []query.GroupKey{region}, Measures: measures(2),
			Having: query.Cmp(query.Field{Path: "rep", Kind: query.KindInt}, query.OpGte, query.Int(1)),
			Sort:   []query.SortKey{{Field: query.Field{Path: "rep"}, Desc: true}}, Limit: 2},
			"[map[buyers:3 n:6 region:west rep:2] map[buyers:1 n:2 region:<nil> rep:1]]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := ja.AggregateJoin(ctx, sales, lookups, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(rows); got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	for _, m := range []query.Measure{
		{Fn: query.FnSum, Field: query.Field{Path: "n", Kind: query.KindInt}, As: "x", MinRows: 2},
		{Fn: query.FnCount, As: "x", MinRows: 2},
		{Fn: query.FnCountDistinct, Field: member, As: "x", MinRows: -1},
		{Fn: query.FnCountDistinct, Field: query.Field{Path: "tags", Kind: query.KindString, Array: true}, As: "x", MinRows: 2},
	} {
		if _, err := st.Aggregate(ctx, sales, &query.Aggregate{Measures: []query.Measure{m}}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", m, err)
		}
	}
}
