package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// gaps warns about values of a range column that no row covers, between
// ranges that rows do cover: thresholds 0–1000 and 2000–5000 leave
// 1000–2000 to nobody, usually a typo in a tier table. It looks only at a
// table whose range conditions all sit in one column; rows that test the
// other columns the same way (same cells, same effective dates) are one
// group, and each group is checked on its own, so a table of thresholds per
// channel is checked per channel. Gaps are warnings: a default may be
// exactly what the author wants there.
func (a *analyzer) gaps() {
	rc := -1
	for ri := range a.t.rows {
		for _, c := range a.t.rows[ri].conds {
			if !c.isRange() {
				continue
			}
			if rc >= 0 && rc != c.col {
				return
			}
			rc = c.col
		}
	}
	if rc < 0 {
		return
	}
	var order []string
	groups := map[string][]int{}
	for ri := range a.t.rows {
		if a.void[ri] {
			continue
		}
		key := a.groupKey(ri, rc)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], ri)
	}
	for _, key := range order {
		a.groupGaps(rc, groups[key])
	}
}

// groupKey names what a row tests besides column rc.
func (a *analyzer) groupKey(ri, rc int) string {
	r := &a.t.rows[ri]
	var b strings.Builder
	for _, c := range r.conds {
		if c.col != rc {
			fmt.Fprintf(&b, "%d=%s;", c.col, c.raw)
		}
	}
	if r.hasFrom {
		fmt.Fprintf(&b, "from=%d;", r.from)
	}
	if r.hasTo {
		fmt.Fprintf(&b, "to=%d;", r.to)
	}
	return b.String()
}

func (a *analyzer) groupGaps(rc int, rows []int) {
	var union *ranges
	ranged := false
	for _, ri := range rows {
		set := a.boxes[ri][rc].(*ranges)
		for _, c := range a.t.rows[ri].conds {
			if c.col == rc && c.isRange() {
				ranged = true
			}
		}
		if union == nil {
			union = set
		} else {
			union = union.union(set)
		}
	}
	if !ranged {
		return
	}
	col := a.t.inputs[rc]
	for k := 0; k+1 < len(union.spans); k++ {
		lo := bound{v: union.spans[k].hi.v, incl: !union.spans[k].hi.incl}
		hi := bound{v: union.spans[k+1].lo.v, incl: !union.spans[k+1].lo.incl}
		a.warn(a.rowStarting(rows, rc, union.spans[k+1].lo), "rule.gap", "no row covers %s %s; %s",
			col.Key, a.describeSpan(col.Type, lo, hi), a.gapOutcome())
	}
}

// rowStarting finds the row of the group whose range begins where a gap
// ends: the cell to widen.
func (a *analyzer) rowStarting(rows []int, rc int, lo bound) string {
	for _, ri := range rows {
		for _, s := range a.boxes[ri][rc].(*ranges).spans {
			if !s.lo.inf && s.lo.incl == lo.incl && s.lo.v.Equal(lo.v) {
				return fmt.Sprintf("rows[%d].when%s", ri, keyPath(a.t.inputs[rc].Key))
			}
		}
	}
	return fmt.Sprintf("inputs[%d]", rc)
}

// describeSpan renders a gap: closed for integers and dates ("1000 to
// 1999"), with brackets for decimals ("[1000, 2000)"), half-open words for
// instants.
func (a *analyzer) describeSpan(t Type, lo, hi bound) string {
	switch t {
	case TypeInt, TypeDate:
		// Discrete spans are half-open: the last value is hi - 1.
		last := hi.v.Sub(decimal.NewFromInt(1))
		if last.Equal(lo.v) {
			return "= " + a.formatNumber(t, lo.v)
		}
		return "from " + a.formatNumber(t, lo.v) + " to " + a.formatNumber(t, last)
	case TypeDatetime:
		return "from " + time.Unix(0, lo.v.IntPart()).In(a.t.loc).Format(time.RFC3339) +
			" (inclusive) to " + time.Unix(0, hi.v.IntPart()).In(a.t.loc).Format(time.RFC3339) + " (exclusive)"
	}
	open, closeB := "(", ")"
	if lo.incl {
		open = "["
	}
	if hi.incl {
		closeB = "]"
	}
	return "in " + open + lo.v.String() + ", " + hi.v.String() + closeB
}

// gapOutcome says what an input in a gap gets.
func (a *analyzer) gapOutcome() string {
	if a.t.policy == Collect || a.t.policy == Sum {
		return "such inputs match none of these rows"
	}
	for _, o := range a.t.outputs {
		if !o.hasDef {
			return "such inputs match no row (matched=false)"
		}
	}
	return "such inputs match no row and get the defaults"
}
