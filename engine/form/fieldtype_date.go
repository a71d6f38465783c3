package form

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// date is a calendar date without time or zone (birthday, valid-until),
// stored as "YYYY-MM-DD" so string order is date order in every store.
type dateType struct{ typeSpec }

type dateSettings struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

const dateLayout = "2006-01-02"

func init() {
	registerType(&dateType{newSpec("date", "日期", "Date", "picker.date", "basic", `{
  "type": "object",
  "properties": {
    "min": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "earliest date, YYYY-MM-DD"},
    "max": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "latest date, YYYY-MM-DD"}
  }
}`, `{"key": "birthday", "type": "date", "label": {"zh-CN": "生日", "en": "Birthday"}, "min": "1900-01-01"}`)})
}

func (t *dateType) settings(f *Field) *dateSettings {
	return settingsOf[dateSettings](t.spec.Key, f, nil)
}

// Check validates that min and max are calendar dates in order.
func (t *dateType) Check(f *Field) []errs.FieldError {
	fe := checkConfig(t.spec.Key, f)
	s := t.settings(f)
	for _, b := range []struct{ path, v string }{{"min", s.Min}, {"max", s.Max}} {
		// The schema reports a wrong shape; this catches 2026-02-30.
		if _, ok := validDate(b.v); dateShapeRe.MatchString(b.v) && !ok {
			fe = append(fe, settingErr(b.path, "field.config", "not a calendar date (YYYY-MM-DD)"))
		}
	}
	if s.Min != "" && s.Max != "" && s.Min > s.Max {
		fe = append(fe, settingErr("min", "field.config.range"))
	}
	return fe
}

// Stored is a date.
func (t *dateType) Stored(*Field) Stored { return Stored{Kind: query.KindDate} }

// Schema is a date string.
func (t *dateType) Schema(*Field) map[string]any {
	return map[string]any{"type": "string", "format": "date"}
}

// Normalize checks the date is a real calendar date within the bounds.
func (t *dateType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	s, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	if _, ok := validDate(s); !ok {
		return nil, []errs.FieldError{c.fail("field.date")}
	}
	// Canonical dates compare as strings.
	st := t.settings(f)
	if st.Min != "" && s < st.Min {
		return nil, []errs.FieldError{c.fail("field.min", st.Min)}
	}
	if st.Max != "" && s > st.Max {
		return nil, []errs.FieldError{c.fail("field.max", st.Max)}
	}
	return s, nil
}

// Parse reads the dates spreadsheets hold: "2026/11/23", "2026-11-23",
// "2026年11月23日", "20261123" and Excel serial numbers ("46349").
func (t *dateType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	if d, rest, ok := parseDateCell(s); ok && (rest == "" || midnightRe.MatchString(rest)) {
		return d.Format(dateLayout), nil
	}
	if d, frac, ok := excelSerial(s); ok && frac == 0 {
		return d.Format(dateLayout), nil
	}
	return s, nil
}

// validDate parses a canonical date; years before 1 are refused so the
// text stays four digits.
func validDate(s string) (time.Time, bool) {
	if len(s) != len(dateLayout) {
		return time.Time{}, false
	}
	d, err := time.Parse(dateLayout, s)
	return d, err == nil && d.Year() >= 1
}

var (
	dateCellRe  = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(.*))?$`)
	compactRe   = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	dateShapeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	midnightRe  = regexp.MustCompile(`^0?0:00(:00(\.0+)?)?$`)
	serialRe    = regexp.MustCompile(`^\d{1,7}(\.\d+)?$`)
)

// parseDateCell reads a date at the start of a cell in any of the common
// spellings; rest is what follows it (a time, for date-times).
func parseDateCell(s string) (d time.Time, rest string, ok bool) {
	m := dateCellRe.FindStringSubmatch(s)
	if m == nil {
		m = compactRe.FindStringSubmatch(s)
		if m == nil {
			return time.Time{}, "", false
		}
		m = append(m, "")
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	d = time.Date(y, time.Month(mo), day, 0, 0, 0, 0, time.UTC)
	if y < 1 || d.Year() != y || int(d.Month()) != mo || d.Day() != day {
		return time.Time{}, "", false // 2026-02-30 does not roll over
	}
	return d, strings.TrimSpace(m[4]), true
}

// excelSerial reads an Excel serial date: days since 1899-12-30, with the
// time of day as the fraction. Excel counts the non-existent 1900-02-29
// as day 60, so earlier serials are one day off and 60 itself is no date.
func excelSerial(s string) (day time.Time, frac float64, ok bool) {
	if !serialRe.MatchString(s) {
		return time.Time{}, 0, false
	}
	whole, fracText, _ := strings.Cut(s, ".")
	n, _ := strconv.Atoi(whole)
	if n < 1 || n == 60 || n > 2958465 { // 2958465 is 9999-12-31
		return time.Time{}, 0, false
	}
	if fracText != "" {
		frac, _ = strconv.ParseFloat("0."+fracText, 64)
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if n < 60 {
		base = base.AddDate(0, 0, 1)
	}
	return base.AddDate(0, 0, n), frac, true
}
