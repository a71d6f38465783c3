package report

import "fmt"

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.kpi", "指标卡", "KPI card", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"},"description":"the measures shown, the first one large"}}}`),
		Check: func(c *Compiled, _ map[string]any) error {
			if c.outputDims() > 0 {
				return fmt.Errorf("a KPI card shows totals: the report must have no dimensions")
			}
			return nil
		},
		Build: kpiOption,
	})
}

// kpiOption lists each measure with its value and, per comparison, the
// compared value and change; the card component renders it.
func kpiOption(r *Result, cfg map[string]any) map[string]any {
	var row map[string]any
	if len(r.Rows) > 0 {
		row = r.Rows[0]
	}
	var items []any
	for _, m := range measureCols(r, cfg) {
		it := map[string]any{"key": m.Key, "label": m.Label, "format": m.Format, "value": row[m.Key]}
		cmp := map[string]any{}
		for _, c := range r.Columns {
			if c.Of == m.Key && c.Role == RoleCompare {
				cmp[c.Compare] = map[string]any{"value": row[c.Key], "change": row[changeKey(m.Key, c.Compare)]}
			}
		}
		if len(cmp) > 0 {
			it["compare"] = cmp
		}
		items = append(items, it)
	}
	return map[string]any{"items": items}
}
