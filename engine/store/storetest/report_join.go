package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The report engine's aggregation abilities, beyond store.Ops.Aggregate:
// lookups (store.JoinAggregator), binned group keys, conditional measures
// and the cyclic buckets (hour of day, day of week). RunReport checks them
// against the reference model of this package, extended here: a sale's
// lookups are resolved in Go into a "view" document that holds each joined
// document under an internal name, the spec's paths are renamed to it, and
// the renamed spec is evaluated with the same matches/measure functions
// the Aggregate cases use.
// Distinct counts with MinRows (report_minrows.go) are checked against
// numbers worked out by hand instead.

// RunReport runs the report aggregation cases. Adapters whose store lacks
// store.JoinAggregator fail; NoAggregate skips with its reason.
func RunReport(t *testing.T, h Harness) {
	if h.Open == nil {
		t.Fatal("storetest: Harness.Open is nil")
	}
	s := &suite{h: h}
	t.Run("Join", s.reportJoin)
	t.Run("JoinRefuses", s.reportJoinRefuses)
	t.Run("Quantiles", s.reportQuantiles)
	t.Run("Extremes", s.reportExtremes)
	t.Run("MinRows", s.reportMinRows)
	t.Run("Pairs", s.reportPairs)
}

// reportFixture is the loaded data of the report cases.
type reportFixture struct {
	sales, stores, members    string
	saleRef, storeRef, memRef []store.Doc
	lookups                   []store.Lookup
	fields                    query.Fields
}

func reportStores() []store.Doc {
	return []store.Doc{
		{"_id": "st1", "name": "南山店", "region": "south", "tags": []any{"mall", "flagship"}, "open": true},
		{"_id": "st2", "name": "福田店", "region": "south", "tags": []any{"street"}},
		{"_id": "st3", "name": "朝阳店", "region": "north", "tags": []any{"mall"}, "open": false},
		{"_id": "st4", "name": "成都店", "region": "west", "tags": []any{}},
		{"_id": "st5", "name": "无区域", "tags": nil},
	}
}

func reportMembers() []store.Doc {
	tiers := []any{"gold", "silver", "normal", nil, "gold", "diamond", "normal", "silver"}
	homes := []any{"st1", "st2", "st3", "st4", nil, "ghost", "st5", "st1"}
	var out []store.Doc
	for i := range 8 {
		d := store.Doc{"_id": fmt.Sprintf("m%d", i+1), "points": (i * 37) % 100, "homeStore": homes[i]}
		if tiers[i] != nil || i%2 == 0 {
			d["tier"] = tiers[i]
		}
		out = append(out, d)
	}
	return out
}

// reportSales are 60 sales over the stores and members, with null,
// missing and dangling references, times around DST switches and month
// ends, exact decimals and integers.
func reportSales() []store.Doc {
	stores := []any{"st1", "st2", "st3", "st4", "st5", nil, "gone", "st1", "st2"}
	members := []any{"m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", nil, "m1", "m2"}
	amounts := []string{"10.50", "0.1", "0.2", "19.99", "-3.3", "100", "0.05", "7"}
	channels := []any{"pos", "online", nil}
	base := time.Date(2026, 3, 7, 20, 15, 0, 0, time.UTC)
	var out []store.Doc
	for i := range 60 {
		at := base.Add(time.Duration(i*17) * time.Hour).Add(time.Duration(i*7) * time.Minute)
		d := store.Doc{
			"_id":    fmt.Sprintf("x%02d", i),
			"store":  stores[i%len(stores)],
			"member": members[i%len(members)],
			"amount": num(amounts[i%len(amounts)]),
			"qty":    (i*5)%11 - 1,
			"at":     query.FormatTime(at),
			"day":    at.Format("2006-01-02"),
		}
		if c := channels[i%3]; c != nil {
			d["channel"] = c
		}
		if i%13 == 0 {
			d["at"] = nil
			delete(d, "qty")
		}
		out = append(out, d)
	}
	return out
}

