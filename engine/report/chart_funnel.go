package report

import "fmt"

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.funnel", "漏斗图", "Funnel", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"},"description":"the stages, in order, when the report has no dimension"}}}`),
		// Without a dimension the measures are the stages (issued, used);
		// with one, its values are (ranked by the first measure).
		Check: func(c *Compiled, _ map[string]any) error {
			if c.outputDims() > 1 {
				return fmt.Errorf("needs at most one dimension")
			}
			return nil
		},
		Build: funnelOption,
	})
}

func funnelOption(r *Result, cfg map[string]any) map[string]any {
	dims, ms := dimCols(r), measureCols(r, cfg)
	var data []any
	switch {
	case len(ms) == 0:
	case len(dims) == 0 && len(r.Rows) > 0:
		for _, m := range ms {
			data = append(data, map[string]any{"name": m.Label, "value": chartValue(m, r.Rows[0][m.Key])})
		}
	case len(dims) > 0:
		d, m := dims[0], ms[0]
		for _, row := range r.Rows {
			data = append(data, map[string]any{"name": display(d, row[d.Key]), "value": chartValue(m, row[m.Key])})
		}
	}
	return map[string]any{
		"tooltip": map[string]any{"trigger": "item"},
		"series":  []any{map[string]any{"type": "funnel", "sort": "descending", "data": data}},
	}
}
