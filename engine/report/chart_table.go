package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.table", "明细表", "Table", `{"type":"object","properties":{
			"pageSize":{"type":"integer","minimum":5,"maximum":500}}}`),
		Build: func(r *Result, cfg map[string]any) map[string]any {
			cols := make([]any, 0, len(r.Columns))
			for _, c := range r.Columns {
				cols = append(cols, map[string]any{"key": c.Key, "title": c.Label, "role": c.Role, "format": c.Format})
			}
			opt := map[string]any{"columns": cols}
			if ps, ok := cfg["pageSize"]; ok {
				opt["pageSize"] = ps
			}
			return opt
		},
	})
}