func (s *suite) loadReport(t *testing.T, st store.Store) *reportFixture {
	f := &reportFixture{}
	f.stores, f.storeRef = load(t, st, "rstores", reportStores())
	f.members, f.memRef = load(t, st, "rmembers", reportMembers())
	f.sales, f.saleRef = load(t, st, "rsales", reportSales())
	// "store" joins under the reference's own name; the region "west" is
	// out of the row scope. Members join as "mem", their home store
	// through them as "home".
	f.lookups = []store.Lookup{
		{As: "store", Coll: f.stores, From: "store",
			Filter: query.Cmp(query.Field{Path: "region", Kind: query.KindString}, query.OpNe, query.Str("west"))},
		{As: "mem", Coll: f.members, From: "member"},
		{As: "home", Coll: f.stores, From: "mem.homeStore"},
	}
	fs := []query.Field{
		{Path: "store", Kind: query.KindString}, {Path: "member", Kind: query.KindString},
		{Path: "amount", Kind: query.KindDecimal}, {Path: "qty", Kind: query.KindInt},
		{Path: "at", Kind: query.KindTime}, {Path: "day", Kind: query.KindDate},
		{Path: "channel", Kind: query.KindString},
		{Path: "store._id", Kind: query.KindString}, {Path: "store.name", Kind: query.KindString},
		{Path: "store.region", Kind: query.KindString}, {Path: "store.tags", Kind: query.KindString, Array: true},
		{Path: "store.open", Kind: query.KindBool},
		{Path: "mem.tier", Kind: query.KindString}, {Path: "mem.points", Kind: query.KindInt},
		{Path: "mem.homeStore", Kind: query.KindString},
		{Path: "home.region", Kind: query.KindString}, {Path: "home.tags", Kind: query.KindString, Array: true},
	}
	f.fields = query.NewFields(fs...)
	return f
}

// views resolves the lookups of every sale in Go: the joined document (if
// its id is found and it passes the lookup's filter) under "__j<i>".
func (f *reportFixture) views() []store.Doc {
	byID := map[string]map[string]store.Doc{f.stores: {}, f.members: {}}
	for _, d := range f.storeRef {
		byID[f.stores][d["_id"].(string)] = d
	}
	for _, d := range f.memRef {
		byID[f.members][d["_id"].(string)] = d
	}
	var out []store.Doc
	for _, sale := range f.saleRef {
		v := store.Doc{}
		for k, x := range sale {
			v[k] = x
		}
		for i, l := range f.lookups {
			id, _ := lookup(v, f.rename(l.From)).(string)
			if j, ok := byID[l.Coll][id]; ok && matches(j, l.Filter) {
				v[fmt.Sprintf("__j%d", i)] = j
			}
		}
		out = append(out, v)
	}
	return out
}

// rename maps a spec path to the view's.
func (f *reportFixture) rename(p string) string {
	aliases := map[string]bool{}
	for _, l := range f.lookups {
		aliases[l.As] = true
	}
	if a, rest := store.SplitJoined(p, aliases); a != "" {
		for i, l := range f.lookups {
			if l.As == a {
				return fmt.Sprintf("__j%d.%s", i, rest)
			}
		}
	}
	return p
}

// reportCase is one aggregation: JSON as the query package parses it, plus
// conditional measures added by code (the JSON form has none).
type reportCase struct {
	name, spec string
	cond       map[string]string // measure output -> filter JSON
}

