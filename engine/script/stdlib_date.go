package script

import (
	"strings"
	"time"

	"github.com/dop251/goja"
)

// Dates are "YYYY-MM-DD" strings and datetimes canonical UTC strings
// "2006-01-02T15:04:05.000Z", as the store keeps them. Date-only values are
// civil dates (no zone); datetimes are instants whose date parts are read in
// Options.Location. JavaScript Date objects are accepted as instants.

const (
	dateLayout = "2006-01-02"
	// DatetimeLayout is the canonical datetime form the store keeps and
	// NOW() returns.
	DatetimeLayout = "2006-01-02T15:04:05.000Z"
)

// when is a parsed date argument.
type when struct {
	t        time.Time // civil midnight UTC for dates, the instant otherwise
	dateOnly bool
}

// parseWhen reads a date argument; ok is false for blanks.
func (st *std) parseWhen(fn string, v goja.Value) (w when, ok bool) {
	if isBlank(v) {
		return when{}, false
	}
	if obj, isObj := v.(*goja.Object); isObj && obj.ClassName() == "Date" {
		t, good := obj.Export().(time.Time)
		if !good {
			throwf(st.r, "%s: invalid Date", fn)
		}
		return when{t: t}, true
	}
	if !goja.IsString(v) {
		throwf(st.r, "%s: expected a date string, got %s", fn, v.String())
	}
	s := strings.TrimSpace(v.String())
	if len(s) == len(dateLayout) {
		t, err := time.Parse(dateLayout, s)
		if err != nil {
			throwf(st.r, "%s: invalid date %q", fn, s)
		}
		return when{t: t, dateOnly: true}, true
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		throwf(st.r, "%s: invalid date %q (want YYYY-MM-DD or %s)", fn, s, DatetimeLayout)
	}
	return when{t: t}, true
}

// civil returns the calendar date of w: as written for dates, in the
// engine's zone for instants.
func (st *std) civil(w when) (y int, m time.Month, d int) {
	if w.dateOnly {
		return w.t.Date()
	}
	return w.t.In(st.loc).Date()
}

func civilDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// addMonths moves a calendar date by n months, clamping the day to the end
// of the target month (Jan 31 + 1 month is Feb 28 or 29, as in Excel's
// EDATE) instead of Go's overflow into March.
func addMonths(y int, m time.Month, d, n int) (int, time.Month, int) {
	first := civilDay(y, m, 1).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return first.Year(), first.Month(), min(d, last)
}

func (st *std) today(goja.FunctionCall) goja.Value {
	return st.r.ToValue(st.clock().In(st.loc).Format(dateLayout))
}

func (st *std) now(goja.FunctionCall) goja.Value {
	return st.r.ToValue(st.clock().UTC().Format(DatetimeLayout))
}

// dateUnits maps the accepted unit names (English and Chinese) to canonical
// ones.
var dateUnits = map[string]string{
	"year": "year", "years": "year", "y": "year", "年": "year",
	"month": "month", "months": "month", "月": "month",
	"week": "week", "weeks": "week", "w": "week", "周": "week", "星期": "week",
	"day": "day", "days": "day", "d": "day", "日": "day", "天": "day",
	"hour": "hour", "hours": "hour", "h": "hour", "小时": "hour", "时": "hour",
	"minute": "minute", "minutes": "minute", "分钟": "minute", "分": "minute",
	"second": "second", "seconds": "second", "s": "second", "秒": "second",
}

