package report

import (
	"fmt"
	"strings"
	"time"
)

// Presets are named periods relative to today in the report's zone, so a
// dashboard can default to "this month" without storing dates. Weeks
// start on Monday.
var Presets = []string{"today", "yesterday", "last7days", "last30days", "thisWeek", "lastWeek",
	"thisMonth", "lastMonth", "thisQuarter", "lastQuarter", "thisYear", "lastYear"}

// preset resolves a preset name at now.
func preset(name string, now time.Time, loc *time.Location) (Period, error) {
	n := now.In(loc)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
	span := func(f, t time.Time) (Period, error) {
		return Period{From: f.Format(dateLayout), To: t.Format(dateLayout)}, nil
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	quarter := time.Date(today.Year(), time.Month((int(today.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	switch name {
	case "today":
		return span(today, today)
	case "yesterday":
		return span(today.AddDate(0, 0, -1), today.AddDate(0, 0, -1))
	case "last7days":
		return span(today.AddDate(0, 0, -6), today)
	case "last30days":
		return span(today.AddDate(0, 0, -29), today)
	case "thisWeek":
		return span(monday, today)
	case "lastWeek":
		return span(monday.AddDate(0, 0, -7), monday.AddDate(0, 0, -1))
	case "thisMonth":
		return span(month, today)
	case "lastMonth":
		return span(month.AddDate(0, -1, 0), month.AddDate(0, 0, -1))
	case "thisQuarter":
		return span(quarter, today)
	case "lastQuarter":
		return span(quarter.AddDate(0, -3, 0), quarter.AddDate(0, 0, -1))
	case "thisYear":
		return span(year, today)
	case "lastYear":
		return span(year.AddDate(-1, 0, 0), year.AddDate(0, 0, -1))
	}
	return Period{}, fmt.Errorf("unknown period %q (%s)", name, strings.Join(Presets, ", "))
}
