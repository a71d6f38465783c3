package report

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/query"
)

// Period-over-period comparison: each comparison reruns the aggregation
// with the period parameter moved ("previousPeriod": as long and just
// before, calendar months against calendar months; "lastYear": the same
// days a year earlier), then matches its rows to the current ones. Rows
// match on their dimension values, where a date bucket over the period's
// own field is moved forward by the shift first: March 2025 meets March
// 2026 in a year-on-year trend.

func (ex *execution) compareRows(ctx context.Context, r *Result, sc map[string]*scoring) error {
	c := ex.c
	var cur *bound
	for i := range ex.bound {
		if ex.bound[i].plan == c.period && ex.bound[i].period != nil {
			cur = &ex.bound[i]
		}
	}
	if len(c.compare) == 0 || cur == nil {
		return nil
	}
	r.Periods = map[string]Period{"current": *cur.period}
	for _, cmp := range c.compare {
		prev := shifted(*cur.period, cmp)
		r.Periods[cmp] = prev
		bound := append([]bound{}, ex.bound...)
		for i := range bound {
			if bound[i].plan == c.period {
				bound[i].period = &prev
			}
		}
		filter, err := ex.filterWith(bound)
		if err != nil {
			return err
		}
		rows, err := ex.aggregate(ctx, ex.spec(filter, c.dims, sc, 0))
		if err != nil {
			return err
		}
		got, err := ex.finish(ctx, rows, sc, bound, true)
		if err != nil {
			return err
		}
		move := ex.keyShift(*cur.period, prev, cmp)
		byKey := map[string]map[string]any{}
		for _, row := range got {
			byKey[ex.rowKey(row, move)] = row
		}
		for _, row := range r.Rows {
			match := byKey[ex.rowKey(row, nil)]
			for _, m := range c.measures {
				v := match[m.as]
				if match == nil && m.additive() && !m.cumulative {
					v = zero
				}
				row[compareKey(m.as, cmp)] = v
				row[changeKey(m.as, cmp)] = change(row[m.as], v)
			}
		}
	}
	return nil
}

var zero = jsonZero()

// change is cur / prev - 1 to four places, null without a base.
func change(cur, prev any) any {
	q := ratio(cur, prev)
	if q == nil {
		return nil
	}
	return numberOf(q.Sub(q, big.NewRat(1, 1)), 4)
}

// rowKey identifies a row by its dimension (or segment) values, date
// buckets over the period field passed through move when given.
func (ex *execution) rowKey(row map[string]any, move func(d *dimPlan, key string) string) string {
	var b strings.Builder
	for _, d := range ex.c.dims {
		if ex.c.segments != nil && ex.c.segments.dims[d.as] {
			continue
		}
		k := keyText(row[d.as])
		if move != nil && row[d.as] != nil {
			k = move(d, k)
		}
		b.WriteString(k)
		b.WriteByte(0)
	}
	if ex.c.segments != nil {
		b.WriteString(keyText(row[ex.c.segments.as]))
	}
	return b.String()
}

// keyShift moves the bucket keys of the period's field from the compared
// period to the current one.
func (ex *execution) keyShift(cur, prev Period, cmp string) func(d *dimPlan, key string) string {
	pf, _ := time.Parse(dateLayout, prev.From)
	cf, _ := time.Parse(dateLayout, cur.From)
	shift := func(t time.Time) time.Time { return t.AddDate(0, 0, int(cf.Sub(pf).Hours()/24)) }
	if cmp == compareLastYear {
		shift = func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	} else if pf.Day() == 1 && cf.Day() == 1 {
		months := (cf.Year()-pf.Year())*12 + int(cf.Month()) - int(pf.Month())
		shift = func(t time.Time) time.Time { return t.AddDate(0, months, 0) }
	}
	period := ex.c.period.fi.q.Path
	return func(d *dimPlan, key string) string {
		if d.fi.q.Path != period || d.bucket == "" || d.bucket == query.BucketHourOfDay || d.bucket == query.BucketDayOfWeek {
			return key
		}
		t, ok := bucketStart(d.bucket, key)
		if !ok {
			return key
		}
		return query.BucketKey(shift(t), d.bucket, time.UTC)
	}
}

// bucketStart reads a bucket key back as the first day it covers (UTC
// midnight: keys are calendar dates).
func bucketStart(b query.Bucket, key string) (time.Time, bool) {
	var layout string
	switch b {
	case query.BucketDay, query.BucketWeek:
		layout = dateLayout
	case query.BucketMonth:
		layout = "2006-01"
	case query.BucketYear:
		layout = "2006"
	case query.BucketQuarter:
		var y, q int
		if _, err := fmt.Sscanf(key, "%d-Q%d", &y, &q); err != nil || q < 1 || q > 4 {
			return time.Time{}, false
		}
		return time.Date(y, time.Month((q-1)*3+1), 1, 0, 0, 0, 0, time.UTC), true
	default:
		return time.Time{}, false
	}
	t, err := time.Parse(layout, key)
	return t, err == nil
}
