package form

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// datetime is an instant (purchase time, check-in time), stored in the
// canonical UTC form of query.FormatTime. Times with an offset mean what
// they say; naive times ("2026-11-23 14:30", what people and spreadsheets
// write) are wall-clock times in the field's zone, Asia/Shanghai unless
// the form says otherwise.
type datetimeType struct{ typeSpec }

type datetimeSettings struct {
	TimeZone string `json:"timeZone"`
	loc      *time.Location
}

func init() {
	registerType(&datetimeType{newSpec("datetime", "日期时间", "Date and time", "picker.datetime", "basic", `{
  "type": "object",
  "properties": {
    "timeZone": {"type": "string", "minLength": 1, "maxLength": 64, "default": "Asia/Shanghai", "description": "IANA zone of times written without an offset"}
  }
}`, `{"key": "visitedAt", "type": "datetime", "label": {"zh-CN": "到店时间", "en": "Visited at"}, "timeZone": "Asia/Shanghai"}`)})
}

func (t *datetimeType) settings(f *Field) *datetimeSettings {
	return settingsOf(t.spec.Key, f, func(s *datetimeSettings) { s.loc = loadZone(s.TimeZone) })
}

// loadZone loads an IANA zone; "" and unknown zones mean the platform's
// default (Check refuses unknown ones when the form is saved).
func loadZone(name string) *time.Location {
	if name == "" || name == query.DefaultLocation.String() {
		return query.DefaultLocation
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return query.DefaultLocation
}

// Check validates the time zone.
func (t *datetimeType) Check(f *Field) []errs.FieldError {
	fe := checkConfig(t.spec.Key, f)
	if z := t.settings(f).TimeZone; z != "" && z != query.DefaultLocation.String() {
		if _, err := time.LoadLocation(z); err != nil || z == "Local" {
			fe = append(fe, settingErr("timeZone", "field.config.zone", z))
		}
	}
	return fe
}

// Stored is a canonical UTC time.
func (t *datetimeType) Stored(*Field) Stored { return Stored{Kind: query.KindTime} }

// Schema is a date-time string.
func (t *datetimeType) Schema(*Field) map[string]any {
	return map[string]any{"type": "string", "format": "date-time"}
}

// Normalize reads RFC 3339 (any offset) or a naive time in the field's
// zone and returns the canonical UTC form.
func (t *datetimeType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	s, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	tm, ok := parseDateTime(s, t.settings(f).loc)
	if !ok {
		return nil, []errs.FieldError{c.fail("field.datetime")}
	}
	return query.FormatTime(tm), nil
}

// Parse reads what spreadsheets hold ("2026/11/23 14:30", "2026年11月23日
// 14:30:05", Excel serials with the time as fraction) in the field's zone
// and returns the canonical form; anything else goes to Normalize as is.
func (t *datetimeType) Parse(_ Ctx, f *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	loc := t.settings(f).loc
	if tm, ok := parseDateTime(s, loc); ok {
		return query.FormatTime(tm), nil
	}
	if d, rest, ok := parseDateCell(s); ok {
		if rest == "" {
			rest = "0:00"
		}
		if h, m, sec, ok := clockOf(rest); ok {
			return query.FormatTime(time.Date(d.Year(), d.Month(), d.Day(), h, m, sec, 0, loc)), nil
		}
	}
	if d, frac, ok := excelSerial(s); ok {
		// Excel keeps the time as a fraction of a day in binary floating
		// point; rounding to the millisecond recovers the time typed in.
		ms := int64(math.Round(frac * 86400000))
		day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		return query.FormatTime(day.Add(time.Duration(ms) * time.Millisecond)), nil
	}
	return s, nil
}

// Layouts with an offset, and naive ones read in the field's zone. Go
// accepts fractional seconds after the seconds field in every layout.
var (
	offsetLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00"}
	naiveLayouts  = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", dateLayout}
)

// parseDateTime reads an RFC 3339 time, or a naive one in loc.
func parseDateTime(s string, loc *time.Location) (time.Time, bool) {
	for _, l := range offsetLayouts {
		if tm, err := time.Parse(l, s); err == nil {
			return tm, validYear(tm.UTC())
		}
	}
	for _, l := range naiveLayouts {
		if tm, err := time.ParseInLocation(l, s, loc); err == nil {
			return tm, validYear(tm.UTC())
		}
	}
	return time.Time{}, false
}

// validYear keeps the canonical text four digits of year wide.
func validYear(t time.Time) bool { return t.Year() >= 1 && t.Year() <= 9999 }

var clockRe = regexp.MustCompile(`^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$`)

// clockOf reads "14:30" or "9:05:30" (full-width colons too).
func clockOf(s string) (h, m, sec int, ok bool) {
	g := clockRe.FindStringSubmatch(strings.TrimSpace(s))
	if g == nil {
		return 0, 0, 0, false
	}
	h, _ = strconv.Atoi(g[1])
	m, _ = strconv.Atoi(g[2])
	if g[3] != "" {
		sec, _ = strconv.Atoi(g[3])
	}
	return h, m, sec, h < 24 && m < 60 && sec < 60
}
