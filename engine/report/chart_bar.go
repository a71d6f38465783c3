package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.bar", "柱状图", "Bar", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"}},
			"horizontal":{"type":"boolean","description":"bars along the y axis (rankings)"},
			"stacked":{"type":"boolean"}}}`),
		Check: needDims(1, 2),
		Build: func(r *Result, cfg map[string]any) map[string]any {
			return axisOption(r, cfg, "bar", cfg["stacked"] == true, cfg["horizontal"] == true)
		},
	})
}
