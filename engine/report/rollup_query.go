package report

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Running a report's aggregation on its rollup: the same spec with the
// date field read as the day, every measure replaced by its parts (a count
// sums _n, a sum sums _s_<f>, an average divides the sums of _s_<f> and
// _c_<f>), and the filters kept as they are, since grain fields keep their
// paths. The rewrite refuses — and the run reads the records — whenever a
// filter, dimension or measure needs something the rollup does not keep:
// a field outside the grain (a role scoping by a field the rollup lacks,
// say), an hour of day, a period not made of whole days.

// rollupRun is an aggregation rewritten for a rollup.
type rollupRun struct {
	ex      *execution
	coll    string
	spec    *query.Aggregate
	lookups []store.Lookup
}

func (r *rollupRun) run(ctx context.Context) ([]store.Doc, error) {
	if len(r.lookups) == 0 {
		return r.ex.s.st.Aggregate(ctx, r.coll, r.spec)
	}
	return r.ex.s.st.(store.JoinAggregator).AggregateJoin(ctx, r.coll, r.lookups, r.spec)
}

// rollupSource returns the rollup form of a, when the report has a ready
// rollup for its current definition and a fits it.
func (ex *execution) rollupSource(ctx context.Context, a *query.Aggregate) (*rollupRun, bool) {
	def := ex.readyRollup(ctx)
	if def == nil {
		return nil, false
	}
	// The month level when the run fits it, else the day level (an hour
	// rollup has its hours only).
	levels := []string{levelMonth, levelDay}
	if def.Hours {
		levels = []string{levelHour}
	}
	for _, level := range levels {
		rw := &rewriter{c: ex.c, def: def, loc: def.loc(), level: level, grain: map[string]bool{}}
		if level == levelMonth {
			rw.tailEmpty = func(from, to time.Time) bool { return ex.noRecordsBetween(ctx, def, from, to) }
		}
		for _, g := range def.Grain {
			rw.grain[g] = true
		}
		if spec, ok := rw.aggregate(a); ok {
			ex.rolled = true
			return &rollupRun{ex: ex, coll: def.coll(level), spec: spec, lookups: ex.lookupsFor(spec)}, true
		}
	}
	return nil, false
}

// readyRollup is the report's rollup when the service is hooked and the
// rollup is ready for the current definition (read once per run).
func (ex *execution) readyRollup(ctx context.Context) *rollupDef {
	c := ex.c
	if c.Spec.Rollup == nil || !ex.s.Hooked() {
		return nil
	}
	if ex.rollupRead {
		return ex.rollup
	}
	ex.rollupRead = true
	want := c.rollupDefOf()
	defs, err := readRegistry(ctx, ex.s.st, c.App, c.cat.forms[""].Key)
	if err != nil {
		return nil
	}
	for _, d := range defs {
		if d.Report == c.Key && d.Hash == want.Hash && d.State == rollupReady {
			ex.rollup = d
		}
	}
	return ex.rollup
}

// usedRollup reports whether any aggregation of the run read the rollup.
func (ex *execution) usedRollup() bool { return ex.rolled }

// rewriter maps a records aggregation onto a rollup.
type rewriter struct {
	c     *Compiled
	def   *rollupDef
	loc   *time.Location
	level string
	grain map[string]bool
	// tailEmpty, on the month level, says whether no record of the form
	// has its date in [from, to): then a period that ends inside a month
	// (this year, up to today) reads that month's cell as a whole.
	tailEmpty func(from, to time.Time) bool
}

// noRecordsBetween reports whether no record of the report's form has its
// rollup date in [from, to) (instants, or days at midnight UTC for a date
// field): one count over the date field's index.
func (ex *execution) noRecordsBetween(ctx context.Context, def *rollupDef, from, to time.Time) bool {
	f := ex.c.cat.forms[""]
	field := query.Field{Path: def.DateField, Kind: query.KindTime}
	lo, hi := query.TimeV(query.FormatTime(from)), query.TimeV(query.FormatTime(to))
	if def.DateKind == string(query.KindDate) {
		field.Kind = query.KindDate
		lo, hi = query.DateV(from.Format(dateLayout)), query.DateV(to.Format(dateLayout))
	}
	n, err := ex.s.st.Count(ctx, f.Coll, query.And(query.Cmp(field, query.OpGte, lo), query.Cmp(field, query.OpLt, hi)))
	return err == nil && n == 0
}

