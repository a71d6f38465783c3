package report

import (
	"fmt"
	"slices"
)

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.pivot", "透视表", "Pivot table", `{"type":"object","properties":{
			"rows":{"type":"array","items":{"type":"string"},"description":"dimensions down the side"},
			"columns":{"type":"array","items":{"type":"string"},"description":"dimensions across the top"}}}`),
		Check: func(c *Compiled, cfg map[string]any) error {
			if n := c.outputDims(); n < 1 || n > 3 {
				return fmt.Errorf("needs 1 to 3 dimensions")
			}
			for _, side := range []string{"rows", "columns"} {
				list, _ := cfg[side].([]any)
				for _, k := range list {
					if !c.isDim(fmt.Sprint(k)) && (c.segments == nil || c.segments.as != fmt.Sprint(k)) {
						return fmt.Errorf("%s names %v, which is not a dimension", side, k)
					}
				}
			}
			return nil
		},
		Build: pivotOption,
	})
}

// pivotOption says which dimensions go down and across (by default the
// last one across) and which measures fill the cells; subtotal rows come
// with the result (Spec.Subtotals).
func pivotOption(r *Result, cfg map[string]any) map[string]any {
	var dims []string
	for _, d := range dimCols(r) {
		dims = append(dims, d.Key)
	}
	rows, cols := names(cfg["rows"]), names(cfg["columns"])
	if rows == nil && cols == nil && len(dims) > 0 {
		rows, cols = dims[:len(dims)-1], dims[len(dims)-1:]
		if len(dims) == 1 {
			rows, cols = dims, nil
		}
	}
	var vals []string
	for _, m := range measureCols(r, cfg) {
		vals = append(vals, m.Key)
	}
	return map[string]any{"rows": rows, "columns": cols, "values": vals, "subtotals": len(r.Subtotals) > 0}
}

func names(v any) []string {
	list, ok := v.([]any)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, fmt.Sprint(x))
	}
	return slices.Clip(out)
}
