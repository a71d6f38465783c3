package report

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Pairs (basket analysis): a dimension over the values of a sub-table
// column that occur together in one record — the categories bought
// together in one transaction:
//
//	"dimensions": [{"pairs": {"subtable": "lines", "field": "category", "with": "categoryB"}, "as": "categoryA"}],
//	"measures": [{"op": "baskets"}, {"op": "support"}, {"op": "confidence"}, {"op": "lift"}],
//	"limit": 20
//
// Each row is an unordered pair of distinct values (A < B) found together
// in at least one record the filters, parameters and row scope select; a
// value repeated over a record's rows counts once for it. The measures
// are baskets (records holding both), support (baskets / all records
// selected), confidence (baskets / records holding A: how often B comes
// with A), confidenceBA (baskets / records holding B), lift (support(A,B)
// / (support(A) support(B)): above 1 when they go together more than by
// chance), and formulas over them. The store counts (store.PairCounter),
// keeping the limit's top pairs by baskets (then by value); sort orders
// those rows. Drill-down is refused: the records list cannot filter
// inside sub-table rows.

// PairsDef names the sub-table column a pairs dimension pairs, and the
// output of the pair's second value (the dimension's As names the first).
type PairsDef struct {
	Subtable  string          `json:"subtable"`
	Field     string          `json:"field"`
	With      string          `json:"with,omitempty"`
	WithLabel json.RawMessage `json:"withLabel,omitempty"`
}

// Pair measures.
const (
	opBaskets      = "baskets"
	opSupport      = "support"
	opConfidence   = "confidence"
	opConfidenceBA = "confidenceBA"
	opLift         = "lift"
)

func isPairOp(op string) bool {
	switch op {
	case opBaskets, opSupport, opConfidence, opConfidenceBA, opLift:
		return true
	}
	return false
}

// pairsPlan is a report's pairs dimension.
type pairsPlan struct {
	subtable, field string
	at              string // the dimension's path in the spec
	a, b            *dimPlan
}

var pairsMessages = map[string][2]string{
	"report.pairs":          {"组合维度有误：%s", "pairs dimension: %s"},
	"report.pairs_subtable": {"%q 不是本表单的子表字段，不能做品类组合", "%q is not a sub-table field of the dataset's form; pairs need one"},
	"report.pairs_field":    {"子表 %[2]q 没有文本列 %[1]q", "the sub-table %[2]q has no text column %[1]q"},
	"report.pairs_measure":  {"组合报表只支持 baskets、support、confidence、confidenceBA、lift 与公式，不支持 %q", "a pairs report measures baskets, support, confidence, confidenceBA, lift and formulas, not %q"},
	"report.pair_measure":   {"指标 %q 需要一个组合（pairs）维度", "the measure %q needs a pairs dimension"},
	"report.pairs_option":   {"组合报表不支持 %s", "a pairs report cannot have %s"},
	"report.pairs_drill":    {"组合单元格无法钻取：记录列表不能按子表行筛选", "a pair cannot be drilled into: the records list cannot filter inside sub-table rows"},
	"report.pairs_store":    {"当前存储不支持组合统计", "this store cannot count pairs"},
	"report.list":           {"明细列表有误：%s", "record list: %s"},
	"report.list_drill":     {"不能按脱敏字段 %q 钻取", "cannot drill by the masked field %q"},
}

func init() { maps.Copy(messages, pairsMessages) }

// compileExtensions checks the pairs dimension and the list mode against
// the rest of the report (after dimensions and measures).
func (c *Compiled) compileExtensions(p *problems) {
	c.checkPairs(p)
	c.compileList(p)
}

