package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/tangram/tangram/engine/meta"
)

// Every registered chart type describes itself and builds an option from
// a report of the shape it accepts.
func TestChartTypes(t *testing.T) {
	e := newEnv(t)
	e.load(6, 40, 600)
	shapes := map[string]string{
		"chart.kpi":         `"measures": [{"op": "sum", "field": "paid", "as": "sales"}, {"op": "count", "as": "orders"}]`,
		"chart.line":        `"dimensions": [{"field": "paidAt", "bucket": "month", "as": "m"}], "measures": [{"op": "sum", "field": "paid", "as": "sales"}]`,
		"chart.bar":         `"dimensions": [{"field": "channel"}], "measures": [{"op": "count", "as": "n"}, {"op": "sum", "field": "paid", "as": "sales"}]`,
		"chart.stacked_bar": `"dimensions": [{"field": "paidAt", "bucket": "quarter", "as": "q"}, {"field": "channel"}], "measures": [{"op": "sum", "field": "paid", "as": "sales"}]`,
		"chart.pie":         `"dimensions": [{"field": "status"}], "measures": [{"op": "count", "as": "n"}]`,
		"chart.donut":       `"dimensions": [{"field": "status"}], "measures": [{"op": "count", "as": "n"}]`,
		"chart.funnel":      `"measures": [{"op": "count", "as": "all"}, {"op": "count", "filter": {"status": "completed"}, "as": "kept"}]`,
		"chart.table":       `"dimensions": [{"field": "store"}], "measures": [{"op": "count", "as": "n"}]`,
		"chart.pivot":       `"dimensions": [{"field": "channel"}, {"field": "status"}], "measures": [{"op": "count", "as": "n"}], "subtotals": true`,
		"chart.map":         `"dataset": {"form": "transactions", "joins": [{"relation": "store", "as": "store"}]}, "dimensions": [{"field": "store.province", "as": "province"}], "measures": [{"op": "sum", "field": "paid", "as": "sales"}]`,
		"chart.heatmap":     `"dimensions": [{"field": "paidAt", "bucket": "hourOfDay", "as": "h"}, {"field": "paidAt", "bucket": "dayOfWeek", "as": "d"}], "measures": [{"op": "count", "as": "n"}]`,
	}
	for _, spec := range ChartTypes() {
		t.Run(spec.Key, func(t *testing.T) {
			if spec.Title["zh-CN"] == "" || spec.Title["en"] == "" || len(spec.Config) == 0 {
				t.Errorf("spec %+v", spec)
			}
			body, ok := shapes[spec.Key]
			if !ok {
				t.Fatalf("no test shape for %s", spec.Key)
			}
			if !strings.Contains(body, `"dataset"`) {
				body = `"dataset": {"form": "transactions"}, ` + body
			}
			key := strings.ReplaceAll(strings.TrimPrefix(spec.Key, "chart."), "_", "-")
			e.publish(meta.KindReport, key, fmt.Sprintf(`{"title": "t", %s, "chart": {"type": %q}}`, body, spec.Key))
			r := e.run(e.admin, key, nil)
			if r.Chart == nil || r.Chart.Type != spec.Key || len(r.Chart.Option) == 0 {
				t.Fatalf("chart %+v", r.Chart)
			}
			switch spec.Key {
			case "chart.kpi":
				items := r.Chart.Option["items"].([]any)
				if len(items) != 2 || items[0].(map[string]any)["format"] != FormatMoney {
					t.Errorf("kpi items %v", items)
				}
			case "chart.pivot":
				if len(r.Subtotals) != 2 || r.Subtotals[1].Level != 0 || len(r.Subtotals[1].Rows) != 1 {
					t.Errorf("subtotals %+v", r.Subtotals)
				}
				var total int64
				for _, row := range r.Rows {
					total += intOf(row["n"])
				}
				if intOf(r.Subtotals[1].Rows[0]["n"]) != total {
					t.Errorf("grand total %v, rows sum %d", r.Subtotals[1].Rows[0], total)
				}
			case "chart.heatmap":
				data := r.Chart.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
				if len(data) != len(r.Rows) || len(data[0].([]any)) != 3 {
					t.Errorf("heatmap data %v", data)
				}
			case "chart.line":
				// Money is plotted in yuan.
				s := r.Chart.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
				if fmt.Sprint(s[0]) != roundText(ratio(r.Rows[0]["sales"], int64(100)), 2) {
					t.Errorf("line point %v for %v fen", s[0], r.Rows[0]["sales"])
				}
			}
		})
	}
}

func TestExportResult(t *testing.T) {
	e := newEnv(t)
	e.load(5, 30, 300)
	e.publish(meta.KindReport, "ranking", storeRanking)
	r := e.run(e.admin, "ranking", nil)
	var buf bytes.Buffer
	if err := WriteResult(&buf, r, FormatCSV); err != nil {
		t.Fatal(err)
	}
	text := strings.TrimPrefix(buf.String(), "\uFEFF")
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+3+2 || recs[0][1] != r.Columns[1].Label || recs[4][0] != "Others" || recs[5][0] != "Total" {
		t.Fatalf("csv %q", recs)
	}
	// A store reads as its name, money as yuan.
	if recs[1][0] != r.Columns[0].Labels[fmt.Sprint(r.Rows[0]["store"])] || recs[1][1] != roundText(ratio(r.Rows[0]["sales"], int64(100)), 2) {
		t.Errorf("first row %q for %v", recs[1], r.Rows[0])
	}
	buf.Reset()
	if err := WriteResult(&buf, r, FormatXLSX); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != 6 {
		t.Fatalf("xlsx rows %v %v", rows, err)
	}
	if err := WriteResult(&buf, r, "pdf"); err == nil {
		t.Error("pdf accepted")
	}
}
