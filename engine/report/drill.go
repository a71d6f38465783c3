package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Drill-down: the records behind a cell, as a filter the records list
// takes (GET /api/apps/{app}/forms/{form}/records?filter=...). The filter
// is the report's static filter and parameters plus the cell's conditions
// — a dimension's value, its date bucket's range, its bin's bounds, the
// value range of a quantile score, a segment's rules (first match wins,
// so earlier rules are excluded), or for the others row "none of the top
// keys". The records list reads only the form's own fields, so conditions
// on joined fields become conditions on the relation field: the ids of the
// related records that match, found under the caller's scope on that form
// (for a condition a missing record would satisfy, the complement: not
// one of the records that fail it). That list is bounded by MaxDrillIDs,
// the records filter's own limit on $in.

// DrillRequest names a cell of a report's result.
type DrillRequest struct {
	Parameters map[string]json.RawMessage `json:"parameters,omitempty"`
	// Cell maps dimension (or segment) outputs to the cell's values; a
	// dimension left out is not constrained (a subtotal or total cell).
	Cell map[string]json.RawMessage `json:"cell,omitempty"`
	// Others asks for the records of the others row.
	Others bool `json:"others,omitempty"`
	// Measure adds a conditional measure's own filter (the refunded
	// orders behind "refunds").
	Measure string `json:"measure,omitempty"`
}

// Drill is the records behind a cell.
type Drill struct {
	Form   string `json:"form"`
	Filter any    `json:"filter"`
	// Count is how many records the filter selects for the caller.
	Count int64 `json:"count"`
}

// MaxDrillIDs bounds the related ids a drill filter may list.
const MaxDrillIDs = query.MaxNodes

// Drill returns the records filter of a cell.
func (s *Service) Drill(ctx context.Context, p *auth.Principal, app, key string, req DrillRequest, lang string) (*Drill, error) {
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindReport, Key: key}, access.Read); err != nil {
		return nil, err
	}
	c, err := s.compile(ctx, app, key, lang)
	if err != nil {
		return nil, err
	}
	ex, err := s.prepare(ctx, p, c, req.Parameters, lang)
	if err != nil {
		return nil, err
	}
	parts := []*query.Node{c.filter}
	for _, b := range ex.bound {
		n, err := b.plan.filter(b, c.loc)
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	cell, err := ex.cellFilter(ctx, req)
	if err != nil {
		return nil, err
	}
	parts = append(parts, cell)
	if req.Measure != "" {
		m := c.measure(req.Measure)
		if m == nil || m.op == "formula" {
			return nil, ex.drillErr("measure", fmt.Sprintf("%q is not a measure of the report", req.Measure))
		}
		parts = append(parts, m.filter)
	}
	filter, err := ex.translate(ctx, query.And(parts...), 0)
	if err != nil {
		return nil, err
	}
	base := c.cat.forms[""]
	n, err := s.st.Count(ctx, base.Coll, query.And(filter, ex.scopes[""]))
	if err != nil {
		return nil, err
	}
	if filter == nil {
		filter = query.True()
	}
	return &Drill{Form: base.Key, Filter: filterJSON(filter), Count: n}, nil
}

func (ex *execution) drillErr(path, detail string) error {
	return &errs.Error{Class: errs.Invalid, Code: "report.drill", Msg: msg(ex.lang, "report.drill", detail),
		Fields: []errs.FieldError{{Path: path, Code: "report.drill", Message: detail}}}
}

