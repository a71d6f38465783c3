package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.stacked_bar", "堆叠柱状图", "Stacked bar", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"}},
			"horizontal":{"type":"boolean"}}}`),
		// The second dimension is what stacks (sales by month, stacked by
		// region); with one dimension the measures stack.
		Check: needDims(1, 2),
		Build: func(r *Result, cfg map[string]any) map[string]any {
			return axisOption(r, cfg, "bar", true, cfg["horizontal"] == true)
		},
	})
}
