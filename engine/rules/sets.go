package rules

import (
	"slices"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// The analysis sees each cell as a set of column values and each row as a
// box, the product of its cells' sets (and of its effective-date range).
// Proving a row unreachable is then box arithmetic: subtract the earlier
// rows' boxes and see whether anything is left. Each column kind has its
// set type below; all are exact except the symbolic list set, which says
// when it is not, so the analysis never claims more than it proved.

// aset is a set of values of one dimension.
type aset interface {
	and(o aset) aset
	// minus returns the difference and whether it is exact; an inexact
	// difference is a superset of the true one.
	minus(o aset) (aset, bool)
	empty() bool
	// meets reports whether the intersection is not empty, without
	// building it: most pairs of rows are disjoint, and this is the test
	// that tells.
	meets(o aset) bool
}

// bound is one end of a span. A lower bound with inf is -∞, an upper one +∞.
type bound struct {
	inf  bool
	v    decimal.Decimal
	incl bool
}

type span struct{ lo, hi bound }

// ranges is a set of numbers (int, decimal, dates as day numbers,
// datetimes as nanoseconds): disjoint sorted spans plus, separately, the
// missing value. Discrete sets keep every span half-open, [lo, hi), so
// "≤ 999" and "≥ 1000" meet with no gap between them.
type ranges struct {
	spans    []span
	null     bool
	discrete bool
}

var half = decimal.New(5, -1)

func allRanges(discrete, null bool) *ranges {
	return &ranges{spans: []span{{bound{inf: true}, bound{inf: true}}}, null: null, discrete: discrete}
}

// with builds a set of r's kind from spans, normalized: discrete spans
// made half-open, empty ones dropped, overlapping and touching ones merged.
func (r *ranges) with(spans []span, null bool) *ranges {
	out := &ranges{null: null, discrete: r.discrete}
	for _, s := range spans {
		if r.discrete {
			if !s.lo.inf && !s.lo.incl {
				s.lo = bound{v: s.lo.v.Add(decimal.NewFromInt(1)), incl: true}
			}
			if !s.hi.inf && s.hi.incl {
				s.hi = bound{v: s.hi.v.Add(decimal.NewFromInt(1))}
			}
		}
		if !spanEmpty(s) {
			out.spans = append(out.spans, s)
		}
	}
	sort.Slice(out.spans, func(i, j int) bool { return loBefore(out.spans[i].lo, out.spans[j].lo) })
	merged := out.spans[:0]
	for _, s := range out.spans {
		if n := len(merged); n > 0 && meets(merged[n-1].hi, s.lo) {
			if hiBefore(merged[n-1].hi, s.hi) {
				merged[n-1].hi = s.hi
			}
			continue
		}
		merged = append(merged, s)
	}
	out.spans = merged
	return out
}

func spanEmpty(s span) bool {
	if s.lo.inf || s.hi.inf {
		return false
	}
	c := s.lo.v.Cmp(s.hi.v)
	return c > 0 || (c == 0 && !(s.lo.incl && s.hi.incl))
}

// loBefore orders lower bounds: which span starts first.
func loBefore(a, b bound) bool {
	if a.inf || b.inf {
		return a.inf && !b.inf
	}
	if c := a.v.Cmp(b.v); c != 0 {
		return c < 0
	}
	return a.incl && !b.incl
}

// hiBefore orders upper bounds: which span ends first.
func hiBefore(a, b bound) bool {
	if a.inf || b.inf {
		return b.inf && !a.inf
	}
	if c := a.v.Cmp(b.v); c != 0 {
		return c < 0
	}
	return !a.incl && b.incl
}

// meets reports whether a span ending at hi and one starting at lo (not
// before the first) overlap or touch, and so merge.
func meets(hi, lo bound) bool {
	if hi.inf || lo.inf {
		return true
	}
	c := lo.v.Cmp(hi.v)
	return c < 0 || (c == 0 && (lo.incl || hi.incl))
}

func (r *ranges) and(o aset) aset {
	b := o.(*ranges)
	var spans []span
	for _, x := range r.spans {
		for _, y := range b.spans {
			s := x
			if loBefore(s.lo, y.lo) {
				s.lo = y.lo
			}
			if hiBefore(y.hi, s.hi) {
				s.hi = y.hi
			}
			spans = append(spans, s)
		}
	}
	return r.with(spans, r.null && b.null)
}

func (r *ranges) complement() *ranges {
	var spans []span
	lo := bound{inf: true}
	for _, s := range r.spans {
		if !s.lo.inf {
			spans = append(spans, span{lo, bound{v: s.lo.v, incl: !s.lo.incl}})
		}
		if s.hi.inf {
			return r.with(spans, !r.null)
		}
		lo = bound{v: s.hi.v, incl: !s.hi.incl}
	}
	return r.with(append(spans, span{lo, bound{inf: true}}), !r.null)
}

func (r *ranges) minus(o aset) (aset, bool) { return r.and(o.(*ranges).complement()), true }

func (r *ranges) empty() bool { return len(r.spans) == 0 && !r.null }

func (r *ranges) meets(o aset) bool {
	b := o.(*ranges)
	if r.null && b.null {
		return true
	}
	for i, j := 0, 0; i < len(r.spans) && j < len(b.spans); {
		x, y := r.spans[i], b.spans[j]
		s := x
		if loBefore(s.lo, y.lo) {
			s.lo = y.lo
		}
		if hiBefore(y.hi, s.hi) {
			s.hi = y.hi
		}
		if !spanEmpty(s) {
			return true
		}
		if hiBefore(x.hi, y.hi) {
			i++
		} else {
			j++
		}
	}
	return false
}

// union joins two sets of one column (the gap analysis).
func (r *ranges) union(o *ranges) *ranges {
	return r.with(append(slices.Clone(r.spans), o.spans...), r.null || o.null)
}

// sample picks a member: the lowest reachable number of the first span, or
// nothing when only the missing value is left.
func (r *ranges) sample() (decimal.Decimal, bool) {
	if len(r.spans) == 0 {
		return decimal.Decimal{}, false
	}
	s := r.spans[0]
	switch {
	case !s.lo.inf && s.lo.incl:
		return s.lo.v, true
	case !s.lo.inf && !s.hi.inf:
		return s.lo.v.Add(s.hi.v).Mul(half), true
	case !s.lo.inf:
		return s.lo.v.Add(decimal.NewFromInt(1)), true
	case !s.hi.inf && s.hi.incl:
		return s.hi.v, true
	case !s.hi.inf:
		return s.hi.v.Sub(decimal.NewFromInt(1)), true
	}
	return decimal.Zero, true
}

// strs is a set of strings: finite (vals), or everything but vals (co),
// plus the missing value. With a finite universe (options, booleans) it is
// always kept finite, so complements stay exact.
type strs struct {
	co       bool
	vals     map[string]bool
	null     bool
	universe []string
}

func (s *strs) make(co bool, vals map[string]bool, null bool) *strs {
	out := &strs{co: co, vals: vals, null: null, universe: s.universe}
	if co && s.universe != nil {
		fin := map[string]bool{}
		for _, u := range s.universe {
			if !vals[u] {
				fin[u] = true
			}
		}
		out.co, out.vals = false, fin
	}
	return out
}

func (s *strs) and(o aset) aset {
	b := o.(*strs)
	vals := map[string]bool{}
	switch {
	case !s.co && !b.co:
		for v := range s.vals {
			if b.vals[v] {
				vals[v] = true
			}
		}
	case !s.co || !b.co:
		fin, co := s, b
		if s.co {
			fin, co = b, s
		}
		for v := range fin.vals {
			if !co.vals[v] {
				vals[v] = true
			}
		}
		return s.make(false, vals, s.null && b.null)
	default:
		for v := range s.vals {
			vals[v] = true
		}
		for v := range b.vals {
			vals[v] = true
		}
		return s.make(true, vals, s.null && b.null)
	}
	return s.make(false, vals, s.null && b.null)
}

func (s *strs) minus(o aset) (aset, bool) {
	b := o.(*strs)
	return s.and(s.make(!b.co, b.vals, !b.null)), true
}

func (s *strs) empty() bool { return !s.co && len(s.vals) == 0 && !s.null }

func (s *strs) meets(o aset) bool {
	b := o.(*strs)
	switch {
	case s.null && b.null:
		return true
	case s.co && b.co:
		return true // an infinite universe has strings outside both lists
	case s.co:
		s, b = b, s
	}
	for v := range s.vals {
		if b.co != b.vals[v] {
			return true
		}
	}
	return false
}

// sample describes a member for messages.
func (s *strs) sample(quote func(string) string) string {
	switch {
	case !s.co && len(s.vals) > 0:
		vals := sortedKeys(s.vals)
		return quote(vals[0])
	case s.co && len(s.vals) == 0:
		return "any value"
	case s.co:
		vals := sortedKeys(s.vals)
		for i := range vals {
			vals[i] = quote(vals[i])
		}
		return "any value but " + strings.Join(vals, ", ")
	}
	return "(missing)"
}
