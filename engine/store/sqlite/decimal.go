package sqlite

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// Exact decimals. SQLite reads JSON numbers as float64 (and rounds some
// long decimals one unit in the last place off the nearest double), but
// KindDecimal values are exact text compared numerically: 0.3 and
// 0.30000000000000001 differ, 10.5 and 10.50 are equal. The Go functions
// below (registered in funcs.go) compare, order, normalise and aggregate
// the numbers' JSON text exactly. Written by hand: the SQLite decimal
// extension is not built into the pure-Go drivers, and the arithmetic is a
// few string operations.

// SQL functions over decimal values (int, real, number text or JSON text).
const (
	decCmpFunc  = "tangram_deccmp"  // (a, b) -> -1, 0, 1; NULL when a is not a number
	decKeyFunc  = "tangram_deckey"  // (a) -> BLOB ordered like the numbers; NULL for non-numbers
	decNormFunc = "tangram_decnorm" // (a) -> canonical text, equal for equal numbers
	decSumFunc  = "tangram_decsum"  // aggregate: exact sum as text
	decMinFunc  = "tangram_decmin"  // aggregate: the smallest value's own text
	decMaxFunc  = "tangram_decmax"  // aggregate: the largest value's own text
)

// dec is a parsed decimal: the value is 0.digits × 10^exp, with digits
// free of leading and trailing zeros; zero has no digits.
type dec struct {
	neg    bool
	digits string
	exp    int
	scale  int // fraction digits as written ("10.50": 2), for sums
}

// Limits keep hostile input cheap: no JSON number in a document comes near.
const (
	maxDecDigits = 1000
	maxDecExp    = 1000
)

// decOf reads a value handed to a SQL function: an integer, a float, or
// text holding a number (JSON text of a string, null or boolean is not one).
func decOf(v any) (dec, bool) {
	switch x := v.(type) {
	case int64:
		return parseDec(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return dec{}, false
		}
		return parseDec(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		return parseDec(x)
	case []byte:
		return parseDec(string(x))
	}
	return dec{}, false
}

// parseDec parses JSON number syntax (also accepting a leading "+" in the
// exponent, as strconv writes it).
func parseDec(s string) (dec, bool) {
	var d dec
	if s == "" || len(s) > maxDecDigits+20 {
		return d, false
	}
	if s[0] == '-' {
		d.neg = true
		s = s[1:]
	}
	mant, expText, hasExp := strings.Cut(s, "e")
	if !hasExp {
		mant, expText, hasExp = strings.Cut(s, "E")
	}
	e := 0
	if hasExp {
		n, err := strconv.Atoi(strings.TrimPrefix(expText, "+"))
		if err != nil || n > maxDecExp || n < -maxDecExp || expText == "" {
			return d, false
		}
		e = n
	}
	intPart, frac, hasDot := strings.Cut(mant, ".")
	if intPart == "" || (hasDot && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return d, false
	}
	digits := intPart + frac
	exp := len(intPart) + e
	trimmed := strings.TrimLeft(digits, "0")
	exp -= len(digits) - len(trimmed)
	d.digits = strings.TrimRight(trimmed, "0")
	d.exp = exp
	d.scale = max(0, len(frac)-e)
	if d.digits == "" {
		return dec{scale: d.scale}, true // zero, whatever its sign
	}
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (d dec) sign() int {
	switch {
	case d.digits == "":
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// cmpDec compares two decimals exactly.
func cmpDec(a, b dec) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb || sa == 0 {
		return cmpInt(sa, sb)
	}
	c := cmpInt(a.exp, b.exp)
	if c == 0 {
		// Same magnitude order: digit strings compare like the numbers
		// ("12" < "123" because the longer one has more non-zero digits).
		c = strings.Compare(a.digits, b.digits)
	}
	return c * sa
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// key encodes d so that bytewise order is numeric order: a class byte
// (negative, zero, positive), the exponent, then the digits; for negative
// numbers exponent and digits are complemented and the digits end with
// 0xFF, so a longer magnitude sorts first.
func (d dec) key() []byte {
	switch d.sign() {
	case 0:
		return []byte{0x80}
	case 1:
		b := make([]byte, 5, 5+len(d.digits))
		b[0] = 0xC0
		binary.BigEndian.PutUint32(b[1:], uint32(int32(d.exp))^0x80000000)
		return append(b, d.digits...)
	}
	b := make([]byte, 5, 6+len(d.digits))
	b[0] = 0x40
	binary.BigEndian.PutUint32(b[1:], ^(uint32(int32(d.exp)) ^ 0x80000000))
	for i := 0; i < len(d.digits); i++ {
		b = append(b, 0xFF-d.digits[i])
	}
	return append(b, 0xFF)
}

// norm renders the canonical text: plain notation for ordinary magnitudes
// ("10.5", "0.003", "1200"), JSON exponent notation beyond them.
func (d dec) norm() string {
	if d.digits == "" {
		return "0"
	}
	var b strings.Builder
	if d.neg {
		b.WriteByte('-')
	}
	n := len(d.digits)
	switch {
	case d.exp <= 0 && d.exp > -40:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -d.exp))
		b.WriteString(d.digits)
	case d.exp > 0 && d.exp < n:
		b.WriteString(d.digits[:d.exp])
		b.WriteByte('.')
		b.WriteString(d.digits[d.exp:])
	case d.exp >= n && d.exp <= 60:
		b.WriteString(d.digits)
		b.WriteString(strings.Repeat("0", d.exp-n))
	default:
		b.WriteByte(d.digits[0])
		if n > 1 {
			b.WriteByte('.')
			b.WriteString(d.digits[1:])
		}
		b.WriteString("e")
		b.WriteString(strconv.Itoa(d.exp - 1))
	}
	return b.String()
}

// decBounds returns the float64 interval that SQLite's own reading of any
// text equal to s falls in: the nearest double to s, widened by two units
// in the last place for SQLite's occasional one-ulp rounding. Filters use
// it as an index-friendly range before the exact test.
func decBounds(s string) (lo, hi float64, ok bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, 0, false
	}
	lo, hi = f, f
	for i := 0; i < 2; i++ {
		lo = math.Nextafter(lo, math.Inf(-1))
		hi = math.Nextafter(hi, math.Inf(1))
	}
	return lo, hi, true
}

// Scalar function bodies, shared by every driver binding.

func sqlDecCmp(a, b any) (int64, bool) {
	x, ok1 := decOf(a)
	y, ok2 := decOf(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	return int64(cmpDec(x, y)), true
}

func sqlDecKey(a any) ([]byte, bool) {
	x, ok := decOf(a)
	if !ok {
		return nil, false
	}
	return x.key(), true
}

func sqlDecNorm(a any) (string, bool) {
	x, ok := decOf(a)
	if !ok {
		return "", false
	}
	return x.norm(), true
}
