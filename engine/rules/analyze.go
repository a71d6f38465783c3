package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// Report is what the builder shows about a table: Errors block saving
// (they are what a save answers with), Warnings do not. Paths are rooted at
// the definition, as a save reports them: "spec.rows[2].when.tier".
type Report struct {
	Errors   []errs.FieldError `json:"errors"`
	Warnings []errs.FieldError `json:"warnings"`
}

func init() { meta.AddCheck(meta.KindRule, check) }

// check is the save-time check of kind "rule": typed cells and outputs,
// then the reachability analysis. Problems the meta-schema and meta's own
// rule check report (unknown columns, duplicate keys, shapes) are left to
// them; the analysis only runs on a table that compiled cleanly.
func check(spec json.RawMessage) []errs.FieldError {
	t, p := compile(spec)
	if p.broken || len(p.list) > 0 {
		return p.list
	}
	a := newAnalyzer(t)
	a.run()
	return a.errors
}

// Analyze returns every problem a save would report, plus the warnings:
// coverage gaps, priorities a non-priority table ignores, and tables too
// large to analyze completely.
func Analyze(spec json.RawMessage) Report {
	r := Report{Errors: []errs.FieldError{}, Warnings: []errs.FieldError{}}
	if err := meta.Validate(meta.Definition{Kind: meta.KindRule, App: "rules", Key: "analyze", Spec: spec}); err != nil {
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 {
			r.Errors = e.Fields
		} else {
			r.Errors = []errs.FieldError{{Path: "spec", Code: "meta.invalid", Message: err.Error()}}
		}
	}
	t, p := compile(spec)
	if p.broken || len(p.list) > 0 {
		return r
	}
	a := newAnalyzer(t)
	a.run()
	a.gaps()
	a.ignoredPriorities()
	if a.incomplete {
		a.warn("rows", "rule.analysis_incomplete", "the table is too large to analyze completely: rows[%d] and later were not checked for being unreachable or ambiguous", a.stoppedAt)
	}
	r.Warnings = prefixed(a.warnings, "spec")
	return r
}

// Limits on the analysis of one table, so a save stays fast (a few hundred
// milliseconds at worst): the work counts exact box comparisons and the
// pieces box subtractions produce. Tables of disjoint rows, the usual
// kind, are decided by the hints and barely use it.
const (
	maxWork   = 250_000
	maxPieces = 4096
)

// analyzer holds a table as boxes: per row, one set per input column and a
// last one for the effective dates.
type analyzer struct {
	t          *Table
	univ       []aset
	elems      [][]string // list columns: the strings their cells mention
	boxes      [][]aset
	hints      [][]hint // outlines of the boxes, see hint
	void       []bool   // the row matches nothing
	unused     []bool   // the row is shadowed
	outKey     []string
	work       int
	incomplete bool
	stoppedAt  int
	errors     []errs.FieldError
	warnings   []errs.FieldError
}

func newAnalyzer(t *Table) *analyzer {
	a := &analyzer{t: t, work: maxWork, elems: make([][]string, len(t.inputs))}
	for ci, c := range t.inputs {
		a.univ = append(a.univ, a.universe(ci, c))
	}
	a.univ = append(a.univ, allRanges(true, false))
	for ri := range t.rows {
		b := a.box(&t.rows[ri])
		h := make([]hint, len(b))
		for k := range b {
			h[k] = hintOf(b[k])
		}
		a.boxes, a.hints = append(a.boxes, b), append(a.hints, h)
		a.outKey = append(a.outKey, a.outputsKey(&t.rows[ri]))
	}
	a.stoppedAt = len(t.rows)
	a.void = make([]bool, len(t.rows))
	a.unused = make([]bool, len(t.rows))
	return a
}

