package report

import "fmt"

// axisOption builds the ECharts option of the category-axis charts (line,
// bar, stacked bar): the first dimension on the axis; with a second
// dimension, one series per value of it (first measure), otherwise one
// series per measure. The others row, when present, is the last category.
func axisOption(r *Result, cfg map[string]any, series string, stacked, horizontal bool) map[string]any {
	dims := dimCols(r)
	ms := measureCols(r, cfg)
	opt := map[string]any{"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{}}
	if len(dims) == 0 || len(ms) == 0 {
		opt["series"] = []any{}
		return opt
	}
	x := dims[0]
	xVals, xNames := categories(r, x)
	if r.Others != nil && len(dims) == 1 {
		xNames = append(xNames, othersLabel(r))
	}
	var out []any
	add := func(name string, data []any) {
		s := map[string]any{"name": name, "type": series, "data": data}
		if stacked {
			s["stack"] = "total"
		}
		if series == "line" {
			s["smooth"] = cfg["smooth"] == true
		}
		out = append(out, s)
	}
	if len(dims) >= 2 {
		y, m := dims[1], ms[0]
		yVals, yNames := categories(r, y)
		cell := map[[2]string]any{}
		for _, row := range r.Rows {
			cell[[2]string{keyText(row[x.Key]), keyText(row[y.Key])}] = chartValue(m, row[m.Key])
		}
		for j, yv := range yVals {
			data := make([]any, len(xVals))
			for i, xv := range xVals {
				data[i] = cell[[2]string{keyText(xv), keyText(yv)}]
			}
			add(yNames[j], data)
		}
	} else {
		for _, m := range ms {
			data := make([]any, 0, len(r.Rows)+1)
			for _, row := range r.Rows {
				data = append(data, chartValue(m, row[m.Key]))
			}
			if r.Others != nil {
				data = append(data, chartValue(m, r.Others[m.Key]))
			}
			add(m.Label, data)
		}
	}
	cat := map[string]any{"type": "category", "data": xNames, "name": x.Label}
	val := map[string]any{"type": "value"}
	if horizontal {
		opt["xAxis"], opt["yAxis"] = val, cat
	} else {
		opt["xAxis"], opt["yAxis"] = cat, val
	}
	opt["series"] = out
	return opt
}

// keyText identifies a dimension value in lookups.
func keyText(v any) string {
	if v == nil {
		return "\x00null"
	}
	return fmt.Sprint(v)
}
