package script

import (
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/shopspring/decimal"
)

// Rounding works on the decimal the user typed, not on the binary float: 1.005
// is stored as 1.00499999999999989..., and Excel users expect ROUND(1.005, 2)
// to be 1.01. The shortest decimal that round-trips a float64 (what
// strconv and decimal.NewFromFloat produce) is that typed decimal, so the
// slow path rounds it with shopspring/decimal, half away from zero. The fast
// path avoids the big-number arithmetic whenever the scaled value is not
// within a hair of a .5 tie, where binary and decimal rounding cannot
// disagree.

// maxPlaces bounds the decimals argument; float64 holds 17 significant
// digits at most, so larger counts change nothing.
const maxPlaces = 20

// roundMode is how a decimal is brought to a number of places.
type roundMode int

const (
	halfAway roundMode = iota
	down               // toward -Inf
	up                 // toward +Inf
)

var pow10tab = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// roundPlaces rounds x to places decimals (negative places round to tens,
// hundreds, ...).
func roundPlaces(x float64, places int, mode roundMode) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	places = max(-maxPlaces, min(places, maxPlaces))
	if places >= 0 && x == math.Trunc(x) {
		return x
	}
	if places >= 0 && places < len(pow10tab) {
		p := pow10tab[places]
		scaled := x * p
		if math.Abs(scaled) < 1e9 {
			fl := math.Floor(scaled)
			frac := scaled - fl
			switch mode {
			case halfAway:
				if math.Abs(frac-0.5) > 1e-6 {
					return math.Round(scaled) / p
				}
			case down:
				if frac > 1e-6 && frac < 1-1e-6 {
					return fl / p
				}
			case up:
				if frac > 1e-6 && frac < 1-1e-6 {
					return (fl + 1) / p
				}
			}
		}
	}
	return roundDecimal(decimal.NewFromFloat(x), places, mode).InexactFloat64()
}

func roundDecimal(d decimal.Decimal, places int, mode roundMode) decimal.Decimal {
	switch mode {
	case down:
		return d.RoundFloor(int32(places))
	case up:
		return d.RoundCeil(int32(places))
	default:
		return d.Round(int32(places)) // shopspring: half away from zero
	}
}

// places reads an optional decimals argument (default 0).
func places(c goja.FunctionCall, i int) int {
	a := c.Argument(i)
	if goja.IsUndefined(a) || goja.IsNull(a) {
		return 0
	}
	return int(max(-maxPlaces, min(a.ToInteger(), maxPlaces)))
}

// ROUND(x, n=0): half away from zero on the decimal value.
func (st *std) round(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(roundPlaces(c.Argument(0).ToFloat(), places(c, 1), halfAway))
}

// FLOOR(x, n=0): toward -Infinity at n decimals (Excel's significance
// argument is replaced by a decimals count, the same as ROUND's).
func (st *std) floor(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(roundPlaces(c.Argument(0).ToFloat(), places(c, 1), down))
}

// CEIL(x, n=0): toward +Infinity at n decimals.
func (st *std) ceil(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(roundPlaces(c.Argument(0).ToFloat(), places(c, 1), up))
}

func (st *std) abs(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(math.Abs(c.Argument(0).ToFloat()))
}

// numbers collects the numeric arguments, flattening arrays one level and
// skipping blanks and anything that is not a number, like an Excel range.
func (st *std) numbers(c goja.FunctionCall, fn func(float64)) {
	for _, a := range c.Arguments {
		st.eachItem(a, func(v goja.Value) {
			if isBlank(v) {
				return
			}
			if f := v.ToFloat(); !math.IsNaN(f) {
				fn(f)
			}
		})
	}
}

func (st *std) min(c goja.FunctionCall) goja.Value {
	res, n := math.Inf(1), 0
	st.numbers(c, func(f float64) { res, n = math.Min(res, f), n+1 })
	if n == 0 {
		return goja.Null()
	}
	return st.r.ToValue(res)
}

func (st *std) max(c goja.FunctionCall) goja.Value {
	res, n := math.Inf(-1), 0
	st.numbers(c, func(f float64) { res, n = math.Max(res, f), n+1 })
	if n == 0 {
		return goja.Null()
	}
	return st.r.ToValue(res)
}

