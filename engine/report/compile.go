package report

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// FormSource returns a form of the report's app, compiled: the published
// version at run time, the latest one when a definition is checked on
// save.
type FormSource func(ctx context.Context, key string) (*form.Form, error)

// Compiled is a report definition checked against its forms and turned
// into what one run needs: the joins, the fields, the static filter, and
// the plan of dimensions and measures. It is immutable and shared by
// concurrent runs (cached by definition version).
type Compiled struct {
	App, Key string
	Version  int
	Spec     *Spec

	loc      *time.Location
	cat      *catalogue
	joins    []compiledJoin
	filter   *query.Node
	params   []*paramPlan
	period   *paramPlan // the first date range parameter
	dims     []*dimPlan
	measures []*measurePlan
	store    []query.Measure // what the store computes, hidden helpers included
	sort     []sortKey
	goSort   bool // the sort names values computed after the aggregation
	segments *segPlan
	compare  []string
	chart    *chartPlan
	pairs    *pairsPlan // the pairs dimension (pairs.go)
}

// compiledJoin is one join: the relation path it follows and its form.
type compiledJoin struct {
	as, from string
	form     *form.Form
}

// dimPlan is one dimension.
type dimPlan struct {
	as        string
	fi        *fieldInfo
	bucket    query.Bucket
	bins      []query.Value
	quantiles int
	label     json.RawMessage
}

// plain reports whether the dimension groups by the field's own value.
func (d *dimPlan) plain() bool { return d.bucket == "" && d.bins == nil && d.quantiles == 0 }

// kind is the output's kind.
func (d *dimPlan) kind() query.Kind {
	switch {
	case d.bins != nil || d.quantiles > 0:
		return query.KindInt
	case d.bucket != "":
		return query.KindString
	}
	return d.fi.q.Kind
}

// measurePlan is one measure as the caller sees it.
type measurePlan struct {
	as, op     string
	fi         *fieldInfo
	filter     *query.Node
	formula    *expr
	refs       []string
	format     string
	decimals   int
	cumulative bool
	minRows    int // countDistinct of values with at least this many rows
	label      json.RawMessage
}

// kind is the output's kind.
func (m *measurePlan) kind() query.Kind {
	switch m.op {
	case "count", "countDistinct", opBaskets:
		return query.KindInt
	case "avg", "formula", opSupport, opConfidence, opConfidenceBA, opLift:
		return query.KindDecimal
	}
	return m.fi.q.Kind
}

// additive reports whether rows can be re-aggregated by adding
// (segments, others by subtraction are never used: see topn.go).
func (m *measurePlan) additive() bool { return m.op == "count" || m.op == "sum" }

type sortKey struct {
	name string
	desc bool
}

var outputRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// MaxRows bounds the rows of one result.
const MaxRows = query.MaxAggLimit

// Compile checks spec against its forms. Every problem is reported at
// once, each with its path in the spec ("dimensions[1].bucket").
func Compile(ctx context.Context, app, key string, version int, spec *Spec, forms FormSource, lang string) (*Compiled, error) {
	c := &Compiled{App: app, Key: key, Version: version, Spec: spec, loc: query.DefaultLocation}
	p := &problems{lang: lang}
	if spec.TimeZone != "" {
		loc, err := time.LoadLocation(spec.TimeZone)
		if err != nil || loc.String() == "Local" {
			p.addf("timeZone", "report.invalid", "unknown time zone %q", spec.TimeZone)
		} else {
			c.loc = loc
		}
	}
	base, err := forms(ctx, spec.Dataset.Form)
	if err != nil {
		if errs.ClassOf(err) == errs.NotFound {
			p.add("dataset.form", "report.form", spec.Dataset.Form)
			return nil, p.err(errs.Unprocessable, "report.invalid")
		}
		return nil, err
	}
	c.cat = newCatalogue(base)
	if err := c.compileJoins(ctx, forms, p); err != nil {
		return nil, err
	}
	if len(spec.Dataset.Filter) > 0 {
		c.filter = c.parseFilter(spec.Dataset.Filter, "dataset.filter", p)
	}
	c.compileParams(p)
	names := map[string]bool{}
	c.compileDims(p, names)
	c.compileMeasures(p, names)
	c.compileExtensions(p)
	c.compileSegments(p)
	c.checkCumulative(p)
	c.compileSort(p)
	c.compileCompare(p)
	c.compileChart(p)
	if spec.Limit < 0 || spec.Limit > MaxRows {
		p.addf("limit", "report.invalid", "limit must be between 1 and %d", MaxRows)
	}
	if spec.Others && (spec.Limit == 0 || len(c.dims) == 0 || !c.plainDims()) {
		p.add("others", "report.others")
	}
	if spec.Subtotals && c.segments != nil {
		p.addf("subtotals", "report.invalid", "subtotals cannot be combined with segments")
	}
	if spec.Rollup != nil {
		c.checkRollup(p)
	}
	if err := p.err(errs.Unprocessable, "report.invalid"); err != nil {
		return nil, err
	}
	return c, nil
}

