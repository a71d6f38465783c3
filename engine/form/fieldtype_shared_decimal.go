package form

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/errs"
)

// Exact decimals for number, money, percent and geolocation. Values are
// kept as digit strings from input to storage and compared digit by digit,
// so no amount ever passes through float64 arithmetic: a float64 input is
// turned into its shortest exact decimal text once and judged as text.

// decimal is an exact decimal number: sign, integer digits without leading
// zeros ("0" when there are none) and fraction digits without trailing
// zeros. Zero is never negative.
type decimal struct {
	neg   bool
	whole string
	frac  string
}

// maxSafeInt bounds stored integers: goja formulas and browsers read JSON
// numbers as float64, which is exact only up to 2^53.
const maxSafeInt = 1<<53 - 1

// maxWholeDigits matches the integer digits query accepts in decimal text.
const maxWholeDigits = 30

var (
	plainDecRe = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)
	expDecRe   = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$`)
)

// parseDecimal reads decimal text (with an exponent when allowExp, as JSON
// numbers may have). The message key is "" when s is a number that fits,
// "field.type.number" when it is no number, "field.range" when too large.
func parseDecimal(s string, allowExp bool) (decimal, string) {
	re := plainDecRe
	if allowExp {
		re = expDecRe
	}
	if len(s) > 200 || !re.MatchString(s) {
		return decimal{}, "field.type.number"
	}
	var d decimal
	switch s[0] {
	case '-':
		d.neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp, _ = strconv.Atoi(s[i+1:])
		s = s[:i]
	}
	whole, frac, _ := strings.Cut(s, ".")
	digits := whole + frac
	point := len(whole) + exp
	switch {
	case point <= 0:
		d.whole, d.frac = "", strings.Repeat("0", -point)+digits
	case point >= len(digits):
		d.whole, d.frac = digits+strings.Repeat("0", point-len(digits)), ""
	default:
		d.whole, d.frac = digits[:point], digits[point:]
	}
	d.whole = strings.TrimLeft(d.whole, "0")
	d.frac = strings.TrimRight(d.frac, "0")
	if d.whole == "" {
		d.whole = "0"
	}
	if d.whole == "0" && d.frac == "" {
		d.neg = false
	}
	if len(d.whole) > maxWholeDigits {
		return decimal{}, "field.range"
	}
	return d, ""
}

// decimalOf reads a number input exactly. present is false for a blank
// string (no value).
func decimalOf(c Ctx, v any) (d decimal, present bool, fe []errs.FieldError) {
	var text string
	allowExp := false
	switch x := v.(type) {
	case string:
		text = strings.TrimSpace(x)
		if text == "" {
			return decimal{}, false, nil
		}
	case json.Number:
		text, allowExp = string(x), true
	case float64:
		return floatDecimal(c, x, 64)
	case float32:
		return floatDecimal(c, float64(x), 32)
	case int:
		text = strconv.Itoa(x)
	case int64:
		text = strconv.FormatInt(x, 10)
	case int32:
		text = strconv.FormatInt(int64(x), 10)
	case uint:
		text = strconv.FormatUint(uint64(x), 10)
	case uint64:
		text = strconv.FormatUint(x, 10)
	case uint32:
		text = strconv.FormatUint(uint64(x), 10)
	default:
		return decimal{}, false, []errs.FieldError{c.failAs("field.type", "field.type.number")}
	}
	d, key := parseDecimal(text, allowExp)
	switch key {
	case "":
		return d, true, nil
	case "field.range":
		return decimal{}, false, []errs.FieldError{c.fail("field.range")}
	}
	return decimal{}, false, []errs.FieldError{c.failAs("field.type", key)}
}

// floatDecimal turns a float64 (a client that decoded JSON into floats)
// into the shortest decimal text that reads back as the same float, the
// number the client most likely meant; the precision checks then refuse
// noise such as 0.30000000000000004. Beyond 2^53 floats skip integers, so
// such inputs cannot be trusted to be the number that was sent.
func floatDecimal(c Ctx, x float64, bits int) (decimal, bool, []errs.FieldError) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return decimal{}, false, []errs.FieldError{c.failAs("field.type", "field.type.number")}
	}
	if math.Abs(x) > maxSafeInt {
		return decimal{}, false, []errs.FieldError{c.failAs("field.precision", "field.precision.unsafe")}
	}
	d, _ := parseDecimal(strconv.FormatFloat(x, 'f', -1, bits), false)
	return d, true, nil
}

// String renders the canonical text ("-12.5", "0", "3").
func (d decimal) String() string {
	s := d.whole
	if d.frac != "" {
		s += "." + d.frac
	}
	if d.neg {
		s = "-" + s
	}
	return s
}

// cmp orders two decimals: -1, 0 or 1.
func (d decimal) cmp(o decimal) int {
	if d.neg != o.neg {
		if d.neg {
			return -1
		}
		return 1
	}
	m := d.cmpAbs(o)
	if d.neg {
		return -m
	}
	return m
}

func (d decimal) cmpAbs(o decimal) int {
	if len(d.whole) != len(o.whole) {
		if len(d.whole) < len(o.whole) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(d.whole, o.whole); c != 0 {
		return c
	}
	n := max(len(d.frac), len(o.frac))
	a := d.frac + strings.Repeat("0", n-len(d.frac))
	b := o.frac + strings.Repeat("0", n-len(o.frac))
	return strings.Compare(a, b)
}

// scaled returns d·10^n as an integer (yuan to fen with n = 2); ok is false
// when d has more than n fraction digits or the result is not a safe
// integer.
func (d decimal) scaled(n int) (int64, bool) {
	if len(d.frac) > n {
		return 0, false
	}
	digits := d.whole + d.frac + strings.Repeat("0", n-len(d.frac))
	i, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || i > maxSafeInt {
		return 0, false
	}
	if d.neg {
		i = -i
	}
	return i, true
}

// round keeps at most n fraction digits, rounding half away from zero.
func (d decimal) round(n int) decimal {
	if len(d.frac) <= n {
		return d
	}
	up := d.frac[n] >= '5'
	digits := []byte(d.whole + d.frac[:n])
	if up {
		i := len(digits) - 1
		for ; i >= 0 && digits[i] == '9'; i-- {
			digits[i] = '0'
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		} else {
			digits[i]++
		}
	}
	w := len(digits) - n
	out, _ := parseDecimal(string(digits[:w])+"."+string(digits[w:])+"0", false)
	out.neg = d.neg && (out.whole != "0" || out.frac != "")
	return out
}

// settingDecimal reads a numeric setting (min, max) exactly; nil when
// absent or not a number (Check reports the latter).
func settingDecimal(n *json.Number) *decimal {
	if n == nil {
		return nil
	}
	d, key := parseDecimal(string(*n), true)
	if key != "" {
		return nil
	}
	return &d
}

// decimalRange is what number, money and percent share: min and max
// settings, kept as written for Check and Schema and read exactly for
// Normalize, and the reading of an input against them and a precision.
type decimalRange struct {
	Min      *json.Number `json:"min"`
	Max      *json.Number `json:"max"`
	min, max *decimal
}

// prepare reads the bounds exactly; the types' settings prep calls it.
func (r *decimalRange) prepare() { r.min, r.max = settingDecimal(r.Min), settingDecimal(r.Max) }

// check reports min > max.
func (r *decimalRange) check() []errs.FieldError { return checkRange(r.Min, r.Max) }

// schemaBounds puts the bounds as written into a JSON Schema.
func (r *decimalRange) schemaBounds(out map[string]any) map[string]any {
	if r.Min != nil {
		out["minimum"] = *r.Min
	}
	if r.Max != nil {
		out["maximum"] = *r.Max
	}
	return out
}

// read takes a number input exactly and refuses more fraction digits than
// precision (never rounding) and values outside the bounds. present is
// false for no value.
func (r *decimalRange) read(c Ctx, v any, precision int) (d decimal, present bool, fe []errs.FieldError) {
	d, ok, fe := decimalOf(c, v)
	if fe != nil || !ok {
		return decimal{}, false, fe
	}
	if len(d.frac) > precision {
		if precision == 0 {
			return decimal{}, false, []errs.FieldError{c.failAs("field.precision", "field.precision.int")}
		}
		return decimal{}, false, []errs.FieldError{c.fail("field.precision", precision)}
	}
	if fe := checkBounds(c, d, r.min, r.max); fe != nil {
		return decimal{}, false, fe
	}
	return d, true, nil
}

// checkBounds reports a value outside [min, max] (either may be nil).
func checkBounds(c Ctx, d decimal, lo, hi *decimal) []errs.FieldError {
	if lo != nil && d.cmp(*lo) < 0 {
		return []errs.FieldError{c.fail("field.min", lo.String())}
	}
	if hi != nil && d.cmp(*hi) > 0 {
		return []errs.FieldError{c.fail("field.max", hi.String())}
	}
	return nil
}

// checkRange reports min > max in a field's settings.
func checkRange(minSetting, maxSetting *json.Number) []errs.FieldError {
	lo, hi := settingDecimal(minSetting), settingDecimal(maxSetting)
	if lo != nil && hi != nil && lo.cmp(*hi) > 0 {
		return []errs.FieldError{settingErr("min", "field.config.range")}
	}
	return nil
}

// numberCell cleans a numeric import cell: thousands separators, spaces
// and Excel's exponent notation ("1.2E+3") are read; the result is decimal
// text for Normalize, or the cell itself when it is no number (Normalize
// then says so).
func numberCell(cell string) any {
	s, ok := cellText(cell)
	if !ok {
		return nil
	}
	s = strings.NewReplacer(",", "", "，", "", " ", "", "\u00a0", "").Replace(s)
	if d, key := parseDecimal(s, true); key == "" {
		return d.String()
	}
	return s
}
