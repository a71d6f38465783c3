package storetest

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var aggFields = query.NewFields(
	query.Field{Path: "store", Kind: query.KindString},
	query.Field{Path: "at", Kind: query.KindTime},
	query.Field{Path: "day", Kind: query.KindDate},
	query.Field{Path: "qty", Kind: query.KindInt},
	query.Field{Path: "amount", Kind: query.KindDecimal},
	query.Field{Path: "member", Kind: query.KindString},
	query.Field{Path: "channel", Kind: query.KindString},
)

// aggDocs are sales whose times straddle midnight, month, quarter and year
// boundaries in Shanghai and in New York (including both DST switches and
// an ISO week that spans New Year), with null and missing group values,
// decimals whose float sum is inexact, and two quantities whose sum float64
// cannot hold.
func aggDocs() []store.Doc {
	times := []any{
		"2025-12-31T15:30:00.000Z", "2025-12-31T16:30:00.000Z", "2026-01-01T04:59:59.000Z",
		"2026-01-01T05:00:00.000Z", "2026-01-31T16:30:00.000Z", "2026-03-08T06:30:00.000Z",
		"2026-03-08T07:30:00.000Z", "2026-03-09T03:59:59.000Z", "2026-03-09T04:00:00.000Z",
		"2026-03-31T16:00:00.000Z", "2026-06-30T16:00:00.000Z", "2026-11-01T05:30:00.000Z",
		"2026-11-01T06:30:00.000Z", "2026-11-02T04:59:59.000Z", "2026-11-02T05:00:00.000Z",
		"2027-01-03T15:59:59.000Z", "2027-01-03T16:00:00.000Z", nil,
	}
	days := []string{"2026-01-31", "2026-02-01", "2025-12-31", "2026-01-01", "2027-01-03", "2026-12-28",
		"2026-03-08", "2026-03-09", "2026-06-30", "2026-07-01", "2026-11-01"}
	stores := []any{"南山店", "福田店", "NY-5th", nil, "南山店"}
	amounts := []string{"10.50", "0.1", "0.2", "19.99", "-3.3", "100", "0.05"}
	members := []string{"m1", "m2", "会员3", "m1", "m4", "m2"}
	var docs []store.Doc
	for i, at := range times {
		d := store.Doc{
			"_id":    fmt.Sprintf("s%02d", i),
			"at":     at,
			"qty":    (i*7)%10 + 1,
			"amount": num(amounts[i%7]),
			"member": members[i%6],
		}
		if i%3 == 0 {
			d["channel"] = "pos"
		} else {
			d["channel"] = "web"
		}
		if i != 13 {
			d["day"] = days[i%len(days)]
		}
		if st := stores[i%5]; st != nil || i%2 == 1 {
			d["store"] = st // null for odd i, missing for even i
		}
		docs = append(docs, d)
	}
	return append(docs,
		store.Doc{"_id": "big1", "store": "大单", "qty": num("9007199254740993"), "amount": num("0.1"),
			"at": "2026-05-01T00:00:00.000Z", "day": "2026-05-01", "member": "m9", "channel": "pos"},
		store.Doc{"_id": "big2", "store": "大单", "qty": 2, "amount": num("0.2"),
			"at": "2026-05-02T00:00:00.000Z", "day": "2026-05-02", "member": "m9", "channel": "pos"},
	)
}