func (a *analyzer) universe(ci int, c inputCol) aset {
	null := !c.Required
	switch {
	case ordered(c.Type):
		return allRanges(c.Type != TypeDecimal, null)
	case c.Type == TypeBool:
		return (&strs{universe: []string{"false", "true"}}).make(true, nil, null)
	case c.Type == TypeString:
		return (&strs{universe: c.Options}).make(true, nil, null)
	}
	seen := map[string]bool{}
	for ri := range a.t.rows {
		for _, cd := range a.t.rows[ri].conds {
			if cd.col != ci {
				continue
			}
			for _, s := range slices.Concat(cd.all, cd.none, slices.Concat(cd.anyOf...)) {
				seen[s] = true
			}
		}
	}
	a.elems[ci] = sortedKeys(seen)
	if len(a.elems[ci]) <= maxListBits {
		return newListBits(a.elems[ci], func(int) bool { return true })
	}
	return &listSym{}
}

// box is the row's region: its cells' sets, the universe elsewhere.
func (a *analyzer) box(r *row) []aset {
	b := slices.Clone(a.univ)
	for k := range r.conds {
		c := &r.conds[k]
		b[c.col] = a.cellSet(c)
	}
	if r.hasFrom || r.hasTo {
		s := span{lo: bound{inf: true}, hi: bound{inf: true}}
		if r.hasFrom {
			s.lo = bound{v: decimal.NewFromInt(r.from), incl: true}
		}
		if r.hasTo {
			s.hi = bound{v: decimal.NewFromInt(r.to)}
		}
		b[len(b)-1] = a.univ[len(b)-1].(*ranges).with([]span{s}, false)
	}
	return b
}

// cellSet is the set of values a cell accepts, as the evaluation decides
// it (see cond.match).
func (a *analyzer) cellSet(c *cond) aset {
	u := a.univ[c.col]
	switch {
	case ordered(c.typ):
		r := u.(*ranges)
		set := aset(r)
		if c.isRange() {
			s := span{lo: bound{inf: true}, hi: bound{inf: true}}
			if c.hasLo {
				s.lo = bound{v: number(c.typ, &c.lo), incl: c.loIncl}
			}
			if c.hasHi {
				s.hi = bound{v: number(c.typ, &c.hi), incl: c.hiIncl}
			}
			set = set.and(r.with([]span{s}, false))
		}
		points := func(vals []value) *ranges {
			var spans []span
			for i := range vals {
				n := number(c.typ, &vals[i])
				spans = append(spans, span{bound{v: n, incl: true}, bound{v: n, incl: true}})
			}
			return r.with(spans, false)
		}
		if c.hasIn {
			set = set.and(points(c.in))
		}
		if len(c.out) > 0 {
			set, _ = set.minus(points(c.out))
		}
		return set
	case c.typ == TypeList:
		if l, ok := u.(*listBits); ok {
			return newListBits(l.elems, listClassMember(l.elems, c))
		}
		return &listSym{all: c.all, none: c.none, anyOf: c.anyOf}
	}
	s := u.(*strs)
	text := func(vals []value) map[string]bool {
		m := map[string]bool{}
		for i := range vals {
			m[stringOf(c.typ, &vals[i])] = true
		}
		return m
	}
	set := aset(s)
	if c.hasIn {
		set = set.and(s.make(false, text(c.in), false))
	}
	if len(c.out) > 0 {
		set, _ = set.minus(s.make(false, text(c.out), false))
	}
	return set
}

// number is an ordered value on the analysis number line.
func number(t Type, v *value) decimal.Decimal {
	if t == TypeDecimal {
		return v.d
	}
	return decimal.NewFromInt(v.n)
}

// stringOf is a string or bool value as the analysis names it.
func stringOf(t Type, v *value) string {
	if t == TypeBool {
		return strconv.FormatBool(v.n == 1)
	}
	return v.s
}

// outputsKey renders what a row outputs, defaults filled in, so rows can
// be compared.
func (a *analyzer) outputsKey(r *row) string {
	b, _ := json.Marshal(a.t.outputsOf(r))
	return string(b)
}

