package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.line", "折线图", "Line", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"},"description":"measures to plot; default all"},
			"smooth":{"type":"boolean"}}}`),
		Check: needDims(1, 2),
		Build: func(r *Result, cfg map[string]any) map[string]any { return axisOption(r, cfg, "line", false, false) },
	})
}
