package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.donut", "环形图", "Donut", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"},"maxItems":1}}}`),
		Check: needDims(1, 1),
		Build: func(r *Result, cfg map[string]any) map[string]any {
			return pieOption(r, cfg, []any{"40%", "70%"})
		},
	})
}