// run finds rows that match nothing, rows that are never used under first
// and priority, and ambiguous priorities.
func (a *analyzer) run() {
	for ri := range a.boxes {
		a.checkVoid(ri)
	}
	if a.t.policy != First && a.t.policy != Priority {
		return
	}
	for j := range a.boxes {
		if a.void[j] {
			continue
		}
		if a.work <= 0 {
			a.incomplete, a.stoppedAt = true, min(a.stoppedAt, j)
			break
		}
		if by, ok := a.covered(j, a.before(j)); ok {
			a.unused[j] = true
			rows := make([]string, len(by))
			for k, i := range by {
				rows[k] = fmt.Sprintf("rows[%d]", i)
			}
			verb, why := "match", "come first"
			if a.t.policy == Priority {
				why = "take precedence (higher priority, or the same priority earlier in the table)"
			}
			if len(rows) == 1 {
				verb, why = "matches", strings.Replace(strings.Replace(why, "come ", "comes ", 1), "take ", "takes ", 1)
			}
			a.fail(fmt.Sprintf("rows[%d]", j), "rule.unreachable", "is never used: %s %s every input it matches and %s; remove it or move it up",
				strings.Join(rows, ", "), verb, why)
		}
	}
	if a.t.policy == Priority {
		a.overlaps()
	}
}

func (a *analyzer) checkVoid(ri int) {
	b := a.boxes[ri]
	for k, set := range b {
		if !set.empty() {
			continue
		}
		a.void[ri] = true
		if k == len(b)-1 {
			a.fail(fmt.Sprintf("rows[%d].validTo", ri), "rule.never", "must be after validFrom: the row is never in effect")
		} else {
			a.fail(fmt.Sprintf("rows[%d].when%s", ri, keyPath(a.t.inputs[k].Key)), "rule.never", "accepts no value: its conditions contradict each other, so the row never matches")
		}
	}
}

// before lists the rows that win over row j when both match.
func (a *analyzer) before(j int) []int {
	var out []int
	pj := a.t.rows[j].priority
	for i := range a.t.rows {
		pi := a.t.rows[i].priority
		if (a.t.policy == First && i < j) || (a.t.policy == Priority && (pi > pj || (pi == pj && i < j))) {
			out = append(out, i)
		}
	}
	return out
}

// covered reports whether the rows in by together match every input row j
// matches, and which of them it takes.
func (a *analyzer) covered(j int, by []int) ([]int, bool) {
	rem := [][]aset{a.boxes[j]}
	var used []int
	for _, i := range by {
		// Every piece lies in row j's box, so a row that misses the box
		// misses them all: the common case, decided without splitting.
		if a.void[i] || !hintsMeet(a.hints[j], a.hints[i]) {
			continue
		}
		a.work--
		if !boxesMeet(a.boxes[j], a.boxes[i]) {
			continue
		}
		var next [][]aset
		hit := false
		for _, p := range rem {
			a.work--
			if !boxesMeet(p, a.boxes[i]) {
				next = append(next, p)
				continue
			}
			hit = true
			pieces := subtract(p, a.boxes[i], a.univ)
			next = append(next, pieces...)
			a.work -= 1 + len(pieces)
		}
		if hit {
			used = append(used, i)
		}
		rem = next
		if len(rem) == 0 {
			return used, true
		}
		if len(rem) > maxPieces || a.work <= 0 {
			a.incomplete, a.stoppedAt = true, min(a.stoppedAt, j)
			return nil, false
		}
	}
	return nil, false
}

// overlaps reports rows of a priority table that can match the same input
// as an earlier row of the same priority with other outputs: the order
// would decide silently, which is what priorities are there to avoid.
func (a *analyzer) overlaps() {
	for j := range a.boxes {
		if a.void[j] || a.unused[j] {
			continue
		}
		if a.work <= 0 {
			a.incomplete, a.stoppedAt = true, min(a.stoppedAt, j)
			return
		}
		for i := 0; i < j; i++ {
			if a.void[i] || a.unused[i] || a.t.rows[i].priority != a.t.rows[j].priority || a.outKey[i] == a.outKey[j] ||
				!hintsMeet(a.hints[i], a.hints[j]) {
				continue
			}
			a.work--
			if !boxesMeet(a.boxes[i], a.boxes[j]) {
				continue
			}
			both, _ := intersect2(a.boxes[i], a.boxes[j])
			a.fail(fmt.Sprintf("rows[%d]", j), "rule.overlap",
				"can match the same inputs as rows[%d] (for example %s) with the same priority %d but other outputs; give one of them a higher priority or narrow its cells",
				i, a.example(both, i, j), a.t.rows[j].priority)
			break
		}
	}
}