// SUM adds with compensation (Neumaier) and, when any addend has a
// fraction, rounds the total to 15 significant digits, which is the
// precision Excel shows: SUM(0.1, 0.2) is 0.3, not 0.30000000000000004.
func (st *std) sum(c goja.FunctionCall) goja.Value {
	total, _, _ := st.total(c)
	return st.r.ToValue(total)
}

// AVG is the mean of the numeric arguments; null when there are none.
func (st *std) avg(c goja.FunctionCall) goja.Value {
	total, n, _ := st.total(c)
	if n == 0 {
		return goja.Null()
	}
	return st.r.ToValue(sig15(total / float64(n)))
}

func (st *std) total(c goja.FunctionCall) (total float64, n int, fractional bool) {
	var comp float64
	st.numbers(c, func(f float64) {
		n++
		fractional = fractional || f != math.Trunc(f)
		t := total + f
		if math.Abs(total) >= math.Abs(f) {
			comp += (total - t) + f
		} else {
			comp += (f - t) + total
		}
		total = t
	})
	total += comp
	if fractional {
		total = sig15(total)
	}
	return total, n, fractional
}

func sig15(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return f
	}
	return r
}

// TEXT(x, n): x with exactly n decimals, rounded half away from zero
// ("1234.50"); without n, the shortest form without exponent. Blank is "".
func (st *std) text(c goja.FunctionCall) goja.Value {
	a := c.Argument(0)
	if isBlank(a) {
		return st.r.ToValue("")
	}
	x := a.ToFloat()
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return st.r.ToValue("")
	}
	if d := c.Argument(1); goja.IsUndefined(d) || goja.IsNull(d) {
		return st.r.ToValue(strconv.FormatFloat(x, 'f', -1, 64))
	}
	n := max(0, places(c, 1))
	return st.r.ToValue(decimal.NewFromFloat(x).StringFixed(int32(n)))
}

// maxSafe is the largest integer a float64 holds exactly (2^53-1); money in
// fen beyond it would lose units.
const maxSafe = 1<<53 - 1

// YUAN(fen): an integer amount in fen as a decimal string in yuan, "12.34".
func (st *std) yuan(c goja.FunctionCall) goja.Value {
	a := c.Argument(0)
	if isBlank(a) {
		return goja.Null()
	}
	var fen int64
	if goja.IsString(a) {
		v, err := strconv.ParseInt(strings.TrimSpace(a.String()), 10, 64)
		if err != nil {
			throwf(st.r, "YUAN: %q is not an integer amount in fen", a.String())
		}
		fen = v
	} else {
		f := a.ToFloat()
		if f != math.Trunc(f) || math.Abs(f) > maxSafe {
			rangef(st.r, "YUAN: %v is not an integer amount in fen", a)
		}
		fen = int64(f)
	}
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	cents := fen % 100
	return st.r.ToValue(sign + strconv.FormatInt(fen/100, 10) + "." + string(rune('0'+cents/10)) + string(rune('0'+cents%10)))
}

// FEN(yuan): a yuan amount (decimal string or number) as integer fen,
// rounded half away from zero to the fen, so FEN(price * 0.95) works.
func (st *std) fen(c goja.FunctionCall) goja.Value {
	a := c.Argument(0)
	if isBlank(a) {
		return goja.Null()
	}
	var d decimal.Decimal
	if goja.IsString(a) {
		v, err := decimal.NewFromString(strings.TrimSpace(a.String()))
		if err != nil {
			throwf(st.r, "FEN: %q is not a decimal amount", a.String())
		}
		d = v
	} else {
		f := a.ToFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			rangef(st.r, "FEN: %v is not an amount", a)
		}
		d = decimal.NewFromFloat(f)
	}
	fen := d.Shift(2).Round(0)
	if fen.Abs().GreaterThan(decimal.NewFromInt(maxSafe)) {
		rangef(st.r, "FEN: %s is out of range", d.String())
	}
	return st.r.ToValue(fen.IntPart())
}
