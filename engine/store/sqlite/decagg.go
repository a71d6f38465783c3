package sqlite

import (
	"math/big"
	"strings"
)

// decSum is the exact running sum behind tangram_decsum: SQL's sum() adds
// float64s (0.1 + 0.2 = 0.30000000000000004), and money must never pass
// through a float. The value is mant / 10^scale; non-numbers (text,
// booleans, null) are skipped, like MongoDB's $sum.
type decSum struct {
	mant  big.Int
	scale int
	tmp   big.Int
}

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// add adds one SQL value; it reports false for non-numbers.
func (s *decSum) add(v any) bool {
	d, ok := decOf(v)
	if !ok {
		return false
	}
	// The value as an integer at the scale it was written with: digits
	// times 10^(scale - fraction digits that are significant).
	scale := d.scale
	m := &s.tmp
	if d.digits == "" {
		m.SetInt64(0)
	} else {
		m.SetString(d.digits, 10)
		if d.neg {
			m.Neg(m)
		}
		if shift := scale - (len(d.digits) - d.exp); shift > 0 {
			m.Mul(m, pow10(shift))
		}
	}
	switch {
	case scale > s.scale:
		s.mant.Mul(&s.mant, pow10(scale-s.scale))
		s.scale = scale
	case scale < s.scale:
		m.Mul(m, pow10(s.scale-scale))
	}
	s.mant.Add(&s.mant, m)
	return true
}

// text renders the sum with the largest scale seen, so "10.50" + "0.1"
// is "10.60": exact, and as precise as the inputs.
func (s *decSum) text() string {
	t := s.mant.String()
	if s.scale == 0 {
		return t
	}
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	if len(t) <= s.scale {
		t = strings.Repeat("0", s.scale-len(t)+1) + t
	}
	t = t[:len(t)-s.scale] + "." + t[len(t)-s.scale:]
	if neg {
		t = "-" + t
	}
	return t
}

// decExtreme is the running min or max behind tangram_decmin/decmax. It
// returns the winning value's own text ("10.50" stays "10.50").
type decExtreme struct {
	max  bool
	best dec
	text string
	any  bool
}

func (e *decExtreme) add(v any) {
	d, ok := decOf(v)
	if !ok {
		return
	}
	if c := cmpDec(d, e.best); !e.any || (e.max && c > 0) || (!e.max && c < 0) {
		e.best, e.any = d, true
		switch x := v.(type) {
		case string:
			e.text = strings.Clone(x)
		case []byte:
			e.text = string(x)
		default:
			e.text = d.norm()
		}
	}
}

// result is the text, or nil (SQL NULL) when no number was seen.
func (e *decExtreme) result() any {
	if !e.any {
		return nil
	}
	return e.text
}