// compileJoins resolves each join's relation field and adds the related
// form's fields under the alias.
func (c *Compiled) compileJoins(ctx context.Context, forms FormSource, p *problems) error {
	for i, j := range c.Spec.Dataset.Joins {
		path := fmt.Sprintf("dataset.joins[%d]", i)
		fi, ok := c.cat.info[j.Relation]
		if !ok {
			p.add(path+".relation", "report.unknown_field", j.Relation)
			continue
		}
		target, multiple, isRel := relationTarget(fi.field)
		switch {
		case !isRel || fi.rel != fi.top:
			p.add(path+".relation", "report.not_relation", j.Relation)
			continue
		case multiple:
			p.add(path+".relation", "report.relation_multiple", j.Relation)
			continue
		}
		if _, taken := c.cat.forms[j.As]; taken || (j.As != topKey(j.Relation) && c.cat.fields[j.As].Path != "") || !outputRe.MatchString(j.As) {
			p.add(path+".as", "report.join_alias", j.As)
			continue
		}
		f, err := forms(ctx, target)
		if err != nil {
			if errs.ClassOf(err) == errs.NotFound {
				p.add(path+".relation", "report.form", target)
				continue
			}
			return err
		}
		c.cat.addForm(j.As, f)
		c.joins = append(c.joins, compiledJoin{as: j.As, from: j.Relation, form: f})
	}
	return nil
}

// parseFilter parses a filter over the dataset's paths.
func (c *Compiled) parseFilter(raw json.RawMessage, path string, p *problems) *query.Node {
	n, err := query.ParseFilter(raw, c.cat.fields, query.Options{Root: path, Location: c.loc})
	if err != nil {
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
			p.merge("", e.Fields)
		} else {
			p.addf(path, "report.invalid", "%v", err)
		}
	}
	return n
}

func (c *Compiled) field(path, at string, p *problems) *fieldInfo {
	fi, ok := c.cat.info[path]
	if !ok {
		p.add(at, "report.unknown_field", path)
	}
	return fi
}

