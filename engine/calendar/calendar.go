// Package calendar counts working time on a business calendar: which days
// are working days (the weekly rest days, public holidays, and the make-up
// workdays (调休上班) China moves onto weekends), and which hours of a
// working day count. Workflow SLA timers use it: "24 working hours" from a
// Friday afternoon before the Spring Festival ends well after the holiday.
//
// Calendars are data (JSON, see Parse), not code. The "cn" calendar ships
// embedded (data/cn.json) with the State Council's 2026 arrangement and the
// statutory holidays of 2027 (marked provisional until the 2027 notice is
// out); a deployment registers its own with Register. Years a calendar does
// not list fall back to the weekly rest days alone.
package calendar

import (
	"fmt"
	"time"
)

// maxDays bounds the days one computation walks: ten years of calendar. A
// calendar always has working time in every week (Parse checks it), so a
// sum of working hours only reaches the bound with an absurd duration.
const maxDays = 3660

// Calendar is one parsed business calendar. It is immutable and safe for
// concurrent use.
type Calendar struct {
	// Name is the key flows refer to ("cn").
	Name string
	// Loc is the zone days and working hours are counted in.
	Loc      *time.Location
	weekend  [7]bool
	spans    []span          // working hours of a working day, sorted, disjoint
	holidays map[string]bool // "2006-01-02" -> a day off although a weekday
	workdays map[string]bool // "2006-01-02" -> a working day although a rest day
	years    map[int]Year
}

// span is a working period of a day in minutes after midnight, [from, to).
type span struct{ from, to int }

// Year describes what a calendar knows about one year.
type Year struct {
	// Provisional marks data derived from the rules rather than from the
	// published arrangement (China publishes each year's in November).
	Provisional bool
	// Source says where the dates come from.
	Source string
}

// Years returns what the calendar lists per year.
func (c *Calendar) Years() map[int]Year {
	out := make(map[int]Year, len(c.years))
	for y, v := range c.years {
		out[y] = v
	}
	return out
}

// DayLength is the working time of one working day.
func (c *Calendar) DayLength() time.Duration {
	var m int
	for _, s := range c.spans {
		m += s.to - s.from
	}
	return time.Duration(m) * time.Minute
}

// IsWorkday reports whether the calendar day of t (in the calendar's zone)
// is a working day: a make-up workday, or a weekday that is no holiday.
func (c *Calendar) IsWorkday(t time.Time) bool {
	t = t.In(c.Loc)
	d := t.Format(time.DateOnly)
	if c.workdays[d] {
		return true
	}
	if c.holidays[d] {
		return false
	}
	return !c.weekend[t.Weekday()]
}

// midnight is the start of t's calendar day in the calendar's zone.
func (c *Calendar) midnight(t time.Time) time.Time {
	t = t.In(c.Loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.Loc)
}

// at is minute m of the day starting at day.
func (c *Calendar) at(day time.Time, m int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, c.Loc)
}

// Add returns the instant d of working time after t: the SLA deadline of
// a task created at t. Time outside working hours does not count, so a
// deadline always falls inside working hours (at a span's end when the
// time runs out exactly there). d <= 0 returns t.
func (c *Calendar) Add(t time.Time, d time.Duration) (time.Time, error) {
	if d <= 0 {
		return t, nil
	}
	left := d
	day := c.midnight(t)
	for i := 0; i < maxDays; i++ {
		if c.IsWorkday(day) {
			for _, s := range c.spans {
				start, end := c.at(day, s.from), c.at(day, s.to)
				if !t.Before(end) {
					continue
				}
				if start.Before(t) {
					start = t
				}
				if avail := end.Sub(start); left <= avail {
					return start.Add(left), nil
				} else {
					left -= avail
				}
			}
		}
		day = c.at(day.AddDate(0, 0, 1), 0)
	}
	return time.Time{}, fmt.Errorf("calendar %s: %s of working time is more than %d days away", c.Name, d, maxDays)
}

// Between returns the working time in [a, b): how much of an SLA a task
// has used. b before a gives 0.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !a.Before(b) {
		return 0
	}
	var sum time.Duration
	day := c.midnight(a)
	for i := 0; i < maxDays && day.Before(b); i++ {
		if c.IsWorkday(day) {
			for _, s := range c.spans {
				start, end := c.at(day, s.from), c.at(day, s.to)
				if start.Before(a) {
					start = a
				}
				if end.After(b) {
					end = b
				}
				if start.Before(end) {
					sum += end.Sub(start)
				}
			}
		}
		day = c.at(day.AddDate(0, 0, 1), 0)
	}
	return sum
}
