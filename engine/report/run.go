package report

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// RunRequest is what a caller asks of one run.
type RunRequest struct {
	// Parameters by key: a period ({"from","to"} or a preset name) for a
	// date range, a value or list of values otherwise. Missing keys take
	// the parameter's default.
	Parameters map[string]json.RawMessage
	// Lang is the language of labels and messages (default zh-CN).
	Lang string
	// NoCache skips the result cache (the result is still stored).
	NoCache bool
}

// Run runs a published report for p: the read right on the report, and
// on every form it reads, whose row scopes are ANDed in and whose field
// rules the report's fields must pass.
func (s *Service) Run(ctx context.Context, p *auth.Principal, app, key string, req RunRequest) (*Result, error) {
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindReport, Key: key}, access.Read); err != nil {
		return nil, err
	}
	return s.run(ctx, p, app, key, req)
}

// run is Run without the report-level right: dashboards grant their
// widgets' reports.
func (s *Service) run(ctx context.Context, p *auth.Principal, app, key string, req RunRequest) (*Result, error) {
	s.Stats.Runs.Add(1)
	c, err := s.compile(ctx, app, key, req.Lang)
	if err != nil {
		return nil, err
	}
	ex, err := s.prepare(ctx, p, c, req.Parameters, req.Lang)
	if err != nil {
		return nil, err
	}
	if len(ex.listMasks()) > 0 {
		// Masked rows are this caller's own (list.go): not cached.
		return ex.execute(ctx)
	}
	ck, err := s.cacheKey(ctx, ex)
	if err != nil {
		return nil, err
	}
	if !req.NoCache {
		if r, ok := s.cache.get(ck); ok {
			s.Stats.CacheHits.Add(1)
			out := *r
			out.Cached = true
			return &out, nil
		}
	}
	r, err := ex.execute(ctx)
	if err != nil {
		return nil, err
	}
	s.cache.put(ck, r)
	return r, nil
}

// execution is one run's resolved inputs: the bound parameters, the
// caller's decisions, the filters with the row scopes ANDed in.
type execution struct {
	s      *Service
	c      *Compiled
	p      *auth.Principal
	lang   string
	now    time.Time
	bound  []bound
	dec    map[string]*access.Decision // by join alias ("" for the dataset's form)
	scopes map[string]*query.Node      // row scope and live records, by alias
	// base is the dataset filter: static, parameters, the form's scope.
	base *query.Node
	// The report's rollup, read once (rollupRead); rolled says a part of
	// the run used it.
	rollup             *rollupDef
	rollupRead, rolled bool
	// whole are the main rows as the store gave them, when they are
	// every group and every measure adds up (see additive).
	whole []store.Doc
}

// prepare decides the caller's access to every form, checks the report's
// fields against the field rules and binds the parameters.
func (s *Service) prepare(ctx context.Context, p *auth.Principal, c *Compiled, params map[string]json.RawMessage, lang string) (*execution, error) {
	ex := &execution{s: s, c: c, p: p, lang: lang, now: s.now(), dec: map[string]*access.Decision{}, scopes: map[string]*query.Node{}}
	for alias, f := range c.cat.forms {
		d, err := s.guard.Decide(ctx, p, access.Target{App: c.App, Kind: meta.KindForm, Key: f.Key}, access.Read)
		if err != nil {
			return nil, err
		}
		scope, err := d.Filter(f.QFields)
		if err != nil {
			return nil, err
		}
		ex.dec[alias] = d
		ex.scopes[alias] = query.And(alive, scope)
	}
	if err := ex.checkFields(); err != nil {
		return nil, err
	}
	bound, err := c.bindParams(params, ex.now, lang)
	if err != nil {
		return nil, err
	}
	ex.bound = bound
	ex.base, err = ex.filterWith(bound)
	return ex, err
}

// alive excludes soft-deleted records.
var alive = query.Cmp(query.Field{Path: "_deleted", Kind: query.KindBool}, query.OpNe, query.Bool(true))

