package report

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"

	"github.com/tangram/tangram/engine/query"
)

// ratOf reads a stored or aggregated number exactly; nil for null and for
// anything that is not a number.
func ratOf(v any) *big.Rat {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case int:
		s = fmt.Sprint(x)
	case int64:
		s = fmt.Sprint(x)
	case string:
		s = x
	default:
		return nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil
	}
	return r
}

// numberOf renders r as an exact JSON number when r is an integer, else
// rounded half away from zero (四舍五入) to decimals places; nil stays null.
func numberOf(r *big.Rat, decimals int) any {
	if r == nil {
		return nil
	}
	if r.IsInt() {
		return json.Number(r.Num().String())
	}
	return json.Number(roundText(r, decimals))
}

// roundText renders r with exactly decimals places, rounding half away
// from zero. big.Rat.FloatString rounds half away from zero already, as
// its documentation says ("the last digit is rounded to nearest, with
// halves rounded away from zero").
func roundText(r *big.Rat, decimals int) string {
	s := r.FloatString(decimals)
	if s == "-0" || (len(s) > 1 && s[0] == '-' && isZeroText(s[1:])) {
		s = s[1:]
	}
	return s
}

func isZeroText(s string) bool {
	for _, c := range s {
		if c != '0' && c != '.' {
			return false
		}
	}
	return true
}

// addNumbers adds two aggregated numbers exactly (re-aggregating sums and
// counts); null plus x is x.
func addNumbers(a, b any) any {
	// Counts and sums of fen are integers: add them as such (most of a
	// pivot's subtotal work), with big rationals only for decimals and
	// sums past int64.
	if x, ok := query.ToInt(a); ok {
		if y, ok := query.ToInt(b); ok {
			if s := x + y; (s > x) == (y > 0) {
				return json.Number(strconv.FormatInt(s, 10))
			}
		}
	}
	ra, rb := ratOf(a), ratOf(b)
	switch {
	case ra == nil && rb == nil:
		return a
	case ra == nil:
		return b
	case rb == nil:
		return a
	}
	return json.Number(exactText(new(big.Rat).Add(ra, rb)))
}

// exactText renders a rational with a finite decimal expansion (sums of
// decimals) exactly, with as few places as that takes; others to 18
// places.
func exactText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	for places := 1; places <= 30; places++ {
		s := r.FloatString(places)
		if back, ok := new(big.Rat).SetString(s); ok && back.Cmp(r) == 0 {
			return s
		}
	}
	return r.FloatString(18)
}

// extreme keeps the smaller (min) or larger (max) of two values of one
// kind: numbers numerically, text (dates, times) as text; null loses.
func extreme(a, b any, max bool) any {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	ra, rb := ratOf(a), ratOf(b)
	var c int
	if ra != nil && rb != nil {
		c = ra.Cmp(rb)
	} else {
		sa, sb := fmt.Sprint(a), fmt.Sprint(b)
		switch {
		case sa < sb:
			c = -1
		case sa > sb:
			c = 1
		}
	}
	if (max && c < 0) || (!max && c > 0) {
		return b
	}
	return a
}
