package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// Table is a compiled decision table, ready to evaluate many times. It is
// immutable and safe for concurrent use.
type Table struct {
	version int
	policy  HitPolicy
	loc     *time.Location
	inputs  []inputCol
	index   map[string]int // input key -> column
	outputs []outputCol
	rows    []row
	// order is the sequence in which first and priority tables try rows:
	// table order, or by descending priority (stable), so the first match
	// in it is the answer and the rest need not be tried.
	order []int
}

type inputCol struct {
	Column
	loc   *time.Location
	opts  map[string]bool  // options as a set; nil without options
	scale int32            // decimal: the finest exponent of the column's constants
	ids   map[string]int64 // string: the id of every constant (see intern)
}

type outputCol struct {
	Column
	def    value
	hasDef bool
	scale  int32 // decimal: the finest exponent of the column's values
}

type row struct {
	conds          []cond    // constrained columns, in column order
	match          []matcher // the same cells, for evaluation
	hasFrom, hasTo bool
	from, to       int64 // Unix nanoseconds; to is exclusive
	priority       int64
	then           []value // by output column; unset: blank
}

// Version is the definition revision the table was compiled from (0 for a
// spec that was never saved).
func (t *Table) Version() int { return t.version }

// HitPolicy is the table's hit policy.
func (t *Table) HitPolicy() HitPolicy { return t.policy }

// problems collects findings with spec-relative paths. broken marks a spec
// the meta-schema or meta's own check refuses: those report the problem,
// so compile only refuses to build a table from it.
type problems struct {
	list   []errs.FieldError
	broken bool
}

