package query_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones for BucketKey cases on machines without a tz database

	"github.com/tangram/tangram/engine/query"
)

func TestParseAggregateHappy(t *testing.T) {
	t.Parallel()
	a, err := query.ParseAggregate([]byte(`{
		"filter": {"paidAt": {"$gte": "2026-01-01"}},
		"groupBy": [{"field": "unit"}, {"field": "paidAt", "bucket": "month"}, {"field": "birthday", "bucket": "year", "as": "by"}],
		"measures": [{"op": "count"}, {"op": "sum", "field": "n"}, {"op": "avg", "field": "price", "as": "avgPrice"},
			{"op": "min", "field": "paidAt"}, {"op": "max", "field": "name"}, {"op": "countDistinct", "field": "name"}],
		"having": {"count": {"$gt": 1}, "avgPrice": {"$lt": "10.5"}},
		"sort": "-sum_n,paidAt_month",
		"limit": 10,
		"timeZone": "America/New_York"
	}`), testFields)
	if err != nil {
		t.Fatal(err)
	}
	if a.Location.String() != "America/New_York" || a.Limit != 10 {
		t.Errorf("location %v limit %d", a.Location, a.Limit)
	}
	// The filter's date-only bound is midnight in the aggregation's zone.
	if got := show(a.Filter); got != `gte(paidAt,"2026-01-01T05:00:00.000Z")` {
		t.Errorf("filter %s", got)
	}
	var groups []string
	for _, g := range a.Group {
		groups = append(groups, g.Field.Path+"/"+string(g.Bucket)+"/"+g.As)
	}
	if got := strings.Join(groups, " "); got != "unit//unit paidAt/month/paidAt_month birthday/year/by" {
		t.Errorf("groups %s", got)
	}
	var ms []string
	for _, m := range a.Measures {
		ms = append(ms, string(m.Fn)+"/"+m.Field.Path+"/"+m.As)
	}
	if got := strings.Join(ms, " "); got != "count//count sum/n/sum_n avg/price/avgPrice min/paidAt/min_paidAt max/name/max_name countDistinct/name/countDistinct_name" {
		t.Errorf("measures %s", got)
	}
	if got := show(a.Having); got != `and(lt(avgPrice,d10.5),gt(count,1))` {
		t.Errorf("having %s", got)
	}
	if got := showKeys(a.Sort); got != "-sum_n,paidAt_month" {
		t.Errorf("sort %s", got)
	}
	outs := a.Outputs()
	kinds := map[string]query.Kind{
		"unit": query.KindString, "paidAt_month": query.KindString, "by": query.KindString,
		"count": query.KindInt, "sum_n": query.KindInt, "avgPrice": query.KindDecimal,
		"min_paidAt": query.KindTime, "max_name": query.KindString, "countDistinct_name": query.KindInt,
	}
	if len(outs) != len(kinds) {
		t.Errorf("outputs %v", outs)
	}
	for k, want := range kinds {
		if outs[k].Kind != want {
			t.Errorf("output %s kind %q, want %q", k, outs[k].Kind, want)
		}
	}

	// Defaults: Shanghai, the row bound MaxAggLimit, no filter.
	a, err = query.ParseAggregate([]byte(`{"measures":[{"op":"count"}]}`), testFields)
	if err != nil {
		t.Fatal(err)
	}
	if a.Location.String() != "Asia/Shanghai" || a.Limit != query.MaxAggLimit || a.Filter != nil || a.Having != nil || a.Sort != nil {
		t.Errorf("defaults: %+v", a)
	}
}