// aggCases are aggregation specs as users send them.
func aggCases() []struct{ name, spec string } {
	cases := []struct{ name, spec string }{
		{"by store all measures", `{"groupBy":[{"field":"store"}],"measures":[{"op":"count"},{"op":"sum","field":"qty"},
			{"op":"avg","field":"qty"},{"op":"min","field":"amount"},{"op":"max","field":"amount"},{"op":"min","field":"at"},
			{"op":"max","field":"at"},{"op":"min","field":"day"},{"op":"countDistinct","field":"member"},{"op":"max","field":"member"}]}`},
		{"sum of decimals is exact", `{"groupBy":[{"field":"store"}],"measures":[{"op":"sum","field":"amount"}]}`},
		{"avg of decimals", `{"groupBy":[{"field":"channel"}],"measures":[{"op":"avg","field":"amount"}]}`},
		{"no group", `{"measures":[{"op":"count"},{"op":"sum","field":"qty"},{"op":"max","field":"day"},{"op":"countDistinct","field":"store"}]}`},
		{"two keys", `{"groupBy":[{"field":"store"},{"field":"at","bucket":"month","as":"m"}],"measures":[{"op":"count","as":"n"}]}`},
		{"filter having sort limit", `{"filter":{"channel":"pos"},"groupBy":[{"field":"store"}],"measures":[{"op":"count"},
			{"op":"sum","field":"qty","as":"total"}],"having":{"count":{"$gte":2}},"sort":"-total","limit":1}`},
		{"having on avg", `{"groupBy":[{"field":"store"}],"measures":[{"op":"avg","field":"amount","as":"avgAmt"}],"having":{"avgAmt":{"$gt":"10"}}}`},
		{"having ne with null key", `{"groupBy":[{"field":"member"}],"measures":[{"op":"count"}],"having":{"count":{"$ne":3}}}`},
		{"sort by bucket desc limit", `{"groupBy":[{"field":"at","bucket":"month"}],"measures":[{"op":"count"}],"sort":"-at_month","limit":3}`},
		{"sort by measure then key", `{"groupBy":[{"field":"member"}],"measures":[{"op":"sum","field":"qty","as":"q"}],"sort":"q,-member"}`},
		{"filter date-only bound in zone", `{"filter":{"at":{"$gte":"2026-01-01"}},"groupBy":[{"field":"at","bucket":"year"}],
			"measures":[{"op":"count"}],"timeZone":"America/New_York"}`},
	}
	for _, b := range []string{"day", "week", "month", "quarter", "year"} {
		for _, z := range []string{"", "America/New_York"} {
			cases = append(cases, struct{ name, spec string }{
				fmt.Sprintf("time by %s in %s", b, zoneName(z)),
				fmt.Sprintf(`{"groupBy":[{"field":"at","bucket":%q}],"measures":[{"op":"count"},{"op":"sum","field":"qty"}],"timeZone":%q}`, b, z),
			}, struct{ name, spec string }{
				fmt.Sprintf("date by %s in %s", b, zoneName(z)),
				fmt.Sprintf(`{"groupBy":[{"field":"day","bucket":%q,"as":"d"}],"measures":[{"op":"count"}],"timeZone":%q}`, b, z),
			})
		}
	}
	return cases
}

func zoneName(z string) string {
	if z == "" {
		return "Asia/Shanghai"
	}
	return z
}

func (s *suite) aggregate(t *testing.T) {
	if s.h.NoAggregate != "" {
		t.Skip(s.h.NoAggregate)
	}
	st := s.open(t)
	c, ref := load(t, st, "agg", aggDocs())
	for _, ac := range aggCases() {
		t.Run(ac.name, func(t *testing.T) {
			t.Parallel()
			spec, err := query.ParseAggregate([]byte(ac.spec), aggFields)
			mustNil(t, err, "storetest: parse aggregation %s", ac.spec)
			want, err := expectAggregate(ref, spec)
			mustNil(t, err, "storetest: reference aggregation")
			got, err := st.Aggregate(t.Context(), c, spec)
			mustNil(t, err, "aggregate %s", ac.spec)
			compareAgg(t, spec, want, got)
		})
	}
	t.Run("EmptyCollection", func(t *testing.T) {
		t.Parallel()
		spec, err := query.ParseAggregate([]byte(`{"groupBy":[{"field":"store"}],"measures":[{"op":"count"}]}`), aggFields)
		mustNil(t, err, "parse")
		got, err := st.Aggregate(t.Context(), coll("aggempty"), spec)
		mustNil(t, err, "aggregate an empty collection")
		if len(got) != 0 {
			t.Errorf("rows from an empty collection: %v", got)
		}
	})
}

// groupValue is a document's value for one group key: the bucket key for
// bucketed dates and times (dates are calendar days, never shifted by the
// zone), else the field's value; nil for null and missing.
func groupValue(d store.Doc, g query.GroupKey, loc *time.Location) (any, error) {
	v := lookup(d, g.Field.Path)
	if v == nil || g.Bucket == query.BucketNone {
		return v, nil
	}
	s := v.(string)
	var ts time.Time
	var err error
	if g.Field.Kind == query.KindDate {
		ts, err = time.ParseInLocation("2006-01-02", s, loc)
	} else {
		ts, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		return nil, fmt.Errorf("storetest: document %v: %w", d["_id"], err)
	}
	return query.BucketKey(ts, g.Bucket, loc), nil
}

