package demo

import (
	"math/rand/v2"
	"sort"
	"time"
)

// The retail calendar: how busy each day of the window is. Weekends are
// busier than weekdays; the weeks before the Spring Festival (年货), 618,
// Double 11 and the National Day golden week are the peaks; the first
// days of the Spring Festival are quiet (stores half closed, people at
// home). Days are in China Standard Time.

// cst is China Standard Time (no daylight saving since 1991).
var cst = time.FixedZone("CST", 8*3600)

// springFestival is the first day of the lunar year (正月初一).
var springFestival = map[int]string{
	2018: "02-16", 2019: "02-05", 2020: "01-25", 2021: "02-12", 2022: "02-01", 2023: "01-22",
	2024: "02-10", 2025: "01-29", 2026: "02-17", 2027: "02-06", 2028: "01-26", 2029: "02-13",
	2030: "02-03", 2031: "01-23", 2032: "02-11", 2033: "01-31", 2034: "02-19", 2035: "02-08",
}

// weekday factors in percent, Sunday first.
var weekdayFactor = [7]int{135, 80, 80, 85, 90, 110, 150}

// calendar is the window of days and how busy each is.
type calendar struct {
	start time.Time // midnight CST of day 0
	days  int
	cum   []int64 // cum[d] = sum of weights of days 0..d
	flags []uint8 // holiday flags per day
}

// Holiday flags of a day.
const (
	flagSpringFestival uint8 = 1 << iota // the festival fortnight (double points in the fallback table)
	flagNationalDay                      // 1–7 October
	flagShopping                         // 618 and Double 11 runs
)

// newCalendar covers the months before now (now's day included).
func newCalendar(now time.Time, months int) *calendar {
	now = now.In(cst)
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst)
	start := end.AddDate(0, -months, 0)
	days := int(end.Sub(start).Hours()/24+0.5) + 1
	c := &calendar{start: start, days: days, cum: make([]int64, days), flags: make([]uint8, days)}
	var total int64
	for d := range days {
		w, f := dayWeight(c.day(d))
		c.flags[d] = f
		total += int64(w)
		c.cum[d] = total
	}
	return c
}

// day is the midnight of day index d.
func (c *calendar) day(d int) time.Time { return c.start.AddDate(0, 0, d) }

// dayOf is the index of t's day (may be outside the window).
func (c *calendar) dayOf(t time.Time) int {
	t = t.In(cst)
	mid := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cst)
	return int(mid.Sub(c.start).Hours()/24 + 0.5)
}

// dayWeight is how busy a day is (100 = an ordinary Monday-ish day) and
// its holiday flags.
func dayWeight(t time.Time) (int, uint8) {
	w := weekdayFactor[t.Weekday()]
	var flags uint8
	m, d := t.Month(), t.Day()
	if sf, ok := springFestival[t.Year()]; ok {
		fest, _ := time.ParseInLocation("2006-01-02", itoa(t.Year())+"-"+sf, cst)
		off := int(t.Sub(fest).Hours() / 24)
		switch {
		case off >= -21 && off < -1: // 年货 shopping
			w = w * 190 / 100
			flags |= flagSpringFestival
		case off >= -1 && off <= 2: // 除夕 to 初三
			w = w * 55 / 100
			flags |= flagSpringFestival
		case off > 2 && off <= 7:
			w = w * 120 / 100
			flags |= flagSpringFestival
		}
	}
	switch {
	case m == time.June && d <= 18: // 618
		w = w * (110 + 8*d) / 100 // rising to 2.5× on the 18th
		flags |= flagShopping
	case m == time.November && d <= 11: // 双11
		w = w * (120 + 15*d) / 100 // rising to 2.85× on the 11th
		flags |= flagShopping
	case m == time.October && d <= 7: // 国庆
		w = w * 180 / 100
		flags |= flagNationalDay
	case m == time.December && d >= 20: // Christmas and year-end
		w = w * 120 / 100
	case m == time.May && (d <= 5 || d == 20): // 五一, 520
		w = w * 140 / 100
	}
	return w, flags
}

// pickDay draws a day in [lo, hi] by the days' weights.
func (c *calendar) pickDay(r *rand.Rand, lo, hi int) int {
	lo, hi = max(lo, 0), min(hi, c.days-1)
	if lo >= hi {
		return hi
	}
	var base int64
	if lo > 0 {
		base = c.cum[lo-1]
	}
	x := base + r.Int64N(c.cum[hi]-base)
	return lo + sort.Search(hi-lo+1, func(i int) bool { return c.cum[lo+i] > x })
}

// hourWeights is the share of a store's sales by hour (8:00–22:00): a
// lunch bump and the evening peak after work.
var hourWeights = newWeighted([]int{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21},
	[]int{3, 5, 7, 9, 10, 8, 6, 6, 7, 10, 14, 13, 9, 4})

// at is a moment of day d: an hour by the shape above, a random minute
// and second; never after now.
func (c *calendar) at(r *rand.Rand, d int, now time.Time) time.Time {
	t := c.day(d).Add(time.Duration(hourWeights.pick(r))*time.Hour +
		time.Duration(r.IntN(3600))*time.Second)
	if t.After(now) {
		t = now.Add(-time.Duration(r.IntN(3600)) * time.Second)
	}
	return t
}

func itoa(n int) string { return pad(uint64(n), 1) }
