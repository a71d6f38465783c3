package report

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"

	"github.com/tangram/tangram/engine/ext"
)

// ChartType is one kind of chart (one file chart_<key>.go each, registered
// in init() under "chart.<key>"; the UI half lives in
// builder-ui/src/extensions/charts/<key>/). Check says what the chart
// needs from a report; Build turns a result into what the UI renders: an
// ECharts option, or for table, pivot and KPI the component's settings.
type ChartType struct {
	Spec  ext.Spec
	Check func(c *Compiled, cfg map[string]any) error
	Build func(r *Result, cfg map[string]any) map[string]any
}

var charts = ext.NewRegistry[*ChartType]("chart types")

// RegisterChart adds a chart type; a duplicate key panics.
func RegisterChart(t *ChartType) { charts.Register(t.Spec.Key, t) }

// ChartTypes lists the registered chart types' specs, sorted by key (for
// the builder's palette).
func ChartTypes() []ext.Spec {
	var out []ext.Spec
	for _, k := range charts.Keys() {
		t, _ := charts.Get(k)
		out = append(out, t.Spec)
	}
	return out
}

// chartPlan is a report's chart: its type and settings.
type chartPlan struct {
	typ *ChartType
	cfg map[string]any
}

func (c *Compiled) compileChart(p *problems) {
	ch := c.Spec.Chart
	if ch == nil {
		ch = &Chart{Type: "chart.table"}
	}
	t, ok := charts.Get(ch.Type)
	if !ok {
		p.add("chart.type", "report.chart", ch.Type)
		return
	}
	cfg := map[string]any{}
	if len(ch.Config) > 0 && json.Unmarshal(ch.Config, &cfg) != nil {
		p.addf("chart.config", "report.invalid", "chart settings must be an object")
		return
	}
	if t.Check != nil {
		if err := t.Check(c, cfg); err != nil {
			p.addf("chart", "report.invalid", "%s: %v", ch.Type, err)
		}
	}
	c.chart = &chartPlan{typ: t, cfg: cfg}
}

// build renders the chart of a result.
func (cp *chartPlan) build(r *Result) *ChartSpec {
	if cp == nil {
		return nil
	}
	return &ChartSpec{Type: cp.typ.Spec.Key, Option: cp.typ.Build(r, cp.cfg)}
}

// chartSpec makes the self-description of a built-in chart type.
func chartSpec(key, zh, en, config string) ext.Spec {
	return ext.Spec{Key: key, Version: 1, Title: map[string]string{"zh-CN": zh, "en": en},
		Config: json.RawMessage(config), UIHint: "chart." + key[len("chart."):], Group: "charts"}
}

// needDims is a Check for charts that need between lo and hi dimensions
// and at least one measure.
func needDims(lo, hi int) func(c *Compiled, cfg map[string]any) error {
	return func(c *Compiled, _ map[string]any) error {
		n := c.outputDims()
		if n < lo || n > hi {
			if lo == hi {
				return fmt.Errorf("needs exactly %d dimension(s), the report has %d", lo, n)
			}
			return fmt.Errorf("needs %d to %d dimensions, the report has %d", lo, hi, n)
		}
		return nil
	}
}

// outputDims counts the dimensions of the result (segments replace the
// dimensions their rules name).
func (c *Compiled) outputDims() int {
	n := len(c.dims)
	if c.segments != nil {
		n = n - len(c.segments.dims) + 1
	}
	return n
}

// Helpers shared by the chart builders.

// measureCols lists the result's measure columns (the ones named by cfg
// "measures" when set).
func measureCols(r *Result, cfg map[string]any) []Column {
	want := map[string]bool{}
	if list, ok := cfg["measures"].([]any); ok {
		for _, m := range list {
			want[fmt.Sprint(m)] = true
		}
	}
	var out []Column
	for _, c := range r.Columns {
		if c.Role == RoleMeasure && (len(want) == 0 || want[c.Key]) {
			out = append(out, c)
		}
	}
	return out
}

func dimCols(r *Result) []Column {
	var out []Column
	for _, c := range r.Columns {
		if c.Role == RoleDimension {
			out = append(out, c)
		}
	}
	return out
}

// display is how a dimension value reads: its label, else the value.
func display(c Column, v any) string {
	if v == nil {
		return "—"
	}
	s := fmt.Sprint(v)
	if l, ok := c.Labels[s]; ok {
		return l
	}
	return s
}

// chartValue is a measure value as ECharts plots it: a JSON number, money
// converted from fen to yuan exactly, null kept.
func chartValue(c Column, v any) any {
	r := ratOf(v)
	if r == nil {
		return nil
	}
	if c.Format == FormatMoney {
		r = new(big.Rat).Quo(r, big.NewRat(100, 1))
		return json.Number(roundText(r, 2))
	}
	return numberOf(r, 4)
}

// categories lists the distinct values of a dimension in row order.
func categories(r *Result, d Column) ([]any, []string) {
	seen := map[string]bool{}
	var vals []any
	var names []string
	for _, row := range r.Rows {
		k := fmt.Sprint(row[d.Key])
		if !seen[k] {
			seen[k] = true
			vals = append(vals, row[d.Key])
			names = append(names, display(d, row[d.Key]))
		}
	}
	return vals, names
}

// sortedKeys lists a map's keys in order (deterministic options).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// othersLabel names the others row in charts.
func othersLabel(r *Result) string {
	if isEnglish(r.lang) {
		return "Others"
	}
	return "其他"
}

// valueRange is the smallest and largest number among vals (nil when
// none), for visual maps.
func valueRange(vals []any) (lo, hi any) {
	var l, h *big.Rat
	for _, v := range vals {
		if q := ratOf(v); q != nil {
			if l == nil || q.Cmp(l) < 0 {
				l = q
			}
			if h == nil || q.Cmp(h) > 0 {
				h = q
			}
		}
	}
	return numberOf(l, 2), numberOf(h, 2)
}
