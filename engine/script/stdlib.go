package script

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// The formula standard library. Users come from Excel, so names are Excel's
// in upper case. All functions are Go natives (no reflection, no JavaScript
// wrapper) and deterministic, except TODAY, NOW and now, which read
// Options.Clock. They are globals, so scripts can use them too.
//
// Blank values (null, undefined, "") follow Excel where it matters: SUM, AVG,
// MIN and MAX skip them (and anything that is not a number), date functions
// return null for a blank date, text functions treat them as "".
//
// Functions evaluate all their arguments, like any function call: IF(c, a, b)
// computes both a and b. Use `c ? a : b` when a branch must not run.
type std struct {
	r     *goja.Runtime
	loc   *time.Location
	clock func() time.Time
	// Bounds for strings and arrays the natives build or walk, the same as
	// the sandbox guards': a native loop cannot be interrupted.
	maxStr, maxArr int
}

func installStdlib(s *slot) {
	o := s.e.opts
	st := &std{r: s.rt, loc: o.Location, clock: o.Clock, maxStr: o.MaxStringLength, maxArr: o.MaxArrayLength}
	for name, fn := range map[string]func(goja.FunctionCall) goja.Value{
		// logic
		"IF": st.ifFn, "AND": st.and, "OR": st.or, "NOT": st.not,
		// numbers
		"ROUND": st.round, "FLOOR": st.floor, "CEIL": st.ceil, "ABS": st.abs,
		"MIN": st.min, "MAX": st.max, "SUM": st.sum, "AVG": st.avg,
		"TEXT": st.text, "YUAN": st.yuan, "FEN": st.fen,
		// text
		"LEN": st.length, "CONCAT": st.concat, "UPPER": st.upper, "LOWER": st.lower,
		"TRIM": st.trim, "LEFT": st.left, "RIGHT": st.right, "MID": st.mid,
		"CONTAINS": st.contains,
		// dates
		"TODAY": st.today, "NOW": st.now, "now": st.now,
		"DATE_ADD": st.dateAdd, "DAYS_BETWEEN": st.daysBetween,
		"YEAR": st.year, "MONTH": st.month, "DAY": st.day,
		"BIRTHDAY_IN_DAYS": st.birthdayInDays,
	} {
		setGlobal(s.rt, name, fn)
	}
}

// isBlank reports null, undefined or the empty string.
func isBlank(v goja.Value) bool {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return true
	}
	return goja.IsString(v) && v.String() == ""
}

// text converts a value for the text functions: blank is "".
func text(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}

func (st *std) ifFn(c goja.FunctionCall) goja.Value {
	if c.Argument(0).ToBoolean() {
		return c.Argument(1)
	}
	if len(c.Arguments) > 2 {
		return c.Arguments[2]
	}
	return goja.Null()
}

func (st *std) and(c goja.FunctionCall) goja.Value {
	for _, a := range c.Arguments {
		if !a.ToBoolean() {
			return st.r.ToValue(false)
		}
	}
	return st.r.ToValue(true)
}

func (st *std) or(c goja.FunctionCall) goja.Value {
	for _, a := range c.Arguments {
		if a.ToBoolean() {
			return st.r.ToValue(true)
		}
	}
	return st.r.ToValue(false)
}

func (st *std) not(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(!c.Argument(0).ToBoolean())
}

// LEN counts characters (Unicode code points, so "会员" is 2), or the
// elements of an array.
func (st *std) length(c goja.FunctionCall) goja.Value {
	a := c.Argument(0)
	if obj, ok := a.(*goja.Object); ok && obj.ClassName() == "Array" {
		return obj.Get("length")
	}
	return st.r.ToValue(utf8.RuneCountInString(text(a)))
}

// CONCAT joins its arguments as text; arrays are flattened one level.
func (st *std) concat(c goja.FunctionCall) goja.Value {
	var b strings.Builder
	for _, a := range c.Arguments {
		st.eachItem(a, func(v goja.Value) { b.WriteString(text(v)) })
		if b.Len() > st.maxStr {
			rangef(st.r, "CONCAT: result longer than %d bytes", st.maxStr)
		}
	}
	return st.r.ToValue(b.String())
}

func (st *std) upper(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(strings.ToUpper(text(c.Argument(0))))
}

func (st *std) lower(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(strings.ToLower(text(c.Argument(0))))
}

// TRIM removes leading and trailing white space (including the full-width
// space U+3000) and, like Excel, collapses inner runs to one space.
func (st *std) trim(c goja.FunctionCall) goja.Value {
	return st.r.ToValue(strings.Join(strings.Fields(text(c.Argument(0))), " "))
}

// LEFT(s, n=1): the first n characters.
func (st *std) left(c goja.FunctionCall) goja.Value {
	rs := []rune(text(c.Argument(0)))
	n := st.count(c, 1, "LEFT")
	return st.r.ToValue(string(rs[:min(n, len(rs))]))
}

// RIGHT(s, n=1): the last n characters.
func (st *std) right(c goja.FunctionCall) goja.Value {
	rs := []rune(text(c.Argument(0)))
	n := min(st.count(c, 1, "RIGHT"), len(rs))
	return st.r.ToValue(string(rs[len(rs)-n:]))
}

// MID(s, start, n): n characters from the 1-based position start.
func (st *std) mid(c goja.FunctionCall) goja.Value {
	rs := []rune(text(c.Argument(0)))
	start := c.Argument(1).ToInteger()
	if start < 1 {
		rangef(st.r, "MID: start must be 1 or more, got %d", start)
	}
	n := st.count(c, 2, "MID")
	if start > int64(len(rs)) {
		return st.r.ToValue("")
	}
	from := int(start - 1)
	return st.r.ToValue(string(rs[from:min(from+n, len(rs))]))
}

// count reads an optional character count (default 1), refusing negatives.
func (st *std) count(c goja.FunctionCall, i int, fn string) int {
	a := c.Argument(i)
	if goja.IsUndefined(a) {
		return 1
	}
	n := a.ToInteger()
	if n < 0 {
		rangef(st.r, "%s: count must not be negative, got %d", fn, n)
	}
	return int(min(n, int64(st.maxStr)))
}

// CONTAINS(s, part): substring test, or membership when s is an array.
func (st *std) contains(c goja.FunctionCall) goja.Value {
	hay, needle := c.Argument(0), c.Argument(1)
	if obj, ok := hay.(*goja.Object); ok && obj.ClassName() == "Array" {
		found := false
		st.eachItem(obj, func(v goja.Value) { found = found || v.StrictEquals(needle) })
		return st.r.ToValue(found)
	}
	if isBlank(hay) {
		return st.r.ToValue(false)
	}
	return st.r.ToValue(strings.Contains(hay.String(), text(needle)))
}

// eachItem calls fn for v, or for each element when v is an array (one
// level, bounded like the Array.prototype guards).
func (st *std) eachItem(v goja.Value, fn func(goja.Value)) {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ClassName() != "Array" {
		fn(v)
		return
	}
	n := obj.Get("length").ToInteger()
	if n > int64(st.maxArr) {
		rangef(st.r, "array length (%d) exceeds the sandbox limit of %d", n, st.maxArr)
	}
	for i := range n {
		fn(obj.Get(itoa(i)))
	}
}
