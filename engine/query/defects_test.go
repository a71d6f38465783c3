package query_test

// Tests in this file demonstrate defects found in the query contract files
// (ast.go, parse.go, sort.go, aggregate.go); each names the file and the
// fix. A test fails while its defect is present and stays as a regression
// test once the contract is fixed.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
)

// BucketKey with BucketNone converts t to loc and then formats it with the
// UTC layout, so it returns local wall time labelled "Z": 2026-01-01T00:00Z
// in Shanghai comes back as "2026-01-01T08:00:00.000Z", a different instant.
// Fix (aggregate.go, last line of BucketKey): return FormatTime(t).
func TestDefectBucketKeyNoneIsNotUTC(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 1, 1, 0, 0, 0, 5e6, time.UTC)
	if got, want := query.BucketKey(ts, query.BucketNone, query.DefaultLocation), "2026-01-01T00:00:00.005Z"; got != want {
		t.Errorf("BucketKey(none) = %s, want %s", got, want)
	}
}

// Time filter values are truncated to milliseconds (FormatTime), which moves
// $gte, $lt and $eq bounds given with sub-millisecond precision: a document
// stored at .000Z is before a .0005Z bound but matches $gte and fails $lt.
// Fix (parse.go, value/leaf): round the bound up for gte/lt (and make eq
// false), or refuse more than millisecond precision with query.type.
func TestDefectSubMillisecondTimeBounds(t *testing.T) {
	t.Parallel()
	const stored = "2026-01-01T00:00:00.000Z" // ms precision, as stores keep it
	storedT, _ := time.Parse(time.RFC3339Nano, stored)
	bound := "2026-01-01T00:00:00.0005Z"
	boundT, _ := time.Parse(time.RFC3339Nano, bound)
	for _, c := range []struct {
		op   string
		want bool // the true answer on instants
	}{
		{"$gte", !storedT.Before(boundT)},
		{"$lt", storedT.Before(boundT)},
		{"$eq", storedT.Equal(boundT)},
	} {
		n, err := query.ParseFilter([]byte(`{"paidAt":{"`+c.op+`":"`+bound+`"}}`), testFields, query.Options{})
		if err != nil {
			continue // refusing sub-millisecond bounds is a valid fix
		}
		var got bool // what a store computes: canonical strings compare as strings
		switch v := n.Value.Str; c.op {
		case "$gte":
			got = stored >= v
		case "$lt":
			got = stored < v
		case "$eq":
			got = stored == v
		}
		if got != c.want {
			t.Errorf("%s %s parsed as %s: stored %s matches=%v, want %v", c.op, bound, show(n), stored, got, c.want)
		}
	}
}

// An unknown list variable in $in is reported as "$in takes an array"
// (query.type) rather than query.unknown_variable, and a list variable held
// as []string (the natural Go type for Options.Vars) is refused the same
// way. Fix (parse.go, resolve and the OpIn case of leaf): report unknown
// "$" names as query.unknown_variable and accept []string (or any slice).
func TestDefectInListVariables(t *testing.T) {
	t.Parallel()
	vars := map[string]any{"$user.units": []string{"u1", "u2"}}
	_, err := query.ParseFilter([]byte(`{"unit":{"$in":"$user.nope"}}`), testFields, query.Options{Vars: vars})
	checkErr(t, err, "query.invalid", fieldErr{"$.unit.$in", "query.unknown_variable"})

	n, err := query.ParseFilter([]byte(`{"unit":{"$in":"$user.units"}}`), testFields, query.Options{Vars: vars})
	if err != nil {
		t.Errorf("[]string list variable refused: %v", err)
	} else if got := show(n); got != `in(unit,["u1","u2"])` {
		t.Errorf("got %s", got)
	}
}

// Grouping or measuring a nested field without "as" fails: the default
// output name keeps the dots ("a.b.c", "max_a.b.c"), which the alias rule
// refuses, so the user gets an error about an "as" they never wrote.
// Fix (aggregate.go, ParseAggregate): build default names with dots
// replaced by "_".
func TestDefectDefaultAliasOfNestedField(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"groupBy":[{"field":"a.b.c"}],"measures":[{"op":"count"}]}`: "a_b_c count",
		`{"measures":[{"op":"max","field":"a.b.c"}]}`:                 "max_a_b_c",
	} {
		a, err := query.ParseAggregate([]byte(in), testFields)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		var names []string
		for _, g := range a.Group {
			names = append(names, g.As)
		}
		for _, m := range a.Measures {
			names = append(names, m.As)
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("%s: outputs %q, want %q", in, got, want)
		}
	}
}

// The having clause is parsed in Shanghai time even when the aggregation
// names another zone, while the filter uses that zone: a date-only bound on
// a time output (min/max of a time field) means a different instant in the
// two clauses of one request.
// Fix (aggregate.go, ParseAggregate): parse Having with Location: a.Location.
func TestDefectHavingIgnoresTimeZone(t *testing.T) {
	t.Parallel()
	a, err := query.ParseAggregate([]byte(`{"groupBy":[{"field":"unit"}],"measures":[{"op":"min","field":"paidAt","as":"first"}],
		"filter":{"paidAt":{"$gte":"2026-01-01"}},"having":{"first":{"$gte":"2026-01-01"}},"timeZone":"America/New_York"}`), testFields)
	if err != nil {
		t.Fatal(err)
	}
	if f, h := a.Filter.Value.Str, a.Having.Value.Str; f != h {
		t.Errorf("filter bound %s, having bound %s for the same date in the same request", f, h)
	}
}

// DecodeCursor re-validates cursor values with the user filter grammar, so
// a stored value outside that grammar cannot be paged past: a decimal with
// 19 fraction digits (or 31 integer digits, or exponent form), which the
// store accepts and returns, makes the next-page token "not valid for this
// list and sort", and the list stops at that row.
// Fix (sort.go, DecodeCursor): accept any JSON number text for int and
// decimal keys (validate the shape, not the filter limits), or have
// CursorOf refuse such rows with a clear error.
func TestDefectCursorOfStoredDecimalOutsideGrammar(t *testing.T) {
	t.Parallel()
	keys := query.WithIDTieBreak([]query.SortKey{{Field: testFields["price"]}})
	for _, price := range []string{"0.1234567890123456789", "1234567890123456789012345678901.5"} {
		doc := map[string]any{"_id": "x", "price": json.Number(price)}
		tok := query.CursorOf(doc, keys).Encode()
		if _, err := query.DecodeCursor(tok, keys); err != nil {
			t.Errorf("cursor after a row with price %s: %v", price, err)
		}
	}
}
