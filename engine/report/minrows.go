package report

import "maps"

// Distinct counts of values having at least N rows in the group
// (Measure.MinRows): "repeat buyers" are the members with 2 or more
// completed orders in the period, so the standard repurchase rate is a
// formula over two measures of one report:
//
//	{"op": "countDistinct", "field": "member", "filter": {"status": "completed"}, "as": "buyers"}
//	{"op": "countDistinct", "field": "member", "filter": {"status": "completed"}, "minRows": 2, "as": "repeatBuyers"}
//	{"op": "formula", "formula": "repeatBuyers / buyers", "as": "rate"}
//
// The store computes it per group of the report's dimensions (a group by
// the dimensions and the field, then a count per dimensions:
// query.Measure.MinRows), so a member whose two orders fall in two months
// repeats in neither month. Like any distinct count it is not additive:
// others rows, totals, subtotals and comparisons are further store
// aggregations, never sums of rows, and it cannot be cumulative, in a
// segment, or read from a rollup (whose rows are days, not records).

var minRowsMessages = map[string][2]string{
	"report.min_rows":        {"minRows 只适用于去重计数（countDistinct），且为 1 到 %d 之间的整数", "minRows applies to countDistinct measures only and is an integer from 1 to %d"},
	"report.min_rows_rollup": {"带 minRows 的去重计数不能从汇总表（rollup）计算，请去掉 rollup 或此度量", "a countDistinct with minRows cannot be read from a rollup; drop the rollup or this measure"},
}

func init() { maps.Copy(messages, minRowsMessages) }

// maxMinRows bounds MinRows (as the meta-schema does).
const maxMinRows = 1000000

// checkMinRows checks and records a measure's MinRows.
func (c *Compiled) checkMinRows(m Measure, mp *measurePlan, at string, p *problems) {
	if m.MinRows == nil {
		return
	}
	n := *m.MinRows
	switch {
	case m.Op != "countDistinct" || n < 1 || n > maxMinRows:
		p.add(at+".minRows", "report.min_rows", maxMinRows)
	case c.Spec.Rollup != nil:
		p.add(at+".minRows", "report.min_rows_rollup")
	default:
		mp.minRows = n
	}
}
