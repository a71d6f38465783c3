package rules

import (
	"math/bits"
	"slices"
	"strings"
)

// A list cell only asks which of the strings the column's cells mention a
// list holds, so lists fall into 2^k classes for k mentioned strings. Up to
// maxListBits strings the analysis keeps a bitset over those classes and is
// exact; beyond, it keeps the cell's constraints symbolically, which
// decides overlaps exactly but subtraction only in easy cases.
const maxListBits = 12

// listBits is a set of list classes: class c holds element i when bit i of
// c is set; the set holds class c when bit c of words is set.
type listBits struct {
	elems []string
	words []uint64
}

func newListBits(elems []string, member func(class int) bool) *listBits {
	n := 1 << len(elems)
	l := &listBits{elems: elems, words: make([]uint64, (n+63)/64)}
	for c := range n {
		if member(c) {
			l.words[c/64] |= 1 << (c % 64)
		}
	}
	return l
}

// listClassMember reports whether class c satisfies a cell.
func listClassMember(elems []string, c *cond) func(int) bool {
	idx := func(s string) int { return slices.Index(elems, s) }
	has := func(class int, s string) bool { return class&(1<<idx(s)) != 0 }
	return func(class int) bool {
		for _, s := range c.all {
			if !has(class, s) {
				return false
			}
		}
		for _, s := range c.none {
			if has(class, s) {
				return false
			}
		}
		for _, g := range c.anyOf {
			if !slices.ContainsFunc(g, func(s string) bool { return has(class, s) }) {
				return false
			}
		}
		return true
	}
}

func (l *listBits) and(o aset) aset {
	b := o.(*listBits)
	out := &listBits{elems: l.elems, words: make([]uint64, len(l.words))}
	for i := range out.words {
		out.words[i] = l.words[i] & b.words[i]
	}
	return out
}

func (l *listBits) minus(o aset) (aset, bool) {
	b := o.(*listBits)
	out := &listBits{elems: l.elems, words: make([]uint64, len(l.words))}
	for i := range out.words {
		out.words[i] = l.words[i] &^ b.words[i]
	}
	return out, true
}

func (l *listBits) empty() bool {
	for _, w := range l.words {
		if w != 0 {
			return false
		}
	}
	return true
}

func (l *listBits) meets(o aset) bool {
	b := o.(*listBits)
	for i := range l.words {
		if l.words[i]&b.words[i] != 0 {
			return true
		}
	}
	return false
}

// sample lists the elements of the smallest class in the set.
func (l *listBits) sample() string {
	for i, w := range l.words {
		if w != 0 {
			c := i*64 + bits.TrailingZeros64(w)
			var in []string
			for e, s := range l.elems {
				if c&(1<<e) != 0 {
					in = append(in, s)
				}
			}
			return "[" + strings.Join(in, ", ") + "]"
		}
	}
	return "[]"
}

// listSym is a list cell kept as constraints: every element of all, none of
// none, at least one of each anyOf group. void is the empty set.
type listSym struct {
	all, none []string
	anyOf     [][]string
	void      bool
}

func (l *listSym) and(o aset) aset {
	b := o.(*listSym)
	return &listSym{
		all:   append(slices.Clone(l.all), b.all...),
		none:  append(slices.Clone(l.none), b.none...),
		anyOf: append(slices.Clone(l.anyOf), b.anyOf...),
		void:  l.void || b.void,
	}
}

// empty is exact: the list all ∪ {an element outside none from each group}
// satisfies every constraint unless all meets none or a group lies in none.
func (l *listSym) empty() bool {
	if l.void {
		return true
	}
	for _, s := range l.all {
		if slices.Contains(l.none, s) {
			return true
		}
	}
	for _, g := range l.anyOf {
		if !slices.ContainsFunc(g, func(s string) bool { return !slices.Contains(l.none, s) }) {
			return true
		}
	}
	return false
}

func (l *listSym) meets(o aset) bool { return !l.and(o).empty() }

// minus is exact when the sets are disjoint or l lies inside o; otherwise
// it answers l itself, a superset of the difference.
func (l *listSym) minus(o aset) (aset, bool) {
	b := o.(*listSym)
	if l.and(b).empty() {
		return l, true
	}
	if l.within(b) {
		return &listSym{void: true}, true
	}
	return l, false
}

// within reports (sufficiently, not necessarily) whether every list in l is
// in o: each of o's constraints is implied by one of l's.
func (l *listSym) within(o *listSym) bool {
	for _, s := range o.all {
		if !slices.Contains(l.all, s) {
			return false
		}
	}
	for _, s := range o.none {
		if !slices.Contains(l.none, s) {
			return false
		}
	}
	for _, g := range o.anyOf {
		implied := slices.ContainsFunc(l.all, func(s string) bool { return slices.Contains(g, s) }) ||
			slices.ContainsFunc(l.anyOf, func(h []string) bool {
				return !slices.ContainsFunc(h, func(s string) bool { return !slices.Contains(g, s) })
			})
		if !implied {
			return false
		}
	}
	return true
}

func (l *listSym) sample() string {
	in := slices.Clone(l.all)
	for _, g := range l.anyOf {
		for _, s := range g {
			if !slices.Contains(l.none, s) {
				if !slices.Contains(in, s) {
					in = append(in, s)
				}
				break
			}
		}
	}
	return "[" + strings.Join(in, ", ") + "]"
}
