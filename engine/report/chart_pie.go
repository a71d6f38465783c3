package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.pie", "饼图", "Pie", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"},"maxItems":1}}}`),
		Check: needDims(1, 1),
		Build: func(r *Result, cfg map[string]any) map[string]any { return pieOption(r, cfg, "60%") },
	})
}

// pieOption is a pie (radius "60%") or donut (radius ["40%", "70%"]) of
// the first measure by the dimension, the others row as one slice.
func pieOption(r *Result, cfg map[string]any, radius any) map[string]any {
	dims, ms := dimCols(r), measureCols(r, cfg)
	opt := map[string]any{"tooltip": map[string]any{"trigger": "item"}, "legend": map[string]any{}}
	if len(dims) == 0 || len(ms) == 0 {
		opt["series"] = []any{}
		return opt
	}
	d, m := dims[0], ms[0]
	var data []any
	for _, row := range r.Rows {
		data = append(data, map[string]any{"name": display(d, row[d.Key]), "value": chartValue(m, row[m.Key])})
	}
	if r.Others != nil {
		data = append(data, map[string]any{"name": othersLabel(r), "value": chartValue(m, r.Others[m.Key])})
	}
	opt["series"] = []any{map[string]any{"name": m.Label, "type": "pie", "radius": radius, "data": data}}
	return opt
}