// expectAggregate is the reference aggregation over the fixtures.
func expectAggregate(ref []store.Doc, a *query.Aggregate) ([]store.Doc, error) {
	type group struct {
		key  []any
		docs []store.Doc
	}
	groups := map[string]*group{}
	var order []string
	for _, d := range ref {
		if !matches(d, a.Filter) {
			continue
		}
		var key []any
		for _, g := range a.Group {
			v, err := groupValue(d, g, a.Location)
			if err != nil {
				return nil, err
			}
			key = append(key, v)
		}
		k := tupleKey(key)
		if groups[k] == nil {
			groups[k] = &group{key: key}
			order = append(order, k)
		}
		groups[k].docs = append(groups[k].docs, d)
	}
	outs := a.Outputs()
	var rows []store.Doc
	for _, k := range order {
		g := groups[k]
		row := store.Doc{}
		for i, gk := range a.Group {
			row[gk.As] = g.key[i]
		}
		for _, m := range a.Measures {
			row[m.As] = measure(m, g.docs)
		}
		if matches(row, a.Having) {
			rows = append(rows, row)
		}
	}
	keys := append(slices.Clone(a.Sort), groupSort(a, outs)...)
	slices.SortStableFunc(rows, func(x, y store.Doc) int { return cmpSort(x, y, keys) })
	if a.Limit > 0 && len(rows) > a.Limit {
		if a.Sort != nil && cmpSort(rows[a.Limit-1], rows[a.Limit], a.Sort) == 0 {
			return nil, fmt.Errorf("storetest bug: rows tie on the sort at the limit, so the expected rows are ambiguous")
		}
		rows = rows[:a.Limit]
	}
	return rows, nil
}

// groupSort orders rows by the group keys ascending, nulls first.
func groupSort(a *query.Aggregate, outs query.Fields) []query.SortKey {
	var keys []query.SortKey
	for _, g := range a.Group {
		keys = append(keys, query.SortKey{Field: outs[g.As]})
	}
	return keys
}

// measure computes one measure over a group; nulls are ignored except by
// count. Numbers come out as json.Number: decimal text, or "p/q" for a
// non-terminating average (read back with toRat only).
func measure(m query.Measure, docs []store.Doc) any {
	if m.Fn == query.FnCount {
		return num(fmt.Sprint(len(docs)))
	}
	var vals []any
	for _, d := range docs {
		if v := lookup(d, m.Field.Path); v != nil {
			vals = append(vals, v)
		}
	}
	switch m.Fn {
	case query.FnCountDistinct:
		seen := map[string]bool{}
		for _, v := range vals {
			seen[tupleKey([]any{v})] = true
		}
		return num(fmt.Sprint(len(seen)))
	case query.FnSum, query.FnAvg:
		sum := new(big.Rat)
		for _, v := range vals {
			r, _ := toRat(v)
			sum.Add(sum, r)
		}
		if m.Fn == query.FnAvg {
			if len(vals) == 0 {
				return nil
			}
			sum.Quo(sum, big.NewRat(int64(len(vals)), 1))
		}
		return num(ratText(sum))
	case query.FnMin, query.FnMax:
		var best any
		for _, v := range vals {
			c, _ := compare(m.Field.Kind, v, best)
			if best == nil || (m.Fn == query.FnMin && c < 0) || (m.Fn == query.FnMax && c > 0) {
				best = v
			}
		}
		return best
	}
	panic("storetest: no measure " + string(m.Fn))
}

// tupleKey identifies a tuple of values, numbers by numeric value.
func tupleKey(vals []any) string {
	var b strings.Builder
	for _, v := range vals {
		if r, ok := toRat(v); ok {
			fmt.Fprintf(&b, "n%s|", r.RatString())
		} else {
			j, _ := json.Marshal(v)
			fmt.Fprintf(&b, "%s|", j)
		}
	}
	return b.String()
}