func TestParseAggregateErrors(t *testing.T) {
	t.Parallel()
	// many lists n items made from a format with a distinct index each.
	many := func(n int, format string) string {
		var items []string
		for i := 0; i < n; i++ {
			items = append(items, fmt.Sprintf(format, i))
		}
		return strings.Join(items, ",")
	}
	cases := []struct {
		name, in string
		code     string
		want     []fieldErr
	}{
		{"empty body", ``, "query.malformed", nil},
		{"not json", `{"measures":`, "query.malformed", nil},
		{"array body", `[]`, "query.malformed", nil},
		{"unknown key", `{"measures":[{"op":"count"}],"pipeline":[]}`, "query.malformed", nil},
		{"unknown group key", `{"groupBy":[{"field":"unit","bukket":"day"}],"measures":[{"op":"count"}]}`, "query.malformed", nil},
		{"unknown measure key", `{"measures":[{"op":"count","expr":"1"}]}`, "query.malformed", nil},
		{"limit as string", `{"measures":[{"op":"count"}],"limit":"10"}`, "query.malformed", nil},
		{"unknown group field", `{"groupBy":[{"field":"nope"}],"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"groupBy[0].field", "query.unknown_field"}}},
		{"unknown bucket", `{"groupBy":[{"field":"paidAt","bucket":"hour"}],"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"groupBy[0].bucket", "query.unknown_operator"}}},
		{"bucket on text", `{"groupBy":[{"field":"unit"},{"field":"name","bucket":"day"}],"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"groupBy[1].bucket", "query.operator_type"}}},
		{"group by list", `{"groupBy":[{"field":"tags"}],"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"groupBy[0].field", "query.operator_type"}}},
		{"too many group keys", `{"groupBy":[` + many(9, `{"field":"unit","as":"u%d"}`) + `],"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"groupBy", "query.too_large"}}},
		{"no measures", `{"groupBy":[{"field":"unit"}]}`, "query.invalid", []fieldErr{{"measures", "query.measures"}}},
		{"too many measures", `{"measures":[` + many(33, `{"op":"count","as":"c%d"}`) + `]}`, "query.invalid", []fieldErr{{"measures", "query.measures"}}},
		{"unknown measure", `{"measures":[{"op":"median","field":"n"}]}`, "query.invalid", []fieldErr{{"measures[0].op", "query.unknown_operator"}}},
		{"count with field", `{"measures":[{"op":"count","field":"n"}]}`, "query.invalid", []fieldErr{{"measures[0].field", "query.operator_type"}}},
		{"sum of text", `{"measures":[{"op":"sum","field":"name"}]}`, "query.invalid", []fieldErr{{"measures[0].field", "query.operator_type"}}},
		{"avg of time", `{"measures":[{"op":"avg","field":"paidAt"}]}`, "query.invalid", []fieldErr{{"measures[0].field", "query.operator_type"}}},
		{"measure of unknown field", `{"measures":[{"op":"count"},{"op":"max","field":"nope"}]}`, "query.invalid", []fieldErr{{"measures[1].field", "query.unknown_field"}}},
		{"measure without field", `{"measures":[{"op":"sum"}]}`, "query.invalid", []fieldErr{{"measures[0].field", "query.unknown_field"}}},
		{"measure of list", `{"measures":[{"op":"max","field":"scores"}]}`, "query.invalid", []fieldErr{{"measures[0].field", "query.operator_type"}}},
		{"duplicate default alias", `{"measures":[{"op":"count"},{"op":"count"}]}`, "query.invalid", []fieldErr{{"measures[1].as", "query.alias"}}},
		{"alias clash group and measure", `{"groupBy":[{"field":"unit","as":"x"}],"measures":[{"op":"count","as":"x"}]}`, "query.invalid", []fieldErr{{"measures[0].as", "query.alias"}}},
		{"alias clash between groups", `{"groupBy":[{"field":"unit"},{"field":"name","as":"unit"}],"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"groupBy[1].as", "query.alias"}}},
		{"alias not identifier", `{"measures":[{"op":"count","as":"a-b"}]}`, "query.invalid", []fieldErr{{"measures[0].as", "query.alias"}}},
		{"alias injection", `{"measures":[{"op":"count","as":"x\"); DROP TABLE t;--"}]}`, "query.invalid", []fieldErr{{"measures[0].as", "query.alias"}}},
		{"negative limit", `{"measures":[{"op":"count"}],"limit":-1}`, "query.invalid", []fieldErr{{"limit", "query.limit"}}},
		{"limit too large", `{"measures":[{"op":"count"}],"limit":10001}`, "query.invalid", []fieldErr{{"limit", "query.limit"}}},
		{"unknown zone", `{"measures":[{"op":"count"}],"timeZone":"Mars/Olympus"}`, "query.invalid", []fieldErr{{"timeZone", "query.time_zone"}}},
		{"all collected", `{"groupBy":[{"field":"nope"}],"measures":[{"op":"median"}],"limit":-5}`, "query.invalid", []fieldErr{{"groupBy[0].field", "query.unknown_field"}, {"limit", "query.limit"}, {"measures[0].op", "query.unknown_operator"}}},
		{"bad filter", `{"filter":{"nope":1},"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"filter.nope", "query.unknown_field"}}},
		{"filter operator", `{"filter":{"$where":"1"},"measures":[{"op":"count"}]}`, "query.invalid", []fieldErr{{"filter.$where", "query.unknown_operator"}}},
		{"having unknown output", `{"groupBy":[{"field":"unit"}],"measures":[{"op":"count"}],"having":{"sum_n":{"$gt":1}}}`, "query.invalid", []fieldErr{{"having.sum_n", "query.unknown_field"}}},
		{"having on source field", `{"measures":[{"op":"count"}],"having":{"n":1}}`, "query.invalid", []fieldErr{{"having.n", "query.unknown_field"}}},
		{"having wrong type", `{"measures":[{"op":"count"}],"having":{"count":"many"}}`, "query.invalid", []fieldErr{{"having.count", "query.type"}}},
		{"sort unknown output", `{"groupBy":[{"field":"unit"}],"measures":[{"op":"count"}],"sort":"unit,-total"}`, "query.sort", []fieldErr{{"sort[1]", "query.unknown_field"}}},
		{"sort on source field", `{"measures":[{"op":"count"}],"sort":"n"}`, "query.sort", []fieldErr{{"sort[0]", "query.unknown_field"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := query.ParseAggregate([]byte(c.in), testFields)
			if err == nil {
				t.Fatalf("accepted: %+v", a)
			}
			checkErr(t, err, c.code, c.want...)
		})
	}
	// The limit bounds themselves are allowed.
	for _, in := range []string{`{"measures":[{"op":"count"}],"limit":0}`, `{"measures":[{"op":"count"}],"limit":10000}`} {
		if _, err := query.ParseAggregate([]byte(in), testFields); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
}

// TestBucketKey checks bucket keys against expectations written by hand (and
// cross-checked with GNU date), so the storetest suite may use BucketKey as
// its reference.
func TestBucketKey(t *testing.T) {
	t.Parallel()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	sh, ny, in := zone("Asia/Shanghai"), zone("America/New_York"), zone("Asia/Kolkata")
	type keys struct{ day, week, month, quarter, year string }
	cases := []struct {
		utc  string
		loc  *time.Location
		want keys
	}{
		// New Year in Shanghai while New York is still in the old year.
		{"2025-12-31T16:30:00Z", sh, keys{"2026-01-01", "2025-12-29", "2026-01", "2026-Q1", "2026"}},
		{"2025-12-31T16:30:00Z", ny, keys{"2025-12-31", "2025-12-29", "2025-12", "2025-Q4", "2025"}},
		{"2025-12-31T16:30:00Z", in, keys{"2025-12-31", "2025-12-29", "2025-12", "2025-Q4", "2025"}},
		{"2025-12-31T15:59:59.999Z", sh, keys{"2025-12-31", "2025-12-29", "2025-12", "2025-Q4", "2025"}},
		// ISO week across the year boundary: Sunday 2027-01-03 is in the week of Monday 2026-12-28.
		{"2027-01-03T15:59:59Z", sh, keys{"2027-01-03", "2026-12-28", "2027-01", "2027-Q1", "2027"}},
		{"2027-01-03T16:00:00Z", sh, keys{"2027-01-04", "2027-01-04", "2027-01", "2027-Q1", "2027"}},
		{"2027-01-03T16:00:00Z", ny, keys{"2027-01-03", "2026-12-28", "2027-01", "2027-Q1", "2027"}},
		{"2021-01-01T12:00:00Z", sh, keys{"2021-01-01", "2020-12-28", "2021-01", "2021-Q1", "2021"}},
		{"2024-12-30T12:00:00Z", sh, keys{"2024-12-30", "2024-12-30", "2024-12", "2024-Q4", "2024"}},
		// Month and quarter boundaries at Shanghai midnight.
		{"2026-01-31T16:30:00Z", sh, keys{"2026-02-01", "2026-01-26", "2026-02", "2026-Q1", "2026"}},
		{"2026-01-31T16:30:00Z", ny, keys{"2026-01-31", "2026-01-26", "2026-01", "2026-Q1", "2026"}},
		{"2026-03-31T16:00:00Z", sh, keys{"2026-04-01", "2026-03-30", "2026-04", "2026-Q2", "2026"}},
		{"2026-03-31T16:00:00Z", ny, keys{"2026-03-31", "2026-03-30", "2026-03", "2026-Q1", "2026"}},
		{"2026-06-30T16:00:00Z", sh, keys{"2026-07-01", "2026-06-29", "2026-07", "2026-Q3", "2026"}},
		{"2026-06-30T15:59:59Z", sh, keys{"2026-06-30", "2026-06-29", "2026-06", "2026-Q2", "2026"}},
		// Half-hour zone.
		{"2026-01-31T18:29:00Z", in, keys{"2026-01-31", "2026-01-26", "2026-01", "2026-Q1", "2026"}},
		{"2026-01-31T18:30:00Z", in, keys{"2026-02-01", "2026-01-26", "2026-02", "2026-Q1", "2026"}},
		// New York spring forward (Sunday 2026-03-08, 02:00 EST -> 03:00 EDT).
		{"2026-03-08T06:30:00Z", ny, keys{"2026-03-08", "2026-03-02", "2026-03", "2026-Q1", "2026"}},
		{"2026-03-08T07:30:00Z", ny, keys{"2026-03-08", "2026-03-02", "2026-03", "2026-Q1", "2026"}},
		{"2026-03-09T03:59:59Z", ny, keys{"2026-03-08", "2026-03-02", "2026-03", "2026-Q1", "2026"}},
		{"2026-03-09T04:00:00Z", ny, keys{"2026-03-09", "2026-03-09", "2026-03", "2026-Q1", "2026"}},
		{"2026-03-09T04:00:00Z", sh, keys{"2026-03-09", "2026-03-09", "2026-03", "2026-Q1", "2026"}},
		// New York fall back (Sunday 2026-11-01, 01:30 happens twice).
		{"2026-11-01T05:30:00Z", ny, keys{"2026-11-01", "2026-10-26", "2026-11", "2026-Q4", "2026"}},
		{"2026-11-01T06:30:00Z", ny, keys{"2026-11-01", "2026-10-26", "2026-11", "2026-Q4", "2026"}},
		{"2026-11-02T04:59:59Z", ny, keys{"2026-11-01", "2026-10-26", "2026-11", "2026-Q4", "2026"}},
		{"2026-11-02T05:00:00Z", ny, keys{"2026-11-02", "2026-11-02", "2026-11", "2026-Q4", "2026"}},
		{"2026-11-23T00:00:00Z", sh, keys{"2026-11-23", "2026-11-23", "2026-11", "2026-Q4", "2026"}},
	}
	for _, c := range cases {
		ts, err := time.Parse(time.RFC3339Nano, c.utc)
		if err != nil {
			t.Fatal(err)
		}
		got := keys{
			query.BucketKey(ts, query.BucketDay, c.loc),
			query.BucketKey(ts, query.BucketWeek, c.loc),
			query.BucketKey(ts, query.BucketMonth, c.loc),
			query.BucketKey(ts, query.BucketQuarter, c.loc),
			query.BucketKey(ts, query.BucketYear, c.loc),
		}
		if got != c.want {
			t.Errorf("BucketKey(%s in %s)\n got: %+v\nwant: %+v", c.utc, c.loc, got, c.want)
		}
	}
}

func TestTimeFormat(t *testing.T) {
	t.Parallel()
	sh := query.DefaultLocation
	ts, err := query.ParseTime("2026-01-01", sh)
	if err != nil || query.FormatTime(ts) != "2025-12-31T16:00:00.000Z" {
		t.Errorf("date-only: %v %v", query.FormatTime(ts), err)
	}
	ts, err = query.ParseTime("2026-06-01T12:00:00.5+02:00", sh)
	if err != nil || query.FormatTime(ts) != "2026-06-01T10:00:00.500Z" {
		t.Errorf("offset: %v %v", query.FormatTime(ts), err)
	}
	if _, err := query.ParseTime("2026-06-01 12:00", sh); err == nil {
		t.Error("space-separated time accepted")
	}
}
