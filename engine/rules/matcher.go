package rules

import "math"

// matcher is the evaluation form of a cell, built once per compiled table.
// cond keeps everything the analysis and the slow paths need; a matcher
// keeps only what the common cases touch, in a few dozen bytes, so a
// 50-row table's cells stay in the CPU cache: int, date, datetime, bool,
// interned string and scaled decimal cells become closed ranges and sets of
// int64. Cells that cannot (lists, decimals whose constants do not scale)
// defer to their cond.
type matcher struct {
	col      int32
	kind     matchKind
	positive bool // the cell needs a value: a missing input fails it
	lo, hi   int64
	in, out  []int64 // nil: no set; in may be empty (matches nothing)
	inSet    map[int64]struct{}
	outSet   map[int64]struct{}
	cond     *cond
}

type matchKind uint8

const (
	matchInts    matchKind = iota // every operand is an int64 on one scale
	matchDecimal                  // like matchInts for scaled inputs
	matchCond                     // cond.match
)

func newMatcher(c *cond) matcher {
	m := matcher{col: int32(c.col), kind: matchInts, positive: c.hasIn || c.isRange(), lo: math.MinInt64, hi: math.MaxInt64, cond: c}
	switch c.typ {
	case TypeList:
		m.kind = matchCond
		return m
	case TypeDecimal:
		m.kind = matchDecimal
		if !allScaled(c) {
			m.kind = matchCond
			return m
		}
	}
	// On one integer scale "> a" is ">= a+1" and "< b" is "<= b-1", so
	// every range is closed; a bound past the int64 range matches nothing.
	if c.hasLo {
		m.lo = c.lo.n
		if !c.loIncl {
			if m.lo == math.MaxInt64 {
				m.lo, m.hi = 1, 0
			} else {
				m.lo++
			}
		}
	}
	if c.hasHi {
		hi := c.hi.n
		if !c.hiIncl {
			if hi == math.MinInt64 {
				m.lo, hi = 1, 0
			} else {
				hi--
			}
		}
		m.hi = min(m.hi, hi)
	}
	if c.hasIn {
		m.in = make([]int64, len(c.in))
		for i := range c.in {
			m.in[i] = c.in[i].n
		}
	}
	for i := range c.out {
		m.out = append(m.out, c.out[i].n)
	}
	m.inSet, m.outSet = c.inSet, c.outSet
	return m
}

func allScaled(c *cond) bool {
	ok := (!c.hasLo || c.lo.scaled) && (!c.hasHi || c.hi.scaled)
	for i := range c.in {
		ok = ok && c.in[i].scaled
	}
	for i := range c.out {
		ok = ok && c.out[i].scaled
	}
	return ok
}

// match reports whether the cell accepts v, as cond.match does.
func (m *matcher) match(v *value) bool {
	switch {
	case m.kind == matchCond || (m.kind == matchDecimal && v.set && !v.scaled):
		return m.cond.match(v)
	case !v.set:
		return !m.positive
	}
	n := v.n
	if n < m.lo || n > m.hi {
		return false
	}
	if m.in != nil && !has(m.in, m.inSet, n) {
		return false
	}
	return m.out == nil || !has(m.out, m.outSet, n)
}

func has(list []int64, set map[int64]struct{}, n int64) bool {
	if set != nil {
		_, ok := set[n]
		return ok
	}
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
