package rules

import (
	"hash/fnv"
	"math"
)

// hint is a cheap outline of one dimension of a row's box, to discard the
// many pairs of rows that cannot meet before the exact set arithmetic
// runs: the float hull of a number set (rounded outward, so it only ever
// contains more), or a 64-bit mask of hashed strings. A pair of hints that
// do not meet proves the boxes disjoint; one that does proves nothing.
type hint struct {
	kind   hintKind
	null   bool
	lo, hi float64
	mask   uint64
}

type hintKind uint8

const (
	hintNone  hintKind = iota // no outline: always "may meet"
	hintRange                 // lo..hi
	hintMask                  // mask
)

func hintOf(set aset) hint {
	switch s := set.(type) {
	case *ranges:
		h := hint{kind: hintRange, null: s.null, lo: math.Inf(1), hi: math.Inf(-1)}
		if n := len(s.spans); n > 0 {
			h.lo, h.hi = outward(s.spans[0].lo, -1), outward(s.spans[n-1].hi, 1)
		}
		return h
	case *strs:
		h := hint{kind: hintMask, null: s.null}
		if s.co {
			h.mask = math.MaxUint64
			return h
		}
		for v := range s.vals {
			f := fnv.New64a()
			_, _ = f.Write([]byte(v))
			h.mask |= 1 << (f.Sum64() % 64)
		}
		return h
	}
	return hint{}
}

// outward converts a bound to a float64 one step beyond it, in direction
// dir, so rounding never shrinks the hull.
func outward(b bound, dir float64) float64 {
	if b.inf {
		return math.Inf(int(dir))
	}
	return math.Nextafter(b.v.InexactFloat64(), math.Inf(int(dir)))
}

// hintsMeet is false only when the boxes are certainly disjoint.
func hintsMeet(x, y []hint) bool {
	for k := range x {
		a, b := &x[k], &y[k]
		if a.null && b.null {
			continue
		}
		switch a.kind {
		case hintRange:
			if a.hi < b.lo || b.hi < a.lo {
				return false
			}
		case hintMask:
			if a.mask&b.mask == 0 {
				return false
			}
		}
	}
	return true
}
