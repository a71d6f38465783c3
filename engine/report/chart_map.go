package report

func init() {
	RegisterChart(&ChartType{
		Spec: chartSpec("chart.map", "省份地图", "Map by province", `{"type":"object","properties":{
			"map":{"type":"string","enum":["china"],"default":"china"},
			"measures":{"type":"array","items":{"type":"string"},"maxItems":1}}}`),
		// The dimension holds province names as stored ("浙江省"); the UI
		// matches them to the registered map's region names.
		Check: needDims(1, 1),
		Build: mapOption,
	})
}

func mapOption(r *Result, cfg map[string]any) map[string]any {
	dims, ms := dimCols(r), measureCols(r, cfg)
	opt := map[string]any{"tooltip": map[string]any{"trigger": "item"}}
	if len(dims) == 0 || len(ms) == 0 {
		opt["series"] = []any{}
		return opt
	}
	d, m := dims[0], ms[0]
	var data, vals []any
	for _, row := range r.Rows {
		v := chartValue(m, row[m.Key])
		data = append(data, map[string]any{"name": display(d, row[d.Key]), "value": v})
		vals = append(vals, v)
	}
	lo, hi := valueRange(vals)
	name := "china"
	if s, ok := cfg["map"].(string); ok {
		name = s
	}
	opt["visualMap"] = map[string]any{"min": lo, "max": hi, "calculable": true, "left": "left"}
	opt["series"] = []any{map[string]any{"name": m.Label, "type": "map", "map": name, "data": data}}
	return opt
}