// compilePairsDim checks a pairs dimension and adds its two outputs.
func (c *Compiled) compilePairsDim(d Dimension, at string, p *problems, names map[string]bool) {
	pd := d.Pairs
	if c.pairs != nil {
		p.addf(at+".pairs", "report.pairs", "a report has at most one pairs dimension")
		return
	}
	if d.Field != "" || d.Bucket != "" || d.Bins != nil || d.Quantiles != 0 {
		p.add(at, "report.pairs", "a pairs dimension takes no field, bucket, bins or quantiles")
		return
	}
	fi := c.cat.info[pd.Subtable]
	if fi == nil || fi.join != "" || fi.field == nil || fi.rel != fi.top || fi.field.Type != "subtable" {
		p.add(at+".pairs.subtable", "report.pairs_subtable", pd.Subtable)
		return
	}
	var col *form.Field
	for _, sub := range fi.field.Fields {
		if sub.Key == pd.Field {
			col = sub
		}
	}
	if col == nil || !textColumn(col) {
		p.add(at+".pairs.field", "report.pairs_field", pd.Field, pd.Subtable)
		return
	}
	path := pd.Subtable + "." + pd.Field
	vi := &fieldInfo{q: query.Field{Path: path, Kind: query.KindString}, form: fi.form, rel: path, top: fi.top, field: fi.field}
	plan := &pairsPlan{subtable: pd.Subtable, field: pd.Field, at: at,
		a: &dimPlan{fi: vi, label: d.Label, as: c.name(d.As, pd.Field+"A", at+".as", names, p)},
		b: &dimPlan{fi: vi, label: pd.WithLabel, as: c.name(pd.With, pd.Field+"B", at+".pairs.with", names, p)}}
	c.pairs = plan
	c.dims = append(c.dims, plan.a, plan.b)
}

// textColumn reports whether a sub-table column stores one text value.
func textColumn(col *form.Field) bool {
	t, ok := form.LookupFieldType(col.Type)
	if !ok {
		return false
	}
	st := t.Stored(col)
	return st.Kind == query.KindString && !st.Array
}

// checkPairMeasure checks a pair measure (its op is one of the pair ops).
func (c *Compiled) checkPairMeasure(m Measure, mp *measurePlan, at string, p *problems) {
	if !slices.ContainsFunc(c.Spec.Dimensions, func(d Dimension) bool { return d.Pairs != nil }) {
		p.add(at+".op", "report.pair_measure", m.Op)
	}
	if m.Field != "" || len(m.Filter) > 0 || m.MinRows != nil {
		p.addf(at, "report.invalid", "%s takes no field, filter or minRows", m.Op)
	}
	if mp.format == "" && m.Op != opBaskets && m.Op != opLift {
		mp.format = FormatPercent
	}
}

// checkPairs refuses what a pairs report cannot do.
func (c *Compiled) checkPairs(p *problems) {
	if c.pairs == nil {
		return
	}
	s := c.Spec
	if len(c.dims) != 2 {
		p.add("dimensions", "report.pairs_option", "other dimensions")
	}
	for i, m := range c.measures {
		if m.op != "formula" && !isPairOp(m.op) {
			p.add(fmt.Sprintf("measures[%d].op", i), "report.pairs_measure", m.op)
		}
	}
	for _, o := range []struct {
		set  bool
		path string
	}{{s.Others, "others"}, {len(s.Compare) > 0, "compare"}, {s.Segments != nil, "segments"}, {s.Subtotals, "subtotals"},
		{s.Totals, "totals"}, {s.Rollup != nil, "rollup"}, {s.List, "list"}} {
		if o.set {
			p.add(o.path, "report.pairs_option", o.path)
		}
	}
}

