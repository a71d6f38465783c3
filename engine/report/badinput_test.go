package report

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// fieldPaths renders an error's field errors as "path code", sorted.
func fieldPaths(err error) []string {
	e, ok := errs.As(err)
	if !ok {
		return []string{fmt.Sprint(err)}
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Path+" "+f.Code)
	}
	sort.Strings(out)
	return out
}

// Saving a bad report is a 422 naming every problem's path: the cross
// check compiles the report against the app's forms.
func TestSaveRefusesBadReports(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, spec string
		want       []string
	}{
		{"unknown form", `{"title": "x", "dataset": {"form": "nope"}, "measures": [{"op": "count"}]}`,
			[]string{"spec.dataset.form report.form"}},
		{"unknown dimension and measure field", `{"title": "x", "dataset": {"form": "transactions"},
			"dimensions": [{"field": "ghost"}], "measures": [{"op": "sum", "field": "nothing"}]}`,
			[]string{"spec.dimensions[0].field report.unknown_field", "spec.measures[0].field report.unknown_field"}},
		{"measures on text", `{"title": "x", "dataset": {"form": "transactions"}, "measures": [{"op": "sum", "field": "receiptId"}, {"op": "avg", "field": "status"}]}`,
			[]string{"spec.measures[0].field report.measure_type", "spec.measures[1].field report.measure_type"}},
		{"join through a non-relation", `{"title": "x", "dataset": {"form": "transactions", "joins": [{"relation": "status", "as": "s"}, {"relation": "paidAt", "as": "p"}]},
			"measures": [{"op": "count"}]}`,
			[]string{"spec.dataset.joins[0].relation report.not_relation", "spec.dataset.joins[1].relation report.not_relation"}},
		{"join alias shadows a field", `{"title": "x", "dataset": {"form": "transactions", "joins": [{"relation": "store", "as": "paid"}]}, "measures": [{"op": "count"}]}`,
			[]string{"spec.dataset.joins[0].as report.join_alias"}},
		{"date bucket on a non-date", `{"title": "x", "dataset": {"form": "transactions"}, "dimensions": [{"field": "paid", "bucket": "month"}, {"field": "day", "bucket": "hourOfDay"}],
			"measures": [{"op": "count"}]}`,
			[]string{"spec.dimensions[0].bucket report.bucket_type", "spec.dimensions[1].bucket report.bucket_type"}},
		{"joined field needs its join", `{"title": "x", "dataset": {"form": "transactions"}, "dimensions": [{"field": "store.region"}], "measures": [{"op": "count"}]}`,
			[]string{"spec.dimensions[0].field report.unknown_field"}},
		{"formula naming nothing", `{"title": "x", "dataset": {"form": "transactions"}, "measures": [{"op": "count", "as": "n"},
			{"op": "formula", "formula": "n / later", "as": "r"}, {"op": "formula", "formula": "(n +", "as": "bad"}, {"op": "sum", "field": "paid", "as": "later"}]}`,
			[]string{"spec.measures[1].formula report.formula_ref", "spec.measures[2].formula report.formula"}},
		{"bad filters and parameters", `{"title": "x", "dataset": {"form": "transactions", "filter": {"paid": {"$regex": "1"}}},
			"parameters": [{"key": "p", "type": "dateRange", "field": "status"}, {"key": "q", "type": "value", "field": "paid", "default": "lots"}],
			"measures": [{"op": "count", "filter": {"nope": 1}}]}`,
			[]string{"spec.dataset.filter.paid.$regex query.unknown_operator", "spec.measures[0].filter.nope query.unknown_field",
				"spec.parameters[0].field report.param", "spec.parameters[1].default report.param"}},
		{"others without limit, compare without period", `{"title": "x", "dataset": {"form": "transactions"}, "dimensions": [{"field": "store"}],
			"measures": [{"op": "count"}], "others": true, "compare": ["lastYear"]}`,
			[]string{"spec.compare[0] report.compare", "spec.others report.others"}},
		{"cumulative distinct, unknown chart", `{"title": "x", "dataset": {"form": "transactions"}, "dimensions": [{"field": "paidAt", "bucket": "month"}],
			"measures": [{"op": "countDistinct", "field": "member", "cumulative": true}], "chart": {"type": "chart.sparkle"}}`,
			[]string{"spec.chart.type report.chart", "spec.measures[0].cumulative report.cumulative"}},
		{"chart shape", `{"title": "x", "dataset": {"form": "transactions"}, "dimensions": [{"field": "store"}], "measures": [{"op": "count"}], "chart": {"type": "chart.heatmap"}}`,
			[]string{"spec.chart report.invalid"}},
		{"segments over text", `{"title": "x", "dataset": {"form": "transactions"}, "dimensions": [{"field": "status", "as": "s"}],
			"measures": [{"op": "countDistinct", "field": "member"}], "segments": {"as": "g", "rules": [{"key": "a", "when": {"s": [1, 2]}}]}}`,
			[]string{"spec.measures[0].op report.segments", "spec.segments.rules[0].when.s report.segments"}},
		{"rollup outside the form", `{"title": "x", "dataset": {"form": "transactions"}, "measures": [{"op": "count"}],
			"rollup": {"dateField": "status", "grain": ["ghost", "nope"]}}`,
			[]string{"spec.rollup.dateField report.rollup", "spec.rollup.grain[0] report.rollup", "spec.rollup.grain[1] report.rollup"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.tryPublish(meta.KindReport, "bad", tc.spec)
			if errs.ClassOf(err) != errs.Unprocessable {
				t.Fatalf("got %v, want 422", err)
			}
			if got := fieldPaths(err); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// Parameters of the wrong type, unknown ones and missing required ones are
// 400s with "parameters.<key>" paths; nothing runs.
func TestRunRefusesBadParameters(t *testing.T) {
	e := newEnv(t)
	e.load(2, 5, 20)
	e.publish(meta.KindReport, "sales", salesByRegionTier)
	e.publish(meta.KindReport, "need", `{"title": "n", "dataset": {"form": "transactions"}, "parameters": [{"key": "ch", "type": "value", "field": "channel", "required": true}],
		"measures": [{"op": "count"}]}`)
	for _, tc := range []struct {
		key    string
		params map[string]any
		want   string
	}{
		{"sales", map[string]any{"period": "someday"}, "parameters.period report.param"},
		{"sales", map[string]any{"period": map[string]any{"from": "2026-02-30", "to": "2026-03-01"}}, "parameters.period report.param"},
		{"sales", map[string]any{"period": map[string]any{"from": "2026-03-01", "to": "2026-02-01"}}, "parameters.period report.param"},
		{"sales", map[string]any{"period": map[string]any{"from": "2026-03-01", "to": "2026-03-02", "x": 1}}, "parameters.period report.param"},
		{"sales", map[string]any{"region": 12}, "parameters.region report.param"},
		{"sales", map[string]any{"region": map[string]any{"$ne": "east"}}, "parameters.region report.param"},
		{"sales", map[string]any{"store": "x"}, "parameters.store report.param_unknown"},
		{"need", nil, "parameters.ch report.param_required"},
	} {
		before := e.svc.Stats.Aggregations.Load()
		_, err := e.tryRun(e.admin, tc.key, tc.params)
		if errs.ClassOf(err) != errs.Invalid || strings.Join(fieldPaths(err), ",") != tc.want {
			t.Errorf("%v: got %v (%v), want 400 %s", tc.params, err, fieldPaths(err), tc.want)
		}
		if e.svc.Stats.Aggregations.Load() != before {
			t.Errorf("%v: an aggregation ran", tc.params)
		}
	}
	// A list of 1001 values is too many.
	many := make([]string, 1001)
	if _, err := e.tryRun(e.admin, "sales", map[string]any{"region": many}); errs.ClassOf(err) != errs.Invalid {
		t.Errorf("1001 values: %v", err)
	}
	// A missing report is a 404.
	if _, err := e.tryRun(e.admin, "ghost", nil); errs.ClassOf(err) != errs.NotFound {
		t.Errorf("missing report: %v", err)
	}
}

// A result larger than the row limit says it was truncated.
func TestTruncatedResult(t *testing.T) {
	e := newEnv(t)
	e.load(2, 5, MaxRows+50)
	e.publish(meta.KindReport, "per-receipt", `{"title": "r", "dataset": {"form": "transactions"}, "dimensions": [{"field": "receiptId"}], "measures": [{"op": "count"}]}`)
	r := e.run(e.admin, "per-receipt", nil)
	if !r.Truncated || len(r.Rows) != MaxRows {
		t.Errorf("truncated %v with %d rows", r.Truncated, len(r.Rows))
	}
}
