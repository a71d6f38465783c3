package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/ext"
)

// The JSON form of a calendar:
//
//	{
//	  "name": "cn",
//	  "title": {"zh-CN": "...", "en": "..."},
//	  "timezone": "Asia/Shanghai",
//	  "weekend": ["sat", "sun"],
//	  "hours": [["09:00", "12:00"], ["13:00", "18:00"]],
//	  "years": {
//	    "2026": {"source": "...", "provisional": false,
//	             "holidays": [{"name": "春节", "from": "2026-02-15", "to": "2026-02-23"}],
//	             "workdays": ["2026-02-14", "2026-02-28"]}
//	  }
//	}
//
// Holidays are inclusive date ranges; workdays are the make-up working
// days on rest days. Every date must lie in the year it is listed under.
type file struct {
	Name     string              `json:"name"`
	Title    json.RawMessage     `json:"title"`
	Timezone string              `json:"timezone"`
	Weekend  []string            `json:"weekend"`
	Hours    [][2]string         `json:"hours"`
	Years    map[string]yearFile `json:"years"`
}

type yearFile struct {
	Source      string        `json:"source"`
	Provisional bool          `json:"provisional"`
	Holidays    []holidayFile `json:"holidays"`
	Workdays    []string      `json:"workdays"`
}

type holidayFile struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// Parse reads a calendar from its JSON form (see file). Unknown fields,
// overlapping or empty working hours, a week without a working day, dates
// outside their year, and a date both holiday and make-up workday are
// errors.
func Parse(raw []byte) (*Calendar, error) {
	var f file
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&f); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	if f.Name == "" {
		return nil, fmt.Errorf("calendar: name is required")
	}
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil || f.Timezone == "" {
		return nil, fmt.Errorf("calendar %s: unknown timezone %q", f.Name, f.Timezone)
	}
	c := &Calendar{Name: f.Name, Loc: loc, holidays: map[string]bool{}, workdays: map[string]bool{}, years: map[int]Year{}}
	for _, w := range f.Weekend {
		wd, ok := weekdays[strings.ToLower(w)]
		if !ok {
			return nil, fmt.Errorf("calendar %s: weekend day %q is not one of sun..sat", f.Name, w)
		}
		c.weekend[wd] = true
	}
	if len(f.Weekend) >= 7 || allTrue(c.weekend) {
		return nil, fmt.Errorf("calendar %s: a week needs at least one working day", f.Name)
	}
	if c.spans, err = parseSpans(f.Hours); err != nil {
		return nil, fmt.Errorf("calendar %s: %w", f.Name, err)
	}
	for ys, y := range f.Years {
		year, err := strconv.Atoi(ys)
		if err != nil || year < 1970 || year > 9999 {
			return nil, fmt.Errorf("calendar %s: year %q is not a year", f.Name, ys)
		}
		if err := c.addYear(year, y); err != nil {
			return nil, fmt.Errorf("calendar %s: %d: %w", f.Name, year, err)
		}
	}
	return c, nil
}

func allTrue(w [7]bool) bool {
	for _, b := range w {
		if !b {
			return false
		}
	}
	return true
}

// parseSpans reads working hours "HH:MM" pairs into sorted disjoint spans.
func parseSpans(hours [][2]string) ([]span, error) {
	if len(hours) == 0 {
		return nil, fmt.Errorf("hours: at least one working period is required")
	}
	out := make([]span, 0, len(hours))
	for i, h := range hours {
		from, err1 := clock(h[0])
		to, err2 := clock(h[1])
		if err1 != nil || err2 != nil || from >= to {
			return nil, fmt.Errorf("hours[%d]: %q to %q is not a period of the day (HH:MM, start before end)", i, h[0], h[1])
		}
		out = append(out, span{from, to})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from < out[j].from })
	for i := 1; i < len(out); i++ {
		if out[i].from < out[i-1].to {
			return nil, fmt.Errorf("hours: working periods overlap")
		}
	}
	return out, nil
}

// clock parses "HH:MM" (24:00 allowed as the end of the day) to minutes.
func clock(s string) (int, error) {
	if s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (c *Calendar) addYear(year int, y yearFile) error {
	inYear := func(s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, c.Loc)
		if err != nil {
			return t, fmt.Errorf("%q is not a date (2006-01-02)", s)
		}
		if t.Year() != year {
			return t, fmt.Errorf("%s is not in %d", s, year)
		}
		return t, nil
	}
	for _, h := range y.Holidays {
		from, err := inYear(h.From)
		if err != nil {
			return fmt.Errorf("holiday %s: %w", h.Name, err)
		}
		to, err := inYear(h.To)
		if err != nil {
			return fmt.Errorf("holiday %s: %w", h.Name, err)
		}
		if to.Before(from) {
			return fmt.Errorf("holiday %s ends before it starts", h.Name)
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			c.holidays[d.Format(time.DateOnly)] = true
		}
	}
	for _, w := range y.Workdays {
		t, err := inYear(w)
		if err != nil {
			return fmt.Errorf("workday: %w", err)
		}
		ds := t.Format(time.DateOnly)
		if c.holidays[ds] {
			return fmt.Errorf("%s is both a holiday and a make-up workday", ds)
		}
		c.workdays[ds] = true
	}
	c.years[year] = Year{Provisional: y.Provisional, Source: y.Source}
	return nil
}

// Default is the calendar flows use when their SLA names none.
const Default = "cn"

var registry = ext.NewRegistry[*Calendar]("business calendars")

//go:embed data/*.json
var shipped embed.FS

func init() {
	entries, err := shipped.ReadDir("data")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		raw, err := shipped.ReadFile("data/" + e.Name())
		if err != nil {
			panic(err)
		}
		c, err := Parse(raw)
		if err != nil {
			panic(err) // shipped data is checked by the tests; a bad file must stop the build's users at once
		}
		Register(c)
	}
}

// Register makes a calendar available by its name; a name registered twice
// panics (see engine/ext).
func Register(c *Calendar) { registry.Register(c.Name, c) }

// Get returns the calendar registered under name.
func Get(name string) (*Calendar, bool) { return registry.Get(name) }

// Names lists the registered calendars.
func Names() []string { return registry.Keys() }