// filterWith is the dataset filter for a set of bound parameters: the
// static filter, each parameter's condition and the dataset form's scope.
func (ex *execution) filterWith(bound []bound) (*query.Node, error) {
	parts := []*query.Node{ex.c.filter}
	for _, b := range bound {
		n, err := b.plan.filter(b, ex.c.loc)
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	return query.And(append(parts, ex.scopes[""])...), nil
}

// lookups are the store lookups with each joined form's scope.
func (ex *execution) lookups() []store.Lookup { return ex.c.lookups(ex.scopes) }

// lookupsFor are the lookups an aggregation reads: those its filter, group
// keys and measures name, and the ones they are reached through. A lookup
// joins at most one document per row, so leaving an unused one out
// changes nothing but the time the join would take.
func (ex *execution) lookupsFor(a *query.Aggregate) []store.Lookup {
	return pickLookups(ex.lookups(), a)
}

// pickLookups keeps the lookups of all that a reads.
func pickLookups(all []store.Lookup, a *query.Aggregate) []store.Lookup {
	if len(all) == 0 {
		return nil
	}
	aliases := map[string]bool{}
	for _, l := range all {
		aliases[l.As] = true
	}
	used := map[string]bool{}
	note := func(path string) {
		if al, _ := store.SplitJoined(path, aliases); al != "" {
			used[al] = true
		}
	}
	walk := func(n *query.Node) {
		query.Walk(n, func(x *query.Node) { note(x.Field.Path) })
	}
	walk(a.Filter)
	for _, g := range a.Group {
		note(g.Field.Path)
	}
	for _, m := range a.Measures {
		note(m.Field.Path)
		walk(m.Filter)
	}
	// Chains: a used join needs the joins its reference comes through.
	for i := len(all) - 1; i >= 0; i-- {
		if used[all[i].As] {
			note(all[i].From)
		}
	}
	var out []store.Lookup
	for _, l := range all {
		if used[l.As] {
			out = append(out, l)
		}
	}
	return out
}

// checkFields refuses a run that would group, measure or filter by a field
// the caller may not read on the form it comes from (hidden or masked):
// a total by phone prefix leaks phones as well as a list does.
func (ex *execution) checkFields() error {
	c := ex.c
	p := &problems{lang: ex.lang}
	check := func(path, at string) {
		fi := c.cat.info[path]
		if fi == nil || fi.system() {
			return
		}
		if d := ex.dec[fi.join]; d != nil && !d.Readable(fi.top) {
			p.add(at, "report.field_hidden", path)
		}
	}
	walk := func(n *query.Node, at string) {
		query.Walk(n, func(x *query.Node) {
			if x.Field.Path != "" {
				check(x.Field.Path, at)
			}
		})
	}
	for i, j := range c.joins {
		check(j.from, fmt.Sprintf("dataset.joins[%d].relation", i))
	}
	walk(c.filter, "dataset.filter")
	for i, pp := range c.params {
		check(pp.fi.q.Path, fmt.Sprintf("parameters[%d].field", i))
	}
	for i, d := range c.dims {
		if !ex.listShowsMasked(i) {
			check(d.fi.q.Path, fmt.Sprintf("dimensions[%d].field", i))
		}
	}
	ex.checkPairsField(p)
	for i, m := range c.measures {
		if m.fi != nil {
			check(m.fi.q.Path, fmt.Sprintf("measures[%d].field", i))
		}
		walk(m.filter, fmt.Sprintf("measures[%d].filter", i))
	}
	return p.err(errs.Forbidden, "report.field_hidden")
}

// aggregate runs one aggregation over the dataset with the lookups.
func (ex *execution) aggregate(ctx context.Context, a *query.Aggregate) ([]store.Doc, error) {
	ex.s.Stats.Aggregations.Add(1)
	a.Location = ex.c.loc
	if src, ok := ex.rollupSource(ctx, a); ok {
		ex.s.Stats.RollupRuns.Add(1)
		return src.run(ctx)
	}
	coll := ex.c.cat.forms[""].Coll
	lookups := ex.lookupsFor(a)
	if len(lookups) == 0 {
		return ex.s.st.Aggregate(ctx, coll, a)
	}
	ja, ok := ex.s.st.(store.JoinAggregator)
	if !ok {
		return nil, errs.New(errs.Unavailable, "report.unsupported", "this store cannot join forms in an aggregation")
	}
	return ja.AggregateJoin(ctx, coll, lookups, a)
}

// spec builds the aggregation of dims over filter: the dimensions as
// group keys (quantile dimensions as bins at this run's thresholds), the
// store measures, and the pushed-down sort and limit when the sort needs
// nothing computed afterwards.
func (ex *execution) spec(filter *query.Node, dims []*dimPlan, sc map[string]*scoring, limit int) *query.Aggregate {
	a := &query.Aggregate{Filter: filter, Measures: ex.c.store}
	for _, d := range dims {
		g := query.GroupKey{Field: d.fi.q, Bucket: d.bucket, Bins: d.bins, As: d.as}
		if s := sc[d.as]; s != nil && len(s.bins) > 0 {
			g.Bins = s.bins
		}
		a.Group = append(a.Group, g)
	}
	if len(dims) == len(ex.c.dims) && !ex.c.goSort {
		outs := a.Outputs()
		for _, k := range ex.c.sort {
			a.Sort = append(a.Sort, query.SortKey{Field: outs[k.name], Desc: k.desc})
		}
		a.Limit = limit
	}
	return a
}

// execute runs the report: the main aggregation, then comparisons, the
// others row, totals and subtotals, each one aggregation in the store.
func (ex *execution) execute(ctx context.Context) (*Result, error) {
	c := ex.c
	if c.pairs != nil {
		return ex.executePairs(ctx)
	}
	sc, err := c.resolveQuantiles(ctx, ex.s.st, ex.lookups(), ex.base)
	if err != nil {
		return nil, err
	}
	limit := MaxRows + 1
	if c.Spec.Limit > 0 && !c.goSort {
		limit = c.Spec.Limit
	}
	rows, err := ex.aggregate(ctx, ex.spec(ex.base, c.dims, sc, limit))
	if err != nil {
		return nil, err
	}
	ex.maskList(rows)
	r := &Result{Report: c.Key, Version: c.Version, Title: text(c.Spec.Title, ex.lang, c.Key), Source: "raw", lang: ex.lang,
		Parameters: map[string]any{}}
	if ex.usedRollup() {
		r.Source = "rollup"
	}
	if len(rows) > MaxRows {
		// More groups than a result holds (a limit pushed down to the
		// store never returns this many): say so rather than rank or
		// total a part as if it were all.
		rows, r.Truncated = rows[:MaxRows], true
	}
	if (c.Spec.Totals || c.Spec.Subtotals) && c.Spec.Limit == 0 && !r.Truncated && c.additive() {
		// Every group is here: totals and subtotals add them up.
		ex.whole = make([]store.Doc, len(rows))
		for i, row := range rows {
			ex.whole[i] = maps.Clone(row)
		}
	}
	out, err := ex.finish(ctx, rows, sc, ex.bound, true)
	if err != nil {
		return nil, err
	}
	if c.goSort {
		ex.sortRows(out)
		if c.Spec.Limit > 0 && len(out) > c.Spec.Limit {
			out = out[:c.Spec.Limit]
		}
	}
	r.Rows = out
	for _, b := range ex.bound {
		if b.period != nil {
			r.Parameters[b.plan.key] = *b.period
		} else {
			r.Parameters[b.plan.key] = b.value
		}
	}
	if err := ex.compareRows(ctx, r, sc); err != nil {
		return nil, err
	}
	if err := ex.extras(ctx, r, sc); err != nil {
		return nil, err
	}
	r.Columns = ex.columns(ctx, r)
	r.Chart = c.chart.build(r)
	return r, nil
}

// finish turns store rows into result rows: quantile scores, segments,
// running totals (main rows only), averages and formulas, helper columns
// removed.
func (ex *execution) finish(ctx context.Context, rows []store.Doc, sc map[string]*scoring, bound []bound, main bool) ([]map[string]any, error) {
	c := ex.c
	out := make([]map[string]any, len(rows))
	for i, row := range rows {
		for name, s := range sc {
			if b, ok := query.ToInt(row[name]); ok && len(s.bins) > 0 {
				row[name] = int64(s.score(b))
			}
		}
		out[i] = row
	}
	if c.segments != nil && main {
		out = c.applySegments(out)
	}
	if main {
		if err := ex.cumulate(ctx, out, bound); err != nil {
			return nil, err
		}
	}
	for _, row := range out {
		c.computeRow(row)
	}
	return out, nil
}

// computeRow finishes averages and formulas of one row in place.
func (c *Compiled) computeRow(row map[string]any) {
	for _, m := range c.measures {
		switch m.op {
		case "avg":
			row[m.as] = numberOf(ratio(row[avgSum(m.as)], row[avgCount(m.as)]), m.decimals)
			delete(row, avgSum(m.as))
			delete(row, avgCount(m.as))
		case "formula":
			vals := map[string]*big.Rat{}
			for _, ref := range m.refs {
				vals[ref] = ratOf(row[ref])
			}
			row[m.as] = numberOf(m.formula.eval(vals), m.decimals)
		}
	}
}

// sortRows orders rows by the report's sort (computed values included),
// then by the dimensions, nulls first.
func (ex *execution) sortRows(rows []map[string]any) {
	keys := append([]sortKey{}, ex.c.sort...)
	for _, d := range ex.c.dims {
		keys = append(keys, sortKey{name: d.as})
	}
	if ex.c.segments != nil {
		keys = append(keys, sortKey{name: ex.c.segments.as})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		for _, k := range keys {
			c := compareAny(rows[i][k.name], rows[j][k.name])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
}

// compareAny orders two output values: null first, numbers numerically,
// the rest as text.
func compareAny(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	ra, rb := ratOf(a), ratOf(b)
	if ra != nil && rb != nil {
		return ra.Cmp(rb)
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}