// cellFilter is the condition of the requested cell.
func (ex *execution) cellFilter(ctx context.Context, req DrillRequest) (*query.Node, error) {
	c := ex.c
	req, err := ex.drillCell(req)
	if err != nil {
		return nil, err
	}
	if req.Others {
		if !c.Spec.Others {
			return nil, ex.drillErr("others", "the report has no others row")
		}
		r, err := ex.s.run(ctx, ex.p, c.App, c.Key, RunRequest{Parameters: req.Parameters, Lang: ex.lang})
		if err != nil {
			return nil, err
		}
		if len(r.Rows) == 0 {
			return nil, nil
		}
		return query.Not(ex.keysFilter(r.Rows)), nil
	}
	var sc map[string]*scoring
	if !c.noQuantiles() {
		var err error
		if sc, err = c.resolveQuantiles(ctx, ex.s.st, ex.lookups(), ex.base); err != nil {
			return nil, err
		}
	}
	var parts []*query.Node
	for _, k := range sortedKeys(req.Cell) {
		raw := req.Cell[k]
		if sp := c.segments; sp != nil && k == sp.as {
			n, err := ex.segmentFilter(raw, sc)
			if err != nil {
				return nil, err
			}
			parts = append(parts, n)
			continue
		}
		d := c.dim(k)
		if d == nil {
			return nil, ex.drillErr("cell."+k, "not a dimension of the report")
		}
		n, err := ex.dimFilter(d, raw, sc)
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	return query.And(parts...), nil
}

// dimFilter selects the records whose dimension value is raw.
func (ex *execution) dimFilter(d *dimPlan, raw json.RawMessage, sc map[string]*scoring) (*query.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, ex.drillErr("cell."+d.as, "not a JSON value")
	}
	f := d.fi.q
	if v == nil {
		return query.Eq(f, query.Null(f.Kind)), nil
	}
	switch {
	case d.quantiles > 0:
		s, ok := query.ToInt(v)
		if !ok {
			return nil, ex.drillErr("cell."+d.as, "a score is an integer")
		}
		return rangeOfScores(f, sc[d.as], s, s), nil
	case d.bins != nil:
		i, ok := query.ToInt(v)
		if !ok || i < 0 || int(i) > len(d.bins) {
			return nil, ex.drillErr("cell."+d.as, "not a bin of the dimension")
		}
		return binRange(f, d.bins, int(i), int(i)), nil
	case d.bucket == query.BucketHourOfDay || d.bucket == query.BucketDayOfWeek:
		return nil, ex.drillErr("cell."+d.as, "records cannot be selected by hour of day or day of week")
	case d.bucket != "":
		key, _ := v.(string)
		start, ok := bucketStart(d.bucket, key)
		if !ok {
			return nil, ex.drillErr("cell."+d.as, fmt.Sprintf("%q is not a %s", key, d.bucket))
		}
		return periodFilter(f, Period{From: start.Format(dateLayout), To: bucketEnd(d.bucket, start).Format(dateLayout)}, ex.c.loc), nil
	}
	fields := query.Fields{f.Path: f}
	return query.ParseFilterValue(map[string]any{f.Path: map[string]any{"$eq": v}}, fields, query.Options{Root: "cell." + d.as, Location: ex.c.loc})
}

// bucketEnd is the last day of the bucket starting at start.
func bucketEnd(b query.Bucket, start time.Time) time.Time {
	switch b {
	case query.BucketWeek:
		return start.AddDate(0, 0, 6)
	case query.BucketMonth:
		return start.AddDate(0, 1, -1)
	case query.BucketQuarter:
		return start.AddDate(0, 3, -1)
	case query.BucketYear:
		return start.AddDate(1, 0, -1)
	}
	return start
}

// binRange selects the values of bins lo..hi (indexes): from the bound
// below lo to the bound after hi.
func binRange(f query.Field, bins []query.Value, lo, hi int) *query.Node {
	var parts []*query.Node
	if lo > 0 {
		parts = append(parts, query.Cmp(f, query.OpGte, bins[lo-1]))
	} else {
		parts = append(parts, query.Cmp(f, query.OpExists, query.Bool(true)))
	}
	if hi < len(bins) {
		parts = append(parts, query.Cmp(f, query.OpLt, bins[hi]))
	}
	return query.And(parts...)
}