func reportCases() []reportCase {
	return []reportCase{
		{name: "by joined region and tier", spec: `{"groupBy":[{"field":"store.region"},{"field":"mem.tier"}],
			"measures":[{"op":"count"},{"op":"sum","field":"amount"},{"op":"sum","field":"mem.points","as":"pts"},
			{"op":"countDistinct","field":"member"},{"op":"min","field":"store.name"},{"op":"max","field":"mem.points","as":"maxPts"}]}`},
		{name: "chained join", spec: `{"groupBy":[{"field":"home.region"}],"measures":[{"op":"count"},{"op":"countDistinct","field":"mem.homeStore"}]}`},
		{name: "group by joined id and the reference", spec: `{"groupBy":[{"field":"store._id","as":"sid"},{"field":"store"}],"measures":[{"op":"count"}]}`},
		{name: "filter on joined scalar and list", spec: `{"filter":{"store.tags":{"$contains":"mall"},"mem.tier":{"$ne":"gold"}},
			"groupBy":[{"field":"store.name"}],"measures":[{"op":"count"},{"op":"sum","field":"qty"}]}`},
		{name: "negated joined list and null joined", spec: `{"filter":{"$or":[{"store.tags":{"$nin":["mall"]}},{"home.region":null}]},
			"groupBy":[{"field":"channel"}],"measures":[{"op":"count"}]}`},
		{name: "joined bool and exists", spec: `{"filter":{"$and":[{"store.open":{"$ne":true}},{"mem.tier":{"$exists":true}}]},
			"measures":[{"op":"count"},{"op":"avg","field":"mem.points","as":"avgPts"}]}`},
		{name: "having sort limit on joined group", spec: `{"groupBy":[{"field":"store.name"}],"measures":[{"op":"count"},
			{"op":"sum","field":"amount","as":"total"}],"having":{"count":{"$gte":2}},"sort":"-total","limit":3}`},
		{name: "bins", spec: `{"groupBy":[{"field":"qty","bins":[0,3,"5.5",8],"as":"q"},{"field":"amount","bins":["0","10.5"],"as":"a"}],
			"measures":[{"op":"count"}]}`},
		{name: "time and date bins", spec: `{"groupBy":[{"field":"at","bins":["2026-03-10","2026-03-20T12:00:00Z"],"as":"t"},
			{"field":"day","bins":["2026-03-15"],"as":"d"}],"measures":[{"op":"count"}],"timeZone":"America/New_York"}`},
		{name: "hour and weekday in Shanghai", spec: `{"groupBy":[{"field":"at","bucket":"hourOfDay"},{"field":"at","bucket":"dayOfWeek"}],
			"measures":[{"op":"count"}]}`},
		{name: "hour and weekday across DST", spec: `{"groupBy":[{"field":"at","bucket":"hourOfDay","as":"h"},{"field":"day","bucket":"dayOfWeek","as":"dw"}],
			"measures":[{"op":"count"}],"timeZone":"America/New_York"}`},
		{name: "conditional measures", spec: `{"groupBy":[{"field":"store.region"}],"measures":[{"op":"count"},{"op":"count","as":"posN"},
			{"op":"sum","field":"amount","as":"posAmt"},{"op":"sum","field":"qty","as":"goldQty"},{"op":"countDistinct","field":"member","as":"goldBuyers"},
			{"op":"min","field":"amount","as":"minBig"},{"op":"max","field":"at","as":"lastOnline"},{"op":"avg","field":"qty","as":"avgPos"}]}`,
			cond: map[string]string{
				"posN": `{"channel":"pos"}`, "posAmt": `{"channel":"pos"}`, "avgPos": `{"channel":"pos"}`,
				"goldQty": `{"mem.tier":"gold"}`, "goldBuyers": `{"mem.tier":{"$in":["gold","diamond"]}}`,
				"minBig": `{"amount":{"$gte":"1"}}`, "lastOnline": `{"$not":{"channel":{"$in":["pos",null]}}}`,
			}},
		{name: "conditional measure matching nothing", spec: `{"measures":[{"op":"count","as":"n"},{"op":"sum","field":"amount","as":"s"},{"op":"max","field":"qty","as":"m"}]}`,
			cond: map[string]string{"n": `{"channel":"none"}`, "s": `{"channel":"none"}`, "m": `{"channel":"none"}`}},
	}
}

func (s *suite) reportJoin(t *testing.T) {
	if s.h.NoAggregate != "" {
		t.Skip(s.h.NoAggregate)
	}
	st := s.open(t)
	ja, ok := st.(store.JoinAggregator)
	if !ok {
		t.Fatalf("the store (%T) does not implement store.JoinAggregator", st)
	}
	f := s.loadReport(t, st)
	views := f.views()
	for _, rc := range reportCases() {
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			spec, err := query.ParseAggregate([]byte(rc.spec), f.fields)
			mustNil(t, err, "storetest: parse %s", rc.spec)
			for i, m := range spec.Measures {
				if c, ok := rc.cond[m.As]; ok {
					spec.Measures[i].Filter, err = query.ParseFilter([]byte(c), f.fields, query.Options{Location: spec.Location})
					mustNil(t, err, "storetest: parse condition %s", c)
				}
			}
			want, err := expectReport(views, query.RenameAggregate(spec, f.rename))
			mustNil(t, err, "storetest: reference aggregation")
			got, err := ja.AggregateJoin(t.Context(), f.sales, f.lookups, spec)
			mustNil(t, err, "aggregate %s", rc.spec)
			compareAgg(t, spec, want, got)
		})
	}
}

// reportExtremes checks the single minimum or maximum over a whole
// collection (no group, no filter), which adapters may answer from an
// index, against the reference, on the fixtures and on an empty
// collection.
func (s *suite) reportExtremes(t *testing.T) {
	if s.h.NoAggregate != "" {
		t.Skip(s.h.NoAggregate)
	}
	st := s.open(t)
	f := s.loadReport(t, st)
	for _, spec := range []string{`{"measures":[{"op":"max","field":"at","as":"m"}]}`, `{"measures":[{"op":"min","field":"qty","as":"m"}]}`,
		`{"measures":[{"op":"max","field":"channel","as":"m"}]}`, `{"measures":[{"op":"min","field":"day","as":"m"}]}`} {
		a, err := query.ParseAggregate([]byte(spec), f.fields)
		mustNil(t, err, "parse %s", spec)
		want, err := expectAggregate(f.saleRef, a)
		mustNil(t, err, "reference")
		got, err := st.Aggregate(t.Context(), f.sales, a)
		mustNil(t, err, "aggregate %s", spec)
		compareAgg(t, a, want, got)
		empty, err := st.Aggregate(t.Context(), coll("rempty"), a)
		mustNil(t, err, "aggregate an empty collection")
		// SQL answers one row of null, MongoDB no row; both mean "none".
		if len(empty) > 1 || (len(empty) == 1 && empty[0]["m"] != nil) {
			t.Errorf("%s over nothing: %v, want no value", spec, empty)
		}
	}
}