func (c *Compiled) compileDims(p *problems, names map[string]bool) {
	for i, d := range c.Spec.Dimensions {
		at := fmt.Sprintf("dimensions[%d]", i)
		if d.Pairs != nil {
			c.compilePairsDim(d, at, p, names)
			continue
		}
		fi := c.field(d.Field, at+".field", p)
		if fi == nil {
			continue
		}
		dp := &dimPlan{fi: fi, bucket: query.Bucket(d.Bucket), quantiles: d.Quantiles, label: d.Label}
		if fi.q.Array {
			p.add(at+".field", "report.dimension_list", d.Field)
		}
		kinds := 0
		for _, set := range []bool{d.Bucket != "", d.Bins != nil, d.Quantiles != 0} {
			if set {
				kinds++
			}
		}
		if kinds > 1 {
			p.add(at, "report.dimension_kind")
		}
		switch {
		case d.Bucket != "" && !query.ValidBucket(dp.bucket):
			p.addf(at+".bucket", "report.invalid", "unknown bucket %q", d.Bucket)
		case d.Bucket != "" && !query.BucketFits(dp.bucket, fi.q.Kind):
			p.add(at+".bucket", "report.bucket_type", d.Bucket, d.Field)
		case d.Bins != nil:
			var fe []errs.FieldError
			dp.bins, fe = query.ParseBins(d.Bins, fi.q, c.loc, at+".bins")
			p.merge("", fe)
		case d.Quantiles != 0:
			c.checkQuantiles(dp, at, p)
		}
		def := strings.ReplaceAll(d.Field, ".", "_")
		switch {
		case d.Bucket != "":
			def += "_" + d.Bucket
		case d.Quantiles != 0:
			def += "_score"
		case d.Bins != nil:
			def += "_bin"
		}
		dp.as = c.name(d.As, def, at+".as", names, p)
		c.dims = append(c.dims, dp)
	}
}

// name checks an output name (or its default) for uniqueness.
func (c *Compiled) name(as, def, at string, names map[string]bool, p *problems) string {
	if as == "" {
		as = def
	}
	if !outputRe.MatchString(as) || names[as] {
		p.add(at, "report.name", as)
	}
	names[as] = true
	return as
}

func (c *Compiled) compileMeasures(p *problems, names map[string]bool) {
	if len(c.Spec.Measures) == 0 || len(c.Spec.Measures) > 32 {
		p.addf("measures", "report.invalid", "give between 1 and 32 measures")
	}
	for i, m := range c.Spec.Measures {
		at := fmt.Sprintf("measures[%d]", i)
		mp := &measurePlan{op: m.Op, format: m.Format, cumulative: m.Cumulative, label: m.Label, decimals: 2}
		switch m.Op {
		case "count":
			if m.Field != "" {
				p.addf(at+".field", "report.invalid", "count takes no field (use countDistinct)")
			}
		case "sum", "avg", "min", "max", "countDistinct":
			mp.fi = c.field(m.Field, at+".field", p)
			if mp.fi == nil {
				continue
			}
			numeric := mp.fi.q.Kind == query.KindInt || mp.fi.q.Kind == query.KindDecimal
			if (m.Op == "sum" || m.Op == "avg") && !numeric {
				p.add(at+".field", "report.measure_type", m.Op, m.Field)
			}
			if mp.fi.q.Array {
				p.add(at+".field", "report.measure_list", m.Field)
			}
			if mp.format == "" && mp.fi.typ() == "money" && m.Op != "countDistinct" {
				mp.format = FormatMoney
			}
		case "formula":
			e, refs, err := parseFormula(m.Formula)
			if err != nil {
				p.add(at+".formula", "report.formula", err.Error())
			}
			for _, r := range refs {
				if !names[r] || c.isDim(r) {
					p.add(at+".formula", "report.formula_ref", r)
				}
			}
			mp.formula, mp.refs = e, refs
			if m.As == "" {
				p.addf(at+".as", "report.invalid", "a formula measure needs an output name")
			}
		case opBaskets, opSupport, opConfidence, opConfidenceBA, opLift:
			c.checkPairMeasure(m, mp, at, p)
		default:
			p.addf(at+".op", "report.invalid", "unknown measure %q (count, sum, avg, min, max, countDistinct, formula)", m.Op)
			continue
		}
		if len(m.Filter) > 0 {
			if m.Op == "formula" {
				p.addf(at+".filter", "report.invalid", "a formula has no filter; filter the measures it uses")
			} else {
				mp.filter = c.parseFilter(m.Filter, at+".filter", p)
			}
		}
		c.checkMinRows(m, mp, at, p)
		if m.Cumulative && !mp.additive() {
			p.add(at+".cumulative", "report.cumulative")
		}
		if mp.format == FormatPercent {
			mp.decimals = 4
		}
		if m.Decimals != nil {
			if *m.Decimals < 0 || *m.Decimals > 12 {
				p.addf(at+".decimals", "report.invalid", "decimals must be between 0 and 12")
			} else {
				mp.decimals = *m.Decimals
			}
		}
		def := m.Op
		if m.Field != "" {
			def += "_" + strings.ReplaceAll(m.Field, ".", "_")
		}
		mp.as = c.name(m.As, def, at+".as", names, p)
		c.measures = append(c.measures, mp)
		c.store = append(c.store, storeMeasures(mp)...)
	}
}

