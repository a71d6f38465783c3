package calendar

import (
	"strings"
	"testing"
	"time"
)

func cn(t *testing.T) *Calendar {
	t.Helper()
	c, ok := Get("cn")
	if !ok {
		t.Fatal("the cn calendar is not registered")
	}
	return c
}

func at(t *testing.T, c *Calendar, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, c.Loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestShippedChinaCalendarDays(t *testing.T) {
	c := cn(t)
	for day, want := range map[string]bool{
		"2026-01-01": false, // 元旦
		"2026-01-04": true,  // Sunday, make-up workday
		"2026-02-13": true,  // Friday before the Spring Festival
		"2026-02-14": true,  // Saturday, make-up workday
		"2026-02-16": false, // Monday in the Spring Festival
		"2026-02-23": false, // last day of the Spring Festival
		"2026-02-24": true,
		"2026-02-28": true, // Saturday, make-up workday
		"2026-03-01": false,
		"2026-05-05": false, // Tuesday, Labour Day holiday
		"2026-05-09": true,  // Saturday, make-up workday
		"2026-09-20": true,  // Sunday, make-up workday
		"2026-10-07": false,
		"2026-10-10": true, // Saturday, make-up workday
		"2026-10-11": false,
		"2027-02-08": false, // provisional: 初三
		"2027-02-09": true,
		"2025-12-31": true, // a year the calendar does not list: weekdays
		"2025-12-27": false,
	} {
		if got := c.IsWorkday(at(t, c, day+" 10:00")); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", day, got, want)
		}
	}
	if !c.Years()[2027].Provisional || c.Years()[2026].Provisional {
		t.Errorf("2027 must be provisional and 2026 not: %+v", c.Years())
	}
	if c.DayLength() != 8*time.Hour {
		t.Errorf("day length %s, want 8h", c.DayLength())
	}
}

func TestAddWorkingHours(t *testing.T) {
	c := cn(t)
	for _, tc := range []struct {
		from  string
		hours float64
		want  string
	}{
		{"2026-03-02 10:00", 1, "2026-03-02 11:00"},
		{"2026-03-02 11:00", 2, "2026-03-02 14:00"},  // the lunch break does not count
		{"2026-03-02 09:00", 3, "2026-03-02 12:00"},  // ends at a period's end, not the next start
		{"2026-03-02 07:30", 1, "2026-03-02 10:00"},  // before opening: counts from 09:00
		{"2026-03-02 19:00", 1, "2026-03-03 10:00"},  // after closing: the next morning
		{"2026-03-06 17:00", 2, "2026-03-09 10:00"},  // Friday evening: over the weekend
		{"2026-02-13 17:00", 2, "2026-02-14 10:00"},  // make-up Saturday counts
		{"2026-02-13 09:00", 24, "2026-02-24 18:00"}, // Fri + make-up Sat + after the Spring Festival
		{"2026-09-24 16:00", 8, "2026-09-28 16:00"},  // the Mid-Autumn holiday is skipped
		{"2026-09-30 17:00", 4, "2026-10-08 12:00"},  // National Day: Oct 1-7 off, Oct 8 on
		{"2026-09-19 10:00", 8, "2026-09-20 18:00"},  // Saturday off, make-up Sunday Sep 20 on
		{"2026-03-02 10:00", 0.5, "2026-03-02 10:30"},
	} {
		d := time.Duration(tc.hours * float64(time.Hour))
		got, err := c.Add(at(t, c, tc.from), d)
		if err != nil {
			t.Fatal(err)
		}
		if want := at(t, c, tc.want); !got.Equal(want) {
			t.Errorf("%s + %vh = %s, want %s", tc.from, tc.hours, got.In(c.Loc).Format("2006-01-02 15:04 Mon"), tc.want)
		}
		// Between is Add's inverse.
		if back := c.Between(at(t, c, tc.from), got); back != d {
			t.Errorf("Between(%s, %s) = %s, want %s", tc.from, tc.want, back, d)
		}
	}
	from := at(t, c, "2026-03-02 10:00")
	if got, _ := c.Add(from, 0); !got.Equal(from) {
		t.Errorf("adding nothing moved the time to %s", got)
	}
	if got := c.Between(from, from.Add(-time.Hour)); got != 0 {
		t.Errorf("Between backwards = %s, want 0", got)
	}
	if _, err := c.Add(from, 100000*time.Hour); err == nil {
		t.Error("a deadline beyond ten years must be an error")
	}
}

func TestParseRefusesBadCalendars(t *testing.T) {
	base := func(extra string) string {
		return `{"name": "x", "timezone": "Asia/Shanghai", "weekend": ["sat", "sun"], "hours": [["09:00", "18:00"]]` + extra + `}`
	}
	for name, tc := range map[string]struct{ raw, want string }{
		"unknown field":  {base(`, "colour": "red"`), "unknown field"},
		"no name":        {`{"timezone": "Asia/Shanghai", "hours": [["09:00", "18:00"]]}`, "name is required"},
		"bad zone":       {`{"name": "x", "timezone": "Mars/Base", "hours": [["09:00", "18:00"]]}`, "unknown timezone"},
		"no working day": {`{"name": "x", "timezone": "UTC", "weekend": ["sun","mon","tue","wed","thu","fri","sat"], "hours": [["09:00", "18:00"]]}`, "at least one working day"},
		"bad weekday":    {`{"name": "x", "timezone": "UTC", "weekend": ["caturday"], "hours": [["09:00", "18:00"]]}`, "not one of"},
		"no hours":       {`{"name": "x", "timezone": "UTC", "hours": []}`, "at least one working period"},
		"overlap":        {`{"name": "x", "timezone": "UTC", "hours": [["09:00", "13:00"], ["12:00", "18:00"]]}`, "overlap"},
		"backwards":      {`{"name": "x", "timezone": "UTC", "hours": [["18:00", "09:00"]]}`, "start before end"},
		"bad year":       {base(`, "years": {"20x6": {}}`), "not a year"},
		"wrong year":     {base(`, "years": {"2026": {"holidays": [{"name": "h", "from": "2027-01-01", "to": "2027-01-01"}]}}`), "not in 2026"},
		"bad date":       {base(`, "years": {"2026": {"workdays": ["2026-02-30"]}}`), "not a date"},
		"reversed range": {base(`, "years": {"2026": {"holidays": [{"name": "h", "from": "2026-01-03", "to": "2026-01-01"}]}}`), "ends before"},
		"both":           {base(`, "years": {"2026": {"holidays": [{"name": "h", "from": "2026-01-03", "to": "2026-01-03"}], "workdays": ["2026-01-03"]}}`), "both a holiday"},
	} {
		if _, err := Parse([]byte(tc.raw)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", name, err, tc.want)
		}
	}
}

func TestCustomCalendarAroundTheClock(t *testing.T) {
	c, err := Parse([]byte(`{"name": "shifts", "timezone": "UTC", "weekend": [], "hours": [["00:00", "24:00"]]}`))
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 3, 7, 22, 0, 0, 0, time.UTC) // a Saturday
	got, _ := c.Add(from, 5*time.Hour)
	if want := from.Add(5 * time.Hour); !got.Equal(want) {
		t.Errorf("round-the-clock calendar: %s, want %s", got, want)
	}
}
