package mongo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var update = flag.Bool("update", false, "rewrite the golden pipelines in testdata/")

var (
	fAt     = query.Field{Path: "at", Kind: query.KindTime}
	fDay    = query.Field{Path: "day", Kind: query.KindDate}
	fAmount = query.Field{Path: "amount", Kind: query.KindDecimal}
	fPoints = query.Field{Path: "points", Kind: query.KindInt}
	fStore  = query.Field{Path: "store.code", Kind: query.KindString}
	fMember = query.Field{Path: "member", Kind: query.KindString}
)

func out(name string, k query.Kind) query.Field { return query.Field{Path: name, Kind: k} }

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The pipelines cannot run here (lungo has no aggregation and no MongoDB
// server is available), so their exact shape is pinned by golden files,
// reviewed against the MongoDB manual. Run with -update after a deliberate
// change and review the diff.
func TestAggregatePipelineGolden(t *testing.T) {
	sh := mustZone(t, "Asia/Shanghai")
	cases := map[string]*query.Aggregate{
		// Sales by store and month: the report the design names.
		"store_month": {
			Filter:   query.Cmp(fAt, query.OpGte, query.TimeV("2026-01-01T00:00:00.000Z")),
			Group:    []query.GroupKey{{Field: fStore, As: "store"}, {Field: fAt, Bucket: query.BucketMonth, As: "month"}},
			Measures: []query.Measure{{Fn: query.FnCount, As: "n"}, {Fn: query.FnSum, Field: fAmount, As: "total"}},
			Location: sh,
		},
		// Every bucket, on a time field (report zone) and a date field (UTC).
		"buckets": {
			Group: []query.GroupKey{
				{Field: fAt, Bucket: query.BucketDay, As: "day"},
				{Field: fAt, Bucket: query.BucketWeek, As: "week"},
				{Field: fAt, Bucket: query.BucketQuarter, As: "quarter"},
				{Field: fAt, Bucket: query.BucketYear, As: "year"},
				{Field: fDay, Bucket: query.BucketWeek, As: "dayWeek"},
			},
			Measures: []query.Measure{{Fn: query.FnCount, As: "n"}},
			Location: sh,
		},
		// Every measure, with having, sort by a measure and a limit.
		"measures_having_sort_limit": {
			Group: []query.GroupKey{{Field: fMember, As: "member"}},
			Measures: []query.Measure{
				{Fn: query.FnSum, Field: fPoints, As: "points"},
				{Fn: query.FnAvg, Field: fAmount, As: "avgAmount"},
				{Fn: query.FnMin, Field: fAt, As: "first"},
				{Fn: query.FnMax, Field: fAt, As: "last"},
				{Fn: query.FnCountDistinct, Field: fStore, As: "stores"},
			},
			Having:   query.And(query.Cmp(out("points", query.KindInt), query.OpGt, query.Int(100)), query.Cmp(out("stores", query.KindInt), query.OpGte, query.Int(2))),
			Sort:     []query.SortKey{{Field: out("points", query.KindInt), Desc: true}},
			Limit:    50,
			Location: time.UTC,
		},
		// No group keys: one row over everything, no $sort.
		"totals": {
			Measures: []query.Measure{{Fn: query.FnCount, As: "n"}, {Fn: query.FnSum, Field: fAmount, As: "amount"}},
		},
		// Grouping by the id gives the alias "_id", which must survive $project.
		"id_alias": {
			Group:    []query.GroupKey{{Field: query.IDField, As: "_id"}},
			Measures: []query.Measure{{Fn: query.FnMax, Field: fPoints, As: "max"}},
		},
	}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := aggregatePipeline("sales", spec)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, p)
		})
	}
}

// checkGolden compares a pipeline with testdata/aggregate/<name>.json
// (rewritten first with -update).
func checkGolden(t *testing.T, name string, p mdb.Pipeline) {
	t.Helper()
	got := pipelineJSON(t, p)
	path := filepath.Join("testdata", "aggregate", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("pipeline differs from %s:\n%s", path, got)
	}
}

// pipelineJSON renders stages as indented relaxed extended JSON.
func pipelineJSON(t *testing.T, p []bson.D) []byte {
	t.Helper()
	var stages []json.RawMessage
	for _, st := range p {
		b, err := bson.MarshalExtJSON(st, false, false)
		if err != nil {
			t.Fatal(err)
		}
		stages = append(stages, b)
	}
	b, err := json.MarshalIndent(stages, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestAggregatePipelineRefuses(t *testing.T) {
	count := []query.Measure{{Fn: query.FnCount, As: "n"}}
	bad := map[string]*query.Aggregate{
		"nil":           nil,
		"no measures":   {Group: []query.GroupKey{{Field: fMember, As: "m"}}},
		"repeated name": {Group: []query.GroupKey{{Field: fMember, As: "n"}}, Measures: count},
		"dotted name":   {Group: []query.GroupKey{{Field: fStore, As: "store.code"}}, Measures: count},
		"dollar name":   {Measures: []query.Measure{{Fn: query.FnCount, As: "$n"}}},
		"local zone":    {Measures: count, Location: time.Local},
		"bucket text":   {Group: []query.GroupKey{{Field: fMember, Bucket: query.BucketDay, As: "d"}}, Measures: count},
		"bad bucket":    {Group: []query.GroupKey{{Field: fAt, Bucket: "hour", As: "h"}}, Measures: count},
		"bad measure":   {Measures: []query.Measure{{Fn: "median", Field: fPoints, As: "x"}}},
		"sort unknown":  {Measures: count, Sort: []query.SortKey{{Field: out("zz", query.KindInt)}}},
		"bad path":      {Measures: []query.Measure{{Fn: query.FnSum, Field: query.Field{Path: "a..b"}, As: "x"}}},
		"negative":      {Measures: count, Limit: -1},
	}
	for name, spec := range bad {
		if _, err := aggregatePipeline("sales", spec); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

// On lungo, Aggregate refuses without calling lungo (whose Aggregate panics).
func TestAggregateUnsupportedOnLungo(t *testing.T) {
	s := newLungo(t, store.Options{})
	spec := &query.Aggregate{Measures: []query.Measure{{Fn: query.FnCount, As: "n"}}}
	if _, err := s.Aggregate(context.Background(), "c", spec); !errors.Is(err, store.ErrUnsupported) {
		t.Errorf("got %v, want ErrUnsupported", err)
	}
	err := s.Tx(context.Background(), func(tx store.Ops) error {
		_, err := tx.Aggregate(context.Background(), "c", spec)
		return err
	})
	if !errors.Is(err, store.ErrUnsupported) {
		t.Errorf("in tx: got %v, want ErrUnsupported", err)
	}
}