func (c *Compiled) isDim(name string) bool {
	for _, d := range c.dims {
		if d.as == name {
			return true
		}
	}
	return false
}

// storeMeasures are what the store computes for mp: an average is a sum
// and a count of present values (divided exactly afterwards, and
// re-aggregatable by rollups and segments); a formula is computed later.
func storeMeasures(mp *measurePlan) []query.Measure {
	switch mp.op {
	case "formula", opBaskets, opSupport, opConfidence, opConfidenceBA, opLift:
		return nil
	case "count":
		return []query.Measure{{Fn: query.FnCount, Filter: mp.filter, As: mp.as}}
	case "avg":
		present := query.Cmp(mp.fi.q, query.OpExists, query.Bool(true))
		return []query.Measure{
			{Fn: query.FnSum, Field: mp.fi.q, Filter: mp.filter, As: avgSum(mp.as)},
			{Fn: query.FnCount, Filter: query.And(mp.filter, present), As: avgCount(mp.as)},
		}
	}
	return []query.Measure{{Fn: query.AggFn(mp.op), Field: mp.fi.q, Filter: mp.filter, As: mp.as, MinRows: mp.minRows}}
}

func avgSum(as string) string   { return "__s_" + as }
func avgCount(as string) string { return "__n_" + as }

// plainDims reports whether every dimension groups by a field's value.
func (c *Compiled) plainDims() bool {
	for _, d := range c.dims {
		if !d.plain() {
			return false
		}
	}
	return true
}

func (c *Compiled) compileSort(p *problems) {
	if c.Spec.Sort == "" {
		return
	}
	parts := strings.Split(c.Spec.Sort, ",")
	if len(parts) > 8 {
		p.addf("sort", "report.invalid", "sort takes at most 8 outputs")
		return
	}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		desc := strings.HasPrefix(part, "-")
		name := strings.TrimPrefix(strings.TrimPrefix(part, "-"), "+")
		switch {
		case c.isDim(name):
		case c.measure(name) != nil:
			if op := c.measure(name).op; op == "formula" || op == "avg" || c.measure(name).cumulative {
				c.goSort = true
			}
		default:
			p.add("sort", "report.sort", name)
			continue
		}
		c.sort = append(c.sort, sortKey{name: name, desc: desc})
	}
	if c.Spec.Segments != nil {
		c.goSort = true
	}
}

func (c *Compiled) measure(name string) *measurePlan {
	for _, m := range c.measures {
		if m.as == name {
			return m
		}
	}
	return nil
}

func (c *Compiled) compileCompare(p *problems) {
	for i, cmp := range c.Spec.Compare {
		if cmp != comparePrevious && cmp != compareLastYear {
			p.addf(fmt.Sprintf("compare[%d]", i), "report.invalid", "unknown comparison %q (previousPeriod, lastYear)", cmp)
			continue
		}
		if c.period == nil {
			p.add(fmt.Sprintf("compare[%d]", i), "report.compare")
			continue
		}
		c.compare = append(c.compare, cmp)
	}
}

// lookups are the store lookups of the joins, with the row scope and the
// live-records condition of each joined form in filters (by alias).
func (c *Compiled) lookups(filters map[string]*query.Node) []store.Lookup {
	out := make([]store.Lookup, len(c.joins))
	for i, j := range c.joins {
		out[i] = store.Lookup{As: j.as, Coll: j.form.Coll, From: j.from, Filter: filters[j.as]}
	}
	return out
}
