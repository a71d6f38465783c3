package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.heatmap", "热力图", "Heat map", `{"type":"object","properties":{
			"measures":{"type":"array","items":{"type":"string"},"maxItems":1}}}`),
		// Two dimensions: hour of day by weekday, store by month, cohort by
		// month of activity.
		Check: needDims(2, 2),
		Build: heatmapOption,
	})
}

func heatmapOption(r *Result, cfg map[string]any) map[string]any {
	dims, ms := dimCols(r), measureCols(r, cfg)
	opt := map[string]any{"tooltip": map[string]any{"position": "top"}}
	if len(dims) < 2 || len(ms) == 0 {
		opt["series"] = []any{}
		return opt
	}
	x, y, m := dims[0], dims[1], ms[0]
	xVals, xNames := categories(r, x)
	yVals, yNames := categories(r, y)
	xi, yi := index(xVals), index(yVals)
	var data, vals []any
	for _, row := range r.Rows {
		v := chartValue(m, row[m.Key])
		data = append(data, []any{xi[keyText(row[x.Key])], yi[keyText(row[y.Key])], v})
		vals = append(vals, v)
	}
	lo, hi := valueRange(vals)
	opt["xAxis"] = map[string]any{"type": "category", "data": xNames, "name": x.Label, "splitArea": map[string]any{"show": true}}
	opt["yAxis"] = map[string]any{"type": "category", "data": yNames, "name": y.Label, "splitArea": map[string]any{"show": true}}
	opt["visualMap"] = map[string]any{"min": lo, "max": hi, "calculable": true, "orient": "horizontal", "left": "center"}
	opt["series"] = []any{map[string]any{"name": m.Label, "type": "heatmap", "data": data, "label": map[string]any{"show": cfg["labels"] == true}}}
	return opt
}

func index(vals []any) map[string]int {
	out := make(map[string]int, len(vals))
	for i, v := range vals {
		out[keyText(v)] = i
	}
	return out
}
