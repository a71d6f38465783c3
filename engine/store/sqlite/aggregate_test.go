package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// TestBucketsAgreeWithBucketKey compares the SQL of every bucket (pure
// strftime, the CASE with a Go fallback, and the Go function alone) with
// query.BucketKey over random instants from 1900 to 2100 and around the
// transitions of zones with odd offsets, half-hour DST and past summer time.
func TestBucketsAgreeWithBucketKey(t *testing.T) {
	s := openTest(t)
	zones := []*time.Location{time.UTC, time.FixedZone("X", 5*3600+1800), time.FixedZone("Y", -3*3600-1234)}
	for _, name := range []string{"Asia/Shanghai", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Europe/London", "America/Sao_Paulo"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, loc)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	lo := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	var instants []time.Time
	for i := 0; i < 300; i++ {
		instants = append(instants, time.Unix(lo+rng.Int64N(hi-lo), rng.Int64N(1000)*1e6).UTC())
	}
	for _, z := range zones {
		// Both sides of every transition since 1980.
		t0 := time.Date(1980, 1, 1, 0, 0, 0, 0, z)
		for i := 0; i < 60; i++ {
			_, end := t0.ZoneBounds()
			if end.IsZero() || end.Year() > 2040 {
				break
			}
			instants = append(instants, end.Add(-time.Millisecond).UTC(), end.UTC())
			t0 = end
		}
	}
	at := query.Field{Path: "at", Kind: query.KindTime}
	for _, z := range zones {
		for _, b := range query.Buckets {
			var sb sqlBuf
			sb.w("SELECT ")
			if err := groupExpr(&sb, query.GroupKey{Field: at, Bucket: b}, "json_extract(doc,'$.at')", z); err != nil {
				t.Fatal(err)
			}
			sb.w(" FROM (SELECT jsonb(?) AS doc)")
			for _, tm := range instants {
				text := query.FormatTime(tm)
				doc, _ := json.Marshal(map[string]string{"at": text})
				var got *string
				args := append(append([]any{}, sb.args...), string(doc))
				if _, err := s.read.r.queryRow(context.Background(), sb.b.String(), args, &got); err != nil {
					t.Fatal(err)
				}
				want := query.BucketKey(tm, b, z)
				if got == nil || *got != want {
					t.Fatalf("%s %s %s: sql %v, BucketKey %s\n%s", z, b, text, deref(got), want, sb.b.String())
				}
			}
		}
	}
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestZoneInfo: Shanghai has a constant offset only since its 1991 summer
// time ended; New York never does; UTC always.
func TestZoneInfo(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	if z := computeZone(sh); !z.fixed || z.fixedSince.Year() != 1991 || z.modifier != ", '+28800 seconds'" {
		t.Errorf("Shanghai: %+v", z)
	}
	if z := computeZone(ny); z.fixed {
		t.Errorf("New York: %+v", z)
	}
	if z := computeZone(time.UTC); !z.fixed || !z.fixedSince.IsZero() || z.modifier != "" {
		t.Errorf("UTC: %+v", z)
	}
}

func TestDecSum(t *testing.T) {
	cases := []struct {
		in   []string
		want string
	}{
		{nil, "0"},
		{[]string{"10.50", "0.1", "0.2"}, "10.80"},
		{[]string{"0.1", "0.2"}, "0.3"},
		{[]string{"-3.3", "0.05"}, "-3.25"},
		{[]string{"1e3", "2.5E-1", "-1e-2"}, "1000.24"},
		{[]string{"9007199254740993", "9223372036854775807", "1"}, "9232379236109516801"},
		{[]string{"123456789012345678.123456789012", "0.000000000001"}, "123456789012345678.123456789013"},
		{[]string{`"text"`, "null", "true", "5"}, "5"},
		{[]string{"-0.5", "0.25"}, "-0.25"},
	}
	for _, c := range cases {
		var d decSum
		for _, s := range c.in {
			d.add(s)
		}
		if got := d.text(); got != c.want {
			t.Errorf("sum %v = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestAggregateExactAndTyped runs one aggregation end to end: exact decimal
// and big-integer sums, typed group keys, nulls, HAVING, sort and limit.
func TestAggregateExactAndTyped(t *testing.T) {
	s := openTest(t)
	ctx := t.Context()
	docs := []store.Doc{
		{"store": "南山", "qty": json.Number("9007199254740993"), "amount": json.Number("0.1"), "vip": true, "lvl": 1},
		{"store": "南山", "qty": 2, "amount": json.Number("0.2"), "vip": false, "lvl": 1},
		{"store": "福田", "qty": 1, "amount": json.Number("10.50"), "vip": true, "lvl": 2},
		{"qty": 1, "amount": nil, "lvl": nil},
	}
	for _, d := range docs {
		if _, err := s.Insert(ctx, "sales", d); err != nil {
			t.Fatal(err)
		}
	}
	fs := query.NewFields(
		query.Field{Path: "store", Kind: query.KindString},
		query.Field{Path: "qty", Kind: query.KindInt},
		query.Field{Path: "amount", Kind: query.KindDecimal},
		query.Field{Path: "vip", Kind: query.KindBool},
		query.Field{Path: "lvl", Kind: query.KindInt},
	)
	spec, err := query.ParseAggregate([]byte(`{"groupBy":[{"field":"store"},{"field":"lvl"}],
		"measures":[{"op":"count"},{"op":"sum","field":"qty"},{"op":"sum","field":"amount"},{"op":"avg","field":"amount"},
		{"op":"max","field":"vip"},{"op":"countDistinct","field":"vip"}]}`), fs)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.Aggregate(ctx, "sales", spec)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(rows)
	want := `[{"avg_amount":null,"count":1,"countDistinct_vip":0,"lvl":null,"max_vip":null,"store":null,"sum_amount":0,"sum_qty":1},` +
		`{"avg_amount":0.15000000000000002,"count":2,"countDistinct_vip":2,"lvl":1,"max_vip":true,"store":"南山","sum_amount":0.3,"sum_qty":9007199254740995},` +
		`{"avg_amount":10.5,"count":1,"countDistinct_vip":1,"lvl":2,"max_vip":true,"store":"福田","sum_amount":10.50,"sum_qty":1}]`
	if string(got) != want {
		t.Errorf("rows\n got %s\nwant %s", got, want)
	}
	if _, ok := rows[1]["lvl"].(json.Number); !ok {
		t.Errorf("int group key is %T, want json.Number", rows[1]["lvl"])
	}

	spec2, err := query.ParseAggregate([]byte(`{"groupBy":[{"field":"store"}],"measures":[{"op":"count","as":"n"}],
		"having":{"n":{"$gte":1}},"sort":"-n","limit":1}`), fs)
	if err != nil {
		t.Fatal(err)
	}
	rows, err = s.Aggregate(ctx, "sales", spec2)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[map[n:2 store:南山]]" {
		t.Errorf("having/sort/limit: %v", rows)
	}

	// Exact decimal sums are text in SQL: HAVING and ORDER BY must still
	// treat them as numbers (as text, "0.3" > "10.50").
	spec3, err := query.ParseAggregate([]byte(`{"groupBy":[{"field":"store"}],"measures":[{"op":"sum","field":"amount","as":"s"}],
		"having":{"s":{"$gt":"0.29"}},"sort":"-s"}`), fs)
	if err != nil {
		t.Fatal(err)
	}
	rows, err = s.Aggregate(ctx, "sales", spec3)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rows) != "[map[s:10.50 store:福田] map[s:0.3 store:南山]]" {
		t.Errorf("having/sort on exact sums: %v", rows)
	}
}