// compareAgg checks rows: the same groups with the same values; rows in
// group-key order when the spec has no sort, else in sort order (rows that
// tie on the sort may come in any order).
func compareAgg(t *testing.T, a *query.Aggregate, want, got []store.Doc) {
	t.Helper()
	outs := a.Outputs()
	keyOf := func(row store.Doc) string {
		var key []any
		for _, g := range a.Group {
			key = append(key, row[g.As])
		}
		return tupleKey(key)
	}
	dump := func(rows []store.Doc) string {
		var lines []string
		for _, r := range rows {
			shown := store.Doc{}
			for k, v := range r {
				if n, ok := v.(json.Number); ok && strings.Contains(string(n), "/") {
					r, _ := toRat(n)
					v = "≈" + r.FloatString(12) // a non-terminating average
				}
				shown[k] = v
			}
			j, err := json.Marshal(shown)
			if err != nil {
				j = []byte(fmt.Sprintf("%v", r))
			}
			lines = append(lines, "    "+string(j))
		}
		return strings.Join(lines, "\n")
	}
	wantByKey := map[string]store.Doc{}
	for _, r := range want {
		wantByKey[keyOf(r)] = r
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s\n  want rows:\n%s\n  got rows:\n%s", fmt.Sprintf(format, args...), dump(want), dump(got))
	}
	if len(got) != len(want) {
		fail("%d rows, want %d", len(got), len(want))
		return
	}
	for i, row := range got {
		for k := range row {
			if _, ok := outs[k]; !ok {
				fail("row %d has the field %q, which is not an output", i, k)
				return
			}
		}
		if bad := jsonTypes(row, "$"); len(bad) > 0 {
			fail("row %d: non-JSON types %v (numbers must be json.Number)", i, bad)
			return
		}
		w, ok := wantByKey[keyOf(row)]
		if !ok {
			fail("row %d: unexpected group %s", i, keyOf(row))
			return
		}
		for name, f := range outs {
			if msg := sameOutput(f.Kind, isAvg(a, name), w[name], row[name]); msg != "" {
				fail("row %d (group %s), %s: %s", i, keyOf(row), name, msg)
				return
			}
		}
	}
	if a.Sort == nil {
		for i := range got {
			if keyOf(got[i]) != keyOf(want[i]) {
				fail("without a sort, rows must be ordered by the group keys ascending (nulls first); row %d differs", i)
				return
			}
		}
		return
	}
	for i := 1; i < len(got); i++ {
		if cmpSort(got[i-1], got[i], a.Sort) > 0 {
			fail("rows %d and %d are not in the order of sort %v", i-1, i, a.Sort)
			return
		}
	}
}

func isAvg(a *query.Aggregate, name string) bool {
	for _, m := range a.Measures {
		if m.As == name {
			return m.Fn == query.FnAvg
		}
	}
	return false
}

// sameOutput compares one output value; averages may be rounded (relative
// error up to 1e-9), every other number must be exact.
func sameOutput(k query.Kind, avg bool, want, got any) string {
	if want == nil || got == nil {
		if want == nil && got == nil {
			return ""
		}
		return fmt.Sprintf("want %v, got %v", want, got)
	}
	if k == query.KindInt || k == query.KindDecimal {
		gn, ok := got.(json.Number)
		if !ok {
			return fmt.Sprintf("got %#v (%T), want a json.Number", got, got)
		}
		g, ok1 := toRat(gn)
		w, _ := toRat(want)
		if !ok1 {
			return fmt.Sprintf("got %q, not a number", gn)
		}
		if avg {
			diff := new(big.Rat).Sub(g, w)
			diff.Abs(diff)
			tol := new(big.Rat).Abs(w)
			tol.Mul(tol, big.NewRat(1, 1e9))
			if tol.Sign() == 0 {
				tol = big.NewRat(1, 1e9)
			}
			if diff.Cmp(tol) > 0 {
				return fmt.Sprintf("want about %s, got %s", w.FloatString(9), gn)
			}
			return ""
		}
		if g.Cmp(w) != 0 {
			return fmt.Sprintf("want exactly %s, got %s", ratText(w), gn)
		}
		return ""
	}
	if c, ok := compare(k, want, got); !ok || c != 0 {
		return fmt.Sprintf("want %#v, got %#v", want, got)
	}
	return ""
}

// ratText shows a rational as a decimal when it is one.
func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	for prec := 1; prec <= 30; prec++ {
		s := r.FloatString(prec)
		if back, _ := new(big.Rat).SetString(s); back.Cmp(r) == 0 {
			return s
		}
	}
	return r.RatString()
}