func (rw *rewriter) aggregate(a *query.Aggregate) (*query.Aggregate, bool) {
	out := *a
	var ok bool
	if out.Filter, ok = rw.filter(a.Filter); !ok {
		return nil, false
	}
	out.Group = nil
	for _, g := range a.Group {
		switch {
		case g.Field.Path == rw.def.DateField && rw.level == levelHour:
			// Every bucket of a time is the bucket of its hour's start
			// in the zone; the time itself is not kept.
			if g.Bins != nil || g.Bucket == query.BucketNone {
				return nil, false
			}
		case g.Field.Path == rw.def.DateField:
			if g.Bins != nil || g.Bucket == query.BucketHourOfDay || (g.Bucket == query.BucketNone && rw.def.DateKind != string(query.KindDate)) {
				return nil, false
			}
			if rw.level == levelMonth && g.Bucket != query.BucketMonth && g.Bucket != query.BucketQuarter && g.Bucket != query.BucketYear {
				return nil, false
			}
			g.Field = query.Field{Path: rw.def.DateField, Kind: query.KindDate}
		case !rw.kept(g.Field.Path):
			return nil, false
		}
		out.Group = append(out.Group, g)
	}
	out.Measures = nil
	for _, m := range a.Measures {
		rm, ok := rw.measure(m)
		if !ok {
			return nil, false
		}
		out.Measures = append(out.Measures, rm...)
	}
	return &out, true
}

// kept reports whether the rollup has a path: a grain field, or a field of
// a join that starts from one.
func (rw *rewriter) kept(path string) bool {
	if rw.grain[path] {
		return true
	}
	alias := topKey(path)
	for _, j := range rw.c.joins {
		if j.as == alias && len(path) > len(alias) {
			return rw.kept(j.from)
		}
	}
	return false
}

// measure rewrites one store measure into its rollup parts.
func (rw *rewriter) measure(m query.Measure) ([]query.Measure, bool) {
	n := query.Field{Path: "_n", Kind: query.KindInt}
	part := func(prefix string, f query.Field, kind query.Kind) query.Field {
		return query.Field{Path: prefix + f.Path, Kind: kind}
	}
	has := func(list []string, f query.Field) bool {
		for _, x := range list {
			if x == f.Path {
				return true
			}
		}
		return false
	}
	for _, mp := range rw.c.measures {
		if mp.op != "avg" || (m.As != avgSum(mp.as) && m.As != avgCount(mp.as)) {
			continue
		}
		// The count of an average counts present values: its filter is
		// the measure's own (the presence test is what _c_ holds).
		f := mp.fi.q
		filter, ok := rw.filter(mp.filter)
		if !has(rw.def.Sums, f) || !ok {
			return nil, false
		}
		if m.As == avgSum(mp.as) {
			return []query.Measure{{Fn: query.FnSum, Field: part("_s_", f, f.Kind), Filter: filter, As: m.As}}, true
		}
		return []query.Measure{{Fn: query.FnSum, Field: part("_c_", f, query.KindInt), Filter: filter, As: m.As}}, true
	}
	filter, ok := rw.filter(m.Filter)
	if !ok {
		return nil, false
	}
	switch m.Fn {
	case query.FnCount:
		return []query.Measure{{Fn: query.FnSum, Field: n, Filter: filter, As: m.As}}, true
	case query.FnSum:
		if has(rw.def.Sums, m.Field) {
			return []query.Measure{{Fn: query.FnSum, Field: part("_s_", m.Field, m.Field.Kind), Filter: filter, As: m.As}}, true
		}
	case query.FnMin:
		if has(rw.def.Mins, m.Field) {
			return []query.Measure{{Fn: query.FnMin, Field: part("_min_", m.Field, m.Field.Kind), Filter: filter, As: m.As}}, true
		}
	case query.FnMax:
		if has(rw.def.Maxs, m.Field) {
			return []query.Measure{{Fn: query.FnMax, Field: part("_max_", m.Field, m.Field.Kind), Filter: filter, As: m.As}}, true
		}
	case query.FnCountDistinct:
		// Every rollup document stands for at least one record, so the
		// distinct values of a kept field are the same on both.
		if rw.kept(m.Field.Path) {
			return []query.Measure{m}, true
		}
	}
	return nil, false
}