// executePairs runs a pairs report: one pair count in the store, the
// measures computed exactly from its counts.
func (ex *execution) executePairs(ctx context.Context) (*Result, error) {
	c, pp := ex.c, ex.c.pairs
	pc, ok := ex.s.st.(store.PairCounter)
	if !ok {
		return nil, coded(ex.lang, errs.Unavailable, "report.pairs_store")
	}
	limit := c.Spec.Limit
	if limit == 0 {
		limit = MaxRows + 1
	}
	ex.s.Stats.Aggregations.Add(1)
	res, err := pc.CountPairs(ctx, c.cat.forms[""].Coll, pickLookups(ex.lookups(), &query.Aggregate{Filter: ex.base}), ex.base,
		store.PairSpec{List: pp.subtable, Field: pp.field, Limit: limit})
	if err != nil {
		return nil, err
	}
	r := &Result{Report: c.Key, Version: c.Version, Title: text(c.Spec.Title, ex.lang, c.Key), Source: "raw", lang: ex.lang,
		Parameters: map[string]any{}, Rows: []map[string]any{}}
	pairs := res.Pairs
	if len(pairs) > MaxRows {
		pairs, r.Truncated = pairs[:MaxRows], true
	}
	for _, pr := range pairs {
		row := map[string]any{pp.a.as: pr.A, pp.b.as: pr.B}
		for _, m := range c.measures {
			if v := pairMeasure(m.op, pr, res); v != nil {
				row[m.as] = numberOf(v, m.decimals)
			}
		}
		c.computeRow(row)
		r.Rows = append(r.Rows, row)
	}
	if len(c.sort) > 0 {
		ex.sortRows(r.Rows)
	}
	for _, b := range ex.bound {
		if b.period != nil {
			r.Parameters[b.plan.key] = *b.period
		} else {
			r.Parameters[b.plan.key] = b.value
		}
	}
	r.Columns = ex.columns(ctx, r)
	r.Chart = c.chart.build(r)
	return r, nil
}

// checkPairsField refuses a pairs report over a sub-table the caller may
// not read (with checkFields, before the cache is asked).
func (ex *execution) checkPairsField(p *problems) {
	if pp := ex.c.pairs; pp != nil {
		if d := ex.dec[""]; d != nil && !d.Readable(pp.subtable) {
			p.add(pp.at+".pairs.subtable", "report.field_hidden", pp.subtable)
		}
	}
}

// pairMeasure is a pair measure's exact value (nil for other measures and
// for a ratio over nothing).
func pairMeasure(op string, pr store.PairCount, res *store.PairCounts) *big.Rat {
	n, total := pr.Count, res.Baskets
	na, nb := res.Items[pr.A], res.Items[pr.B]
	quo := func(num, den int64) *big.Rat {
		if den == 0 {
			return nil
		}
		return big.NewRat(num, den)
	}
	switch op {
	case opBaskets:
		return big.NewRat(n, 1)
	case opSupport:
		return quo(n, total)
	case opConfidence:
		return quo(n, na)
	case opConfidenceBA:
		return quo(n, nb)
	case opLift:
		// n/total / ((na/total) (nb/total)) = n total / (na nb), in
		// big integers: 10^7 baskets squared overflows no int64 but the
		// product of two item counts might come close.
		num := new(big.Int).Mul(big.NewInt(n), big.NewInt(total))
		den := new(big.Int).Mul(big.NewInt(na), big.NewInt(nb))
		if den.Sign() == 0 {
			return nil
		}
		return new(big.Rat).SetFrac(num, den)
	}
	return nil
}

// drillCell is the cell a drill request selects by: a pairs report's
// cells are refused; a list row's cell is its record id alone when it
// names one (the row's other values are that record's, and a masked one
// would not match), and may not name a masked field otherwise.
func (ex *execution) drillCell(req DrillRequest) (DrillRequest, error) {
	if ex.c.pairs != nil {
		return req, &errs.Error{Class: errs.Invalid, Code: "report.pairs_drill", Msg: msg(ex.lang, "report.pairs_drill"),
			Fields: []errs.FieldError{{Path: "cell", Code: "report.pairs_drill", Message: msg(ex.lang, "report.pairs_drill")}}}
	}
	if !ex.c.Spec.List {
		return req, nil
	}
	if id, ok := req.Cell[recordOutput]; ok {
		req.Cell = map[string]json.RawMessage{recordOutput: id}
		return req, nil
	}
	masks := ex.listMasks()
	for _, k := range sortedKeys(req.Cell) {
		if _, ok := masks[k]; ok {
			return req, &errs.Error{Class: errs.Forbidden, Code: "report.list_drill", Msg: msg(ex.lang, "report.list_drill", k),
				Fields: []errs.FieldError{{Path: "cell." + k, Code: "report.list_drill", Message: msg(ex.lang, "report.list_drill", k)}}}
		}
	}
	return req, nil
}