// rangeOfScores selects the values scoring lo..hi: the bins with those
// scores are contiguous, since scores grow with the bin.
func rangeOfScores(f query.Field, s *scoring, lo, hi int64) *query.Node {
	if s == nil || len(s.bins) == 0 {
		if lo <= 1 && hi >= 1 {
			return query.Cmp(f, query.OpExists, query.Bool(true))
		}
		return query.False()
	}
	first, last := -1, -1
	for i, sc := range s.scores {
		if int64(sc) >= lo && int64(sc) <= hi {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return query.False()
	}
	return binRange(f, s.bins, first, last)
}

// segmentFilter selects the records of a segment: its rule's ranges and
// none of the earlier rules' (a row takes the first rule it matches).
func (ex *execution) segmentFilter(raw json.RawMessage, sc map[string]*scoring) (*query.Node, error) {
	sp := ex.c.segments
	var key string
	if json.Unmarshal(raw, &key) != nil {
		return nil, ex.drillErr("cell."+sp.as, "a segment is named by its key")
	}
	when := func(r *segRule) *query.Node {
		var parts []*query.Node
		for dim, rng := range r.when {
			d := ex.c.dim(dim)
			if d.quantiles > 0 {
				parts = append(parts, rangeOfScores(d.fi.q, sc[dim], int64(rng[0]), int64(rng[1])))
			} else {
				lo, hi := max(rng[0], 0), min(rng[1], len(d.bins))
				if lo > hi {
					parts = append(parts, query.False())
					continue
				}
				parts = append(parts, binRange(d.fi.q, d.bins, lo, hi))
			}
		}
		return &query.Node{Op: query.OpAnd, Children: parts}
	}
	var earlier []*query.Node
	for _, r := range sp.rules {
		if r.key == key {
			return query.And(append([]*query.Node{when(r)}, notAll(earlier)...)...), nil
		}
		earlier = append(earlier, when(r))
	}
	if sp.other != nil && sp.other.key == key {
		return query.And(notAll(earlier)...), nil
	}
	return nil, ex.drillErr("cell."+sp.as, fmt.Sprintf("%q is not a segment of the report", key))
}

func notAll(ns []*query.Node) []*query.Node {
	out := make([]*query.Node, len(ns))
	for i, n := range ns {
		out[i] = query.Not(n)
	}
	return out
}

// translate rewrites conditions on joined fields into conditions on the
// relation fields that reach them (see the file comment).
func (ex *execution) translate(ctx context.Context, n *query.Node, depth int) (*query.Node, error) {
	if n == nil {
		return nil, nil
	}
	if depth > 2*store.MaxLookups+query.MaxDepth*2 {
		return nil, ex.drillErr("cell", "the filter is nested too deeply")
	}
	switch n.Op {
	case query.OpAnd, query.OpOr, query.OpNot:
		out := &query.Node{Op: n.Op}
		for _, ch := range n.Children {
			t, err := ex.translate(ctx, ch, depth+1)
			if err != nil {
				return nil, err
			}
			if t == nil {
				t = query.True()
			}
			out.Children = append(out.Children, t)
		}
		return out, nil
	}
	fi := ex.c.cat.info[n.Field.Path]
	if fi == nil || fi.join == "" {
		return n, nil
	}
	var j compiledJoin
	for _, cj := range ex.c.joins {
		if cj.as == fi.join {
			j = cj
		}
	}
	positive := !matchesNull(n)
	inner := *n
	inner.Field.Path = fi.rel
	cond := &inner
	if !positive {
		cond = query.Not(cond)
	}
	docs, err := ex.s.st.Find(ctx, j.form.Coll, store.Query{Filter: query.And(cond, ex.scopes[j.as]), Limit: MaxDrillIDs + 1, Fields: []string{"_id"}})
	if err != nil {
		return nil, err
	}
	if len(docs) > MaxDrillIDs {
		return nil, coded(ex.lang, errs.Unprocessable, "report.drill_too_broad", MaxDrillIDs)
	}
	in := &query.Node{Op: query.OpIn, Field: ex.c.cat.fields[j.from], Values: []query.Value{}}
	for _, d := range docs {
		in.Values = append(in.Values, query.Str(fmt.Sprint(d["_id"])))
	}
	out := in
	if !positive {
		out = query.Not(in)
	}
	return ex.translate(ctx, out, depth+1)
}

// matchesNull reports whether a leaf holds for a null value, which is what
// a joined field reads when no related record joined.
func matchesNull(n *query.Node) bool {
	switch n.Op {
	case query.OpEq:
		return n.Value.Null
	case query.OpNe:
		return !n.Value.Null
	case query.OpIn, query.OpNin:
		has := false
		for _, v := range n.Values {
			has = has || v.Null
		}
		return has == (n.Op == query.OpIn)
	case query.OpExists:
		return !n.Value.Bool
	}
	return false
}