// expectReport extends expectAggregate with bins and conditional measures:
// bins are evaluated into the documents first (under the key's output
// name), and a conditional measure is computed over the matching
// documents of its group.
func expectReport(views []store.Doc, a *query.Aggregate) ([]store.Doc, error) {
	spec := *a
	spec.Group = slices.Clone(a.Group)
	docs := views
	for i, g := range a.Group {
		if len(g.Bins) == 0 {
			continue
		}
		path := "__bin" + g.As
		next := make([]store.Doc, len(docs))
		for j, d := range docs {
			c := store.Doc{}
			for k, v := range d {
				c[k] = v
			}
			if v := lookup(d, g.Field.Path); v != nil {
				c[path] = json.Number(fmt.Sprint(query.BinOf(valueOf(g.Field.Kind, v), g.Bins)))
			}
			next[j] = c
		}
		docs = next
		spec.Group[i] = query.GroupKey{Field: query.Field{Path: path, Kind: query.KindInt}, As: g.As}
	}
	plain := spec
	plain.Measures = nil
	conds := map[string]query.Measure{}
	for _, m := range spec.Measures {
		if m.Filter != nil {
			conds[m.As] = m
			m = query.Measure{Fn: query.FnCount, As: m.As} // placeholder, replaced below
		}
		plain.Measures = append(plain.Measures, m)
	}
	// Having, sort and limit must see the conditional values, so the
	// reference runs without them first and applies them after.
	plain.Having, plain.Sort, plain.Limit = nil, nil, 0
	rows, err := expectAggregate(docs, &plain)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		var members []store.Doc
		for _, d := range docs {
			if matches(d, plain.Filter) && sameGroup(d, row, &plain) {
				members = append(members, d)
			}
		}
		for name, m := range conds {
			var in []store.Doc
			for _, d := range members {
				if matches(d, m.Filter) {
					in = append(in, d)
				}
			}
			m.Filter = nil
			row[name] = measure(m, in)
		}
	}
	var kept []store.Doc
	for _, r := range rows {
		if matches(r, a.Having) {
			kept = append(kept, r)
		}
	}
	keys := append(slices.Clone(a.Sort), groupSort(&spec, spec.Outputs())...)
	slices.SortStableFunc(kept, func(x, y store.Doc) int { return cmpSort(x, y, keys) })
	if a.Limit > 0 && len(kept) > a.Limit {
		kept = kept[:a.Limit]
	}
	return kept, nil
}

// sameGroup reports whether document d falls in the group of row.
func sameGroup(d, row store.Doc, a *query.Aggregate) bool {
	for _, g := range a.Group {
		v, err := groupValue(d, g, a.Location)
		if err != nil || tupleKey([]any{v}) != tupleKey([]any{row[g.As]}) {
			return false
		}
	}
	return true
}

// valueOf reads a stored number, date or time as a query.Value.
func valueOf(k query.Kind, v any) query.Value {
	switch k {
	case query.KindInt, query.KindDecimal:
		if i, ok := query.ToInt(v); ok {
			return query.Int(i)
		}
		return query.Dec(fmt.Sprint(v))
	case query.KindDate:
		return query.DateV(v.(string))
	}
	return query.TimeV(fmt.Sprint(v))
}

// reportJoinRefuses checks that lookups the port does not allow are
// refused as invalid requests.
func (s *suite) reportJoinRefuses(t *testing.T) {
	st := s.open(t)
	ja, ok := st.(store.JoinAggregator)
	if !ok {
		t.Fatalf("the store (%T) does not implement store.JoinAggregator", st)
	}
	count := &query.Aggregate{Measures: []query.Measure{{Fn: query.FnCount, As: "n"}}}
	bad := map[string][]store.Lookup{
		"bad alias":      {{As: "a.b", Coll: "x", From: "store"}},
		"repeated alias": {{As: "a", Coll: "x", From: "store"}, {As: "a", Coll: "x", From: "store"}},
		"bad collection": {{As: "a", Coll: "", From: "store"}},
		"bad path":       {{As: "a", Coll: "x", From: "a..b"}},
		"too many":       make([]store.Lookup, store.MaxLookups+1),
	}
	for name, ls := range bad {
		_, err := ja.AggregateJoin(t.Context(), coll("rrefuse"), ls, count)
		if s.h.NoAggregate != "" && errors.Is(err, store.ErrUnsupported) {
			continue
		}
		wantRefused(t, err, "lookups %s", name)
	}
}