// filter rewrites a filter for the rollup: the live-records test goes
// (only live records are summed), bounds on the date field at midnight
// become bounds on the day, other fields must be kept.
func (rw *rewriter) filter(n *query.Node) (*query.Node, bool) {
	if n == nil {
		return nil, true
	}
	switch n.Op {
	case query.OpAnd, query.OpOr, query.OpNot:
		out := &query.Node{Op: n.Op}
		for _, ch := range n.Children {
			c, ok := rw.filter(ch)
			if !ok {
				return nil, false
			}
			if c == nil {
				c = query.True()
			}
			out.Children = append(out.Children, c)
		}
		return out, true
	}
	switch p := n.Field.Path; {
	case p == "_deleted":
		return query.True(), n.Op == query.OpNe && n.Value.Kind == query.KindBool && n.Value.Bool
	case p == rw.def.DateField:
		return rw.dateLeaf(n)
	case rw.kept(p):
		return n, true
	}
	return nil, false
}

// dateLeaf rewrites a condition on the date field: on a time field only
// "from midnight" (gte) and "before midnight" (lt) in the rollup's zone
// map onto whole days; on the month level the bounds must be first days
// of months (or, for "up to and including" on a date field, last days).
func (rw *rewriter) dateLeaf(n *query.Node) (*query.Node, bool) {
	c := *n
	c.Field = query.Field{Path: rw.def.DateField, Kind: query.KindDate}
	if n.Value.Null || n.Op == query.OpExists {
		c.Value.Kind = query.KindDate
		return &c, n.Op == query.OpExists || n.Op == query.OpEq || n.Op == query.OpNe
	}
	if rw.level == levelHour {
		return rw.hourLeaf(n)
	}
	var day time.Time
	switch rw.def.DateKind {
	case string(query.KindDate):
		t, err := time.Parse(dateLayout, n.Value.Str)
		if err != nil {
			return nil, false
		}
		day = t
	default:
		t, err := time.Parse(time.RFC3339Nano, n.Value.Str)
		if err != nil {
			return nil, false
		}
		local := t.In(rw.loc)
		if local.Hour() != 0 || local.Minute() != 0 || local.Second() != 0 || local.Nanosecond() != 0 {
			return nil, false
		}
		day = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
		if n.Op != query.OpGte && n.Op != query.OpLt {
			return nil, false
		}
	}
	if rw.level == levelMonth {
		switch {
		case (n.Op == query.OpGte || n.Op == query.OpLt) && day.Day() == 1:
		case n.Op == query.OpLte && day.AddDate(0, 0, 1).Day() == 1:
			day = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
		case n.Op != query.OpGte && rw.tailEmpty != nil:
			// An end inside a month: its month cell answers exactly when
			// no record falls between the end and the month's end (the
			// usual "up to today": nothing is dated after today).
			from := day // the first day the period leaves out
			if n.Op == query.OpLte {
				from = day.AddDate(0, 0, 1)
			}
			next := time.Date(day.Year(), day.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			lo, hi := from, next
			if rw.def.DateKind != string(query.KindDate) {
				lo = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, rw.loc)
				hi = time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, rw.loc)
			}
			if n.Op == query.OpGt || n.Op == query.OpEq || !rw.tailEmpty(lo, hi) {
				return nil, false
			}
			c.Op, day = query.OpLt, next
		default:
			return nil, false
		}
	}
	c.Value = query.DateV(day.Format(dateLayout))
	return &c, true
}

// hourLeaf keeps a bound on the date field for an hour rollup when it
// falls on the start of an hour in the rollup's zone and is "from" (gte)
// or "before" (lt): a record is on the bound's side exactly when its
// hour's start is.
func (rw *rewriter) hourLeaf(n *query.Node) (*query.Node, bool) {
	if n.Op != query.OpGte && n.Op != query.OpLt {
		return nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, n.Value.Str)
	if err != nil {
		return nil, false
	}
	// On an hour's start, and not the second occurrence of an hour a DST
	// change repeats (whose records count in the first one's cell).
	l := t.In(rw.loc)
	if !time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, rw.loc).Equal(t) {
		return nil, false
	}
	return n, true
}