// DATE_ADD(date, n, unit="day"): calendar units keep a date a date; hour,
// minute and second turn a date into the datetime of its midnight in the
// engine's zone plus the offset.
func (st *std) dateAdd(c goja.FunctionCall) goja.Value {
	w, ok := st.parseWhen("DATE_ADD", c.Argument(0))
	if !ok {
		return goja.Null()
	}
	nf := c.Argument(1).ToFloat()
	n := int(nf)
	if float64(n) != nf || n > 1e6 || n < -1e6 {
		rangef(st.r, "DATE_ADD: amount must be a whole number within ±1000000, got %v", c.Argument(1))
	}
	unit := "day"
	if u := c.Argument(2); !isBlank(u) {
		canon, known := dateUnits[strings.ToLower(strings.TrimSpace(u.String()))]
		if !known {
			throwf(st.r, "DATE_ADD: unknown unit %q (use year, month, week, day, hour, minute or second)", u.String())
		}
		unit = canon
	}
	switch unit {
	case "year", "month", "week", "day":
		var y int
		var m time.Month
		var d int
		if w.dateOnly {
			y, m, d = w.t.Date()
		} else {
			y, m, d = w.t.In(st.loc).Date()
		}
		switch unit {
		case "year":
			y, m, d = addMonths(y, m, d, 12*n)
		case "month":
			y, m, d = addMonths(y, m, d, n)
		case "week":
			y, m, d = civilDay(y, m, d).AddDate(0, 0, 7*n).Date()
		default:
			y, m, d = civilDay(y, m, d).AddDate(0, 0, n).Date()
		}
		if w.dateOnly {
			return st.r.ToValue(civilDay(y, m, d).Format(dateLayout))
		}
		local := w.t.In(st.loc)
		t := time.Date(y, m, d, local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), st.loc)
		return st.r.ToValue(t.UTC().Format(DatetimeLayout))
	}
	t := w.t
	if w.dateOnly {
		y, m, d := w.t.Date()
		t = time.Date(y, m, d, 0, 0, 0, 0, st.loc)
	}
	step := map[string]time.Duration{"hour": time.Hour, "minute": time.Minute, "second": time.Second}[unit]
	return st.r.ToValue(t.Add(time.Duration(n) * step).UTC().Format(DatetimeLayout))
}

// DAYS_BETWEEN(a, b): whole calendar days from a to b (positive when b is
// later), so DAYS_BETWEEN(birthday, TODAY()) is an age in days.
func (st *std) daysBetween(c goja.FunctionCall) goja.Value {
	a, okA := st.parseWhen("DAYS_BETWEEN", c.Argument(0))
	b, okB := st.parseWhen("DAYS_BETWEEN", c.Argument(1))
	if !okA || !okB {
		return goja.Null()
	}
	da, db := civilDay(st.civil(a)), civilDay(st.civil(b))
	return st.r.ToValue(int64(db.Sub(da) / (24 * time.Hour)))
}

func (st *std) year(c goja.FunctionCall) goja.Value {
	return st.datePart("YEAR", c, func(y int, _ time.Month, _ int) int { return y })
}

func (st *std) month(c goja.FunctionCall) goja.Value {
	return st.datePart("MONTH", c, func(_ int, m time.Month, _ int) int { return int(m) })
}

func (st *std) day(c goja.FunctionCall) goja.Value {
	return st.datePart("DAY", c, func(_ int, _ time.Month, d int) int { return d })
}

// datePart is YEAR, MONTH and DAY: one part of the argument's calendar
// date in the engine zone, null when the argument is no date.
func (st *std) datePart(name string, c goja.FunctionCall, part func(int, time.Month, int) int) goja.Value {
	w, ok := st.parseWhen(name, c.Argument(0))
	if !ok {
		return goja.Null()
	}
	return st.r.ToValue(part(st.civil(w)))
}

// BIRTHDAY_IN_DAYS(date): days from today (engine zone) until the next
// anniversary of date's month and day; 0 on the day itself. A 29 February
// birthday falls on 28 February in common years.
func (st *std) birthdayInDays(c goja.FunctionCall) goja.Value {
	w, ok := st.parseWhen("BIRTHDAY_IN_DAYS", c.Argument(0))
	if !ok {
		return goja.Null()
	}
	_, bm, bd := st.civil(w)
	ty, tm, td := st.clock().In(st.loc).Date()
	today := civilDay(ty, tm, td)
	next := anniversary(ty, bm, bd)
	if next.Before(today) {
		next = anniversary(ty+1, bm, bd)
	}
	return st.r.ToValue(int64(next.Sub(today) / (24 * time.Hour)))
}

func anniversary(year int, m time.Month, d int) time.Time {
	last := civilDay(year, m, 1).AddDate(0, 1, -1).Day()
	return civilDay(year, m, min(d, last))
}
