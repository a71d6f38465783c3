package report

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tangram/tangram/engine/query"
)

// Running totals (Measure.Cumulative): member growth is new members per
// month and the member count at the end of each month. The total at the
// start of the period comes from one more aggregation (the same filter,
// the period replaced by "before it"), grouped by the other dimensions;
// each row then adds its own value to the running total of its group, in
// date order.

// timeDim is the first dimension that buckets a date or time into periods
// (not hour of day or day of week).
func (c *Compiled) timeDim() *dimPlan {
	for _, d := range c.dims {
		switch d.bucket {
		case query.BucketDay, query.BucketWeek, query.BucketMonth, query.BucketQuarter, query.BucketYear:
			return d
		}
	}
	return nil
}

// checkCumulative requires a date dimension for running totals and no
// regrouping of rows that would break their order.
func (c *Compiled) checkCumulative(p *problems) {
	for i, m := range c.measures {
		if !m.cumulative {
			continue
		}
		switch {
		case c.timeDim() == nil:
			p.addf(fmt.Sprintf("measures[%d].cumulative", i), "report.cumulative", "a running total needs a date dimension (bucket day to year)")
		case c.segments != nil || !c.noQuantiles():
			p.addf(fmt.Sprintf("measures[%d].cumulative", i), "report.cumulative", "a running total cannot be combined with segments or quantiles")
		}
	}
}

func (ex *execution) cumulate(ctx context.Context, rows []map[string]any, bound []bound) error {
	c := ex.c
	var ms []*measurePlan
	for _, m := range c.measures {
		if m.cumulative {
			ms = append(ms, m)
		}
	}
	td := c.timeDim()
	if len(ms) == 0 || td == nil {
		return nil
	}
	var others []*dimPlan
	for _, d := range c.dims {
		if d != td {
			others = append(others, d)
		}
	}
	group := func(row map[string]any) string {
		parts := make([]string, len(others))
		for i, d := range others {
			parts[i] = keyText(row[d.as])
		}
		return strings.Join(parts, "\x00")
	}
	start := map[string]map[string]any{}
	if before, ok := ex.beforePeriod(bound); ok {
		base, err := ex.aggregate(ctx, ex.spec(before, others, nil, 0))
		if err != nil {
			return err
		}
		for _, row := range base {
			start[group(row)] = row
		}
	}
	// Walk the rows in date order within each group, leaving their own
	// order (the report's sort) alone.
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := rows[order[i]], rows[order[j]]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		return compareAny(a[td.as], b[td.as]) < 0
	})
	running := map[string]map[string]any{}
	for _, i := range order {
		row := rows[i]
		g := group(row)
		acc := running[g]
		if acc == nil {
			acc = map[string]any{}
			for _, m := range ms {
				acc[m.as] = start[g][m.as]
			}
			running[g] = acc
		}
		for _, m := range ms {
			acc[m.as] = addNumbers(acc[m.as], row[m.as])
			row[m.as] = acc[m.as]
		}
	}
	return nil
}

// beforePeriod is the dataset filter with the period parameter replaced
// by "before the period starts"; ok is false without a bound period.
func (ex *execution) beforePeriod(params []bound) (*query.Node, bool) {
	var rest []bound
	var per *bound
	for i, b := range params {
		if b.period != nil && b.plan == ex.c.period {
			per = &params[i]
			continue
		}
		rest = append(rest, b)
	}
	if per == nil {
		return nil, false
	}
	f, err := ex.filterWith(rest)
	if err != nil {
		return nil, false
	}
	// The period filter's lower bound, negated: everything before it.
	from := periodFilter(per.plan.fi.q, *per.period, ex.c.loc).Children[0]
	return query.And(f, &query.Node{Op: query.OpLt, Field: from.Field, Value: from.Value}), true
}

// noQuantiles reports whether no dimension is a quantile score.
func (c *Compiled) noQuantiles() bool {
	for _, d := range c.dims {
		if d.quantiles > 0 {
			return false
		}
	}
	return true
}