// example describes one input in a box, naming the columns the rows
// constrain.
func (a *analyzer) example(b []aset, rows ...int) string {
	constrained := map[int]bool{}
	for _, ri := range rows {
		for _, c := range a.t.rows[ri].conds {
			constrained[c.col] = true
		}
		if r := a.t.rows[ri]; r.hasFrom || r.hasTo {
			constrained[len(a.univ)-1] = true
		}
	}
	var parts []string
	for k := range a.univ {
		if !constrained[k] {
			continue
		}
		if k == len(a.univ)-1 {
			if n, ok := b[k].(*ranges).sample(); ok {
				parts = append(parts, "at "+time.Unix(0, n.IntPart()).In(a.t.loc).Format(time.RFC3339))
			}
			continue
		}
		parts = append(parts, a.t.inputs[k].Key+"="+a.sample(k, b[k]))
	}
	if len(parts) == 0 {
		return "any input"
	}
	return strings.Join(parts, ", ")
}

func (a *analyzer) sample(k int, set aset) string {
	typ := a.t.inputs[k].Type
	switch s := set.(type) {
	case *ranges:
		n, ok := s.sample()
		if !ok {
			return "(missing)"
		}
		return a.formatNumber(typ, n)
	case *strs:
		if typ == TypeBool {
			return s.sample(func(v string) string { return v })
		}
		return s.sample(strconv.Quote)
	case *listBits:
		return s.sample()
	case *listSym:
		return s.sample()
	}
	return "?"
}

// formatNumber renders a point of an ordered column's number line.
func (a *analyzer) formatNumber(t Type, n decimal.Decimal) string {
	switch t {
	case TypeDate:
		return formatDay(n.IntPart())
	case TypeDatetime:
		return time.Unix(0, n.IntPart()).In(a.t.loc).Format(time.RFC3339Nano)
	}
	return n.String()
}

func (a *analyzer) ignoredPriorities() {
	if a.t.policy == Priority {
		return
	}
	for ri := range a.t.rows {
		if a.t.rows[ri].priority != 0 {
			a.warn(fmt.Sprintf("rows[%d].priority", ri), "rule.priority_ignored", "is ignored: the hit policy is %s, not priority", a.t.policy)
		}
	}
}

func (a *analyzer) fail(path, code, format string, args ...any) {
	a.errors = append(a.errors, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (a *analyzer) warn(path, code, format string, args ...any) {
	a.warnings = append(a.warnings, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// boxesMeet reports whether two boxes share a point.
func boxesMeet(x, y []aset) bool {
	for k := range x {
		if !x[k].meets(y[k]) {
			return false
		}
	}
	return true
}

// intersect2 is the intersection of two boxes, and whether it is not empty.
func intersect2(x, y []aset) ([]aset, bool) {
	out := make([]aset, len(x))
	for k := range x {
		out[k] = x[k].and(y[k])
		if out[k].empty() {
			return nil, false
		}
	}
	return out, true
}

// subtract splits x \ y into disjoint boxes: along each dimension k in
// turn, the part of x outside y there (with the dimensions before k
// narrowed to y). Dimensions where y is the universe (a row's blank cells)
// cut nothing and are skipped. An inexact difference ends the split with a
// box that over-covers, so what is left is never underestimated.
func subtract(x, y, univ []aset) [][]aset {
	var pieces [][]aset
	cur := slices.Clone(x)
	for k := range x {
		if y[k] == univ[k] {
			continue
		}
		diff, exact := cur[k].minus(y[k])
		if !exact {
			return append(pieces, cur)
		}
		if !diff.empty() {
			p := slices.Clone(cur)
			p[k] = diff
			pieces = append(pieces, p)
		}
		cur[k] = cur[k].and(y[k])
	}
	return pieces
}