func (p *problems) add(path, code, format string, args ...any) {
	p.list = append(p.list, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Compile validates a rule spec as a save would (meta-schema, meta's checks
// and this package's, returning the same 422 meta.invalid with
// "spec.rows[2].when.tier" paths) and compiles it.
func Compile(spec json.RawMessage) (*Table, error) {
	if err := meta.Validate(meta.Definition{Kind: meta.KindRule, App: "rules", Key: "preview", Spec: spec}); err != nil {
		return nil, err
	}
	return compileValid(spec, 0)
}

// compileValid compiles a spec that passed validation (a stored revision).
// Failing here means the stored spec predates a check; it is reported, not
// evaluated.
func compileValid(spec json.RawMessage, version int) (*Table, error) {
	t, p := compile(spec)
	if len(p.list) > 0 {
		return nil, errs.Validation(errs.Unprocessable, ErrNotEvaluable.Code, ErrNotEvaluable.Msg, prefixed(p.list, "spec"))
	}
	if p.broken {
		return nil, ErrNotEvaluable
	}
	t.version = version
	return t, nil
}

// ErrNotEvaluable is returned for a stored table that does not compile.
var ErrNotEvaluable = errs.New(errs.Unprocessable, "rule.not_evaluable", "the decision table cannot be evaluated; open it in the builder and fix the problems listed")

// compile builds a table and collects the problems the meta-schema cannot
// see: values of the wrong type, options, blank outputs. It tolerates any
// input (checks run on specs the schema refused).
func compile(spec json.RawMessage) (*Table, *problems) {
	p := &problems{}
	var s Spec
	if json.Unmarshal(spec, &s) != nil {
		p.broken = true // keep what decoded: its problems are still worth reporting
	}
	t := &Table{policy: s.HitPolicy, loc: query.DefaultLocation, index: map[string]int{}}
	switch s.HitPolicy {
	case First, Priority, Collect, Sum:
	default:
		p.broken = true
	}
	if s.TimeZone != "" {
		loc, err := time.LoadLocation(s.TimeZone)
		if err != nil || s.TimeZone == "Local" {
			p.add("timeZone", "rule.time_zone", "%q is not an IANA time zone such as Asia/Shanghai", s.TimeZone)
		} else {
			t.loc = loc
		}
	}
	t.compileColumns(&s, p)
	outIndex := map[string]int{}
	for i, o := range t.outputs {
		outIndex[o.Key] = i
	}
	for i, r := range s.Rows {
		t.rows = append(t.rows, t.compileRow(i, r, outIndex, p))
	}
	t.scaleDecimals()
	t.intern()
	t.order = make([]int, len(t.rows))
	for i := range t.order {
		t.order[i] = i
	}
	if t.policy == Priority {
		sort.SliceStable(t.order, func(a, b int) bool { return t.rows[t.order[a]].priority > t.rows[t.order[b]].priority })
	}
	return t, p
}

func (t *Table) compileColumns(s *Spec, p *problems) {
	seen := map[string]bool{}
	column := func(c Column, path string) bool {
		if !validType(c.Type) || c.Key == "" || seen[c.Key] {
			p.broken = true // the schema or meta's check reports these
			return false
		}
		seen[c.Key] = true
		if len(c.Options) > 0 && c.Type != TypeString && c.Type != TypeList {
			p.add(path+".options", "rule.options", "options enumerate the values of string and list columns; %q is %s", c.Key, c.Type)
		}
		return true
	}
	for i, c := range s.Inputs {
		if column(c, fmt.Sprintf("inputs[%d]", i)) {
			t.index[c.Key] = len(t.inputs)
			t.inputs = append(t.inputs, inputCol{Column: c, loc: t.loc, opts: optionSet(c.Options)})
		}
	}
	for i, c := range s.Outputs {
		path := fmt.Sprintf("outputs[%d]", i)
		if !column(c, path) {
			continue
		}
		if t.policy == Sum && c.Type != TypeInt && c.Type != TypeDecimal {
			p.broken = true // meta.sum_type
		}
		o := outputCol{Column: c}
		if len(c.Default) > 0 {
			o.def, o.hasDef = t.outputValue(c, c.Default, path+".default", p)
		}
		t.outputs = append(t.outputs, o)
	}
}

func (t *Table) compileRow(i int, r Row, outIndex map[string]int, p *problems) row {
	base := fmt.Sprintf("rows[%d]", i)
	rw := row{priority: r.Priority, then: make([]value, len(t.outputs))}
	for _, k := range sortedKeys(r.When) {
		ci, ok := t.index[k]
		if !ok {
			p.broken = true // meta.unknown_column
			continue
		}
		def := &t.inputs[ci]
		cp := cellParser{col: ci, def: def, p: p, options: def.opts}
		if c, ok := cp.parse(r.When[k], base+".when"+keyPath(k)); ok {
			rw.conds = append(rw.conds, c)
		}
	}
	sort.Slice(rw.conds, func(a, b int) bool { return rw.conds[a].col < rw.conds[b].col })
	for _, k := range sortedKeys(r.Then) {
		oi, ok := outIndex[k]
		if !ok {
			p.broken = true // meta.unknown_column
			continue
		}
		rw.then[oi], _ = t.outputValue(t.outputs[oi].Column, r.Then[k], base+".then"+keyPath(k), p)
	}
	if t.policy != Sum {
		for _, o := range t.outputs {
			// An invalid default is reported on its own; it still counts
			// as a default here, so the rows are not blamed for it too.
			if _, given := r.Then[o.Key]; !given && len(o.Default) == 0 {
				p.add(base+".then"+keyPath(o.Key), "rule.blank_output", "output %q has no default, so every row must give it a value", o.Key)
			}
		}
	}
	rw.hasFrom, rw.from = t.instant(r.ValidFrom, base+".validFrom", p)
	rw.hasTo, rw.to = t.instant(r.ValidTo, base+".validTo", p)
	return rw
}

// instant reads an effective date.
func (t *Table) instant(s, path string, p *problems) (bool, int64) {
	if s == "" {
		return false, 0
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		p.broken = true // meta.format
		return false, 0
	}
	if tm.Before(minInstant) || tm.After(maxInstant) {
		p.add(path, "rule.value", "is outside the supported years 1678 to 2262")
		return false, 0
	}
	return true, tm.UnixNano()
}

// outputValue reads an output value or default of column c.
func (t *Table) outputValue(c Column, raw json.RawMessage, path string, p *problems) (value, bool) {
	v, err := decodeNumber(raw)
	if err != nil || !outputShape(v) {
		p.broken = true // the schema reports shapes
		return value{}, false
	}
	x, why := parseConst(c.Type, v, t.loc)
	if why != "" {
		p.add(path, "rule.value", "%s for %s output %q", why, c.Type, c.Key)
		return value{}, false
	}
	opts := optionSet(c.Options)
	check := func(s, at string) {
		if opts != nil && !opts[s] {
			p.add(at, "rule.option", "%q is not an option of output %q (%s)", s, c.Key, strings.Join(c.Options, ", "))
		}
	}
	switch c.Type {
	case TypeString:
		check(x.s, path)
	case TypeList:
		for i, s := range x.list {
			check(s, fmt.Sprintf("%s[%d]", path, i))
		}
	}
	return x, true
}

// scaleDecimals brings the decimal constants of each column to one
// exponent so evaluation compares and sums them as integers.
func (t *Table) scaleDecimals() {
	for ci := range t.inputs {
		if t.inputs[ci].Type != TypeDecimal {
			continue
		}
		var vals []*value
		for ri := range t.rows {
			for k := range t.rows[ri].conds {
				c := &t.rows[ri].conds[k]
				if c.col != ci {
					continue
				}
				vals = append(vals, &c.lo, &c.hi)
				for j := range c.in {
					vals = append(vals, &c.in[j])
				}
				for j := range c.out {
					vals = append(vals, &c.out[j])
				}
			}
		}
		t.inputs[ci].scale = applyScale(vals, inputScale)
	}
	for oi := range t.outputs {
		if t.outputs[oi].Type != TypeDecimal {
			continue
		}
		vals := []*value{&t.outputs[oi].def}
		for ri := range t.rows {
			vals = append(vals, &t.rows[ri].then[oi])
		}
		t.outputs[oi].scale = applyScale(vals, 0)
	}
}

// intern numbers the string constants of each string column, so cells
// compare an input with their constants as integers: the input is looked
// up once per evaluation (an unknown string gets -1, equal to no
// constant) instead of being compared byte by byte in every row.
func (t *Table) intern() {
	for ci := range t.inputs {
		if t.inputs[ci].Type != TypeString {
			continue
		}
		ids := map[string]int64{}
		id := func(v *value) {
			n, ok := ids[v.s]
			if !ok {
				n = int64(len(ids))
				ids[v.s] = n
			}
			v.n = n
		}
		for ri := range t.rows {
			for k := range t.rows[ri].conds {
				if c := &t.rows[ri].conds[k]; c.col == ci {
					for j := range c.in {
						id(&c.in[j])
					}
					for j := range c.out {
						id(&c.out[j])
					}
				}
			}
		}
		t.inputs[ci].ids = ids
	}
	for ri := range t.rows {
		r := &t.rows[ri]
		r.match = make([]matcher, len(r.conds))
		for k := range r.conds {
			r.conds[k].finish()
			r.match[k] = newMatcher(&r.conds[k])
		}
	}
}

// inputScale is the coarsest exponent of a decimal input column: thresholds
// are often whole yuan while amounts carry fen, and inputs finer than the
// column's scale take the slower decimal comparison. Four places keep
// amounts up to ±9.2e14 on the integer path.
const inputScale = -4

// applyScale scales every set value to the finest exponent among them, or
// exp if that is finer, and returns the exponent used.
func applyScale(vals []*value, exp int32) int32 {
	for _, v := range vals {
		if v.set && v.d.Exponent() < exp {
			exp = v.d.Exponent()
		}
	}
	for _, v := range vals {
		v.scaleTo(exp)
	}
	return exp
}

func optionSet(opts []string) map[string]bool {
	if len(opts) == 0 {
		return nil
	}
	m := make(map[string]bool, len(opts))
	for _, o := range opts {
		m[o] = true
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// keyPath renders one object key of a path the way meta does: ".key", or
// `["a.b"]` for keys that would be ambiguous.
func keyPath(k string) string {
	if k == "" || strings.ContainsAny(k, `.[]"' `) {
		b, _ := json.Marshal(k)
		return "[" + string(b) + "]"
	}
	return "." + k
}

// prefixed roots spec-relative paths at base ("spec").
func prefixed(fe []errs.FieldError, base string) []errs.FieldError {
	out := make([]errs.FieldError, len(fe))
	for i, f := range fe {
		f.Path = base + "." + f.Path
		out[i] = f
	}
	return out
}

// outputShape reports whether v has a shape the schema allows for an
// output value: a scalar, or an array of strings.
func outputShape(v any) bool {
	if arr, ok := v.([]any); ok {
		for _, it := range arr {
			if _, isStr := it.(string); !isStr {
				return false
			}
		}
		return true
	}
	return scalar(v)
}
