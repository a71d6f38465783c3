package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The report and dashboard scenarios: `tangram bench report -report KEY`
// runs one published report through POST /api/apps/{app}/reports/{key}/run,
// `tangram bench dashboard -dashboard KEY` reads a dashboard's data through
// GET /api/apps/{app}/dashboards/{key}/data. Each first takes the cold
// figure, then sends the load (-c, -n or -duration) whose percentiles are
// the warm figures: results served from the server's result cache, which
// is what a dashboard refresh costs while nothing was written.
//
// Cold means the run found no result in the server's cache:
//   - report: the request says noCache (the API's own option: compute
//     again, then store the result), -cold times; the answer's "cached"
//     must be false;
//   - dashboard: the data endpoint has no such option, so the cold figure
//     is the scenario's first request, cold only on a server started
//     afresh (the cache lives in the server process; `make bench-crm`
//     starts one) or after a write to the forms read. Each widget's
//     answer says whether it came from the cache; the report counts those
//     that did, and a cold figure with any is flagged as not cold.

func init() {
	benchScenarios.Register("report", BenchScenario{Summary: "one published report (-report KEY -params JSON): cold with noCache, then warm from the result cache",
		Prepare: prepareReport, Cold: coldReport})
	benchScenarios.Register("dashboard", BenchScenario{Summary: "one dashboard's data (-dashboard KEY -params JSON filters): the first request cold (a fresh server), then warm",
		Prepare: prepareDashboard, Cold: coldDashboard})
}

// BenchCold is the cold figure of a report or dashboard scenario.
type BenchCold struct {
	// How says how the cache was bypassed: "noCache" or "first request".
	How string `json:"how"`
	// Runs are the cold requests' times in milliseconds, in order.
	Runs []float64 `json:"runs"`
	// Widgets is the dashboard's widget count (0 for a report); Cached
	// counts the widgets (or report runs) answered from the cache anyway,
	// Failed the widgets that carried an error.
	Widgets int `json:"widgets,omitempty"`
	Cached  int `json:"cached"`
	Failed  int `json:"failed,omitempty"`
	// Rows and Source describe the (last) cold result: result rows
	// (summed over widgets) and where the numbers came from ("raw",
	// "rollup", or "mixed" across widgets).
	Rows   int    `json:"rows"`
	Source string `json:"source"`
	// Bytes is the size of the (last) cold answer.
	Bytes int `json:"bytes"`
}

// bindReportFlags declares the flags of the report and dashboard
// scenarios.
func bindReportFlags(fs *flag.FlagSet, cfg *BenchConfig) {
	fs.StringVar(&cfg.Report, "report", "sales-by-store-month", "report scenario: the report's key")
	fs.StringVar(&cfg.Dashboard, "dashboard", "hq-cockpit", "dashboard scenario: the dashboard's key")
	fs.StringVar(&cfg.Params, "params", "", `report parameters or dashboard filter values as a JSON object, e.g. {"period":"thisYear"} (default: the definition's defaults)`)
	fs.IntVar(&cfg.ColdRuns, "cold", 1, "report scenario: cold (noCache) runs before the warm load")
}

// checkReportFlags validates the report and dashboard flags.
func checkReportFlags(cfg *BenchConfig) error {
	if cfg.ColdRuns < 1 || cfg.ColdRuns > 100 {
		return errors.New("-cold must be between 1 and 100")
	}
	if cfg.Params != "" {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(cfg.Params), &m); err != nil || m == nil {
			return fmt.Errorf("-params: want a JSON object, e.g. {\"period\":\"thisYear\"}: %v", err)
		}
	}
	return nil
}

// reportBody is the run request's body; noCache asks for a cold run.
func reportBody(cfg *BenchConfig, noCache bool) []byte {
	body := map[string]any{"noCache": noCache}
	if cfg.Params != "" {
		body["parameters"] = json.RawMessage(cfg.Params)
	}
	b, _ := json.Marshal(body)
	return b
}

func reportPath(cfg *BenchConfig) string {
	return "/api/apps/" + url.PathEscape(cfg.App) + "/reports/" + url.PathEscape(cfg.Report) + "/run"
}

func dashboardPath(cfg *BenchConfig) string {
	p := "/api/apps/" + url.PathEscape(cfg.App) + "/dashboards/" + url.PathEscape(cfg.Dashboard) + "/data"
	if cfg.Params != "" {
		p += "?" + url.Values{"filters": {cfg.Params}}.Encode()
	}
	return p
}

// prepareReport returns the warm request: the same run, cache allowed.
func prepareReport(_ context.Context, _ *BenchClient, cfg *BenchConfig) (func(*rand.Rand, int, int) BenchRequest, error) {
	rq := BenchRequest{Method: "POST", Path: reportPath(cfg), Body: reportBody(cfg, false)}
	return func(*rand.Rand, int, int) BenchRequest { return rq }, nil
}

// prepareDashboard returns the warm request: the dashboard's data.
func prepareDashboard(_ context.Context, _ *BenchClient, cfg *BenchConfig) (func(*rand.Rand, int, int) BenchRequest, error) {
	rq := BenchRequest{Method: "GET", Path: dashboardPath(cfg)}
	return func(*rand.Rand, int, int) BenchRequest { return rq }, nil
}

// benchResult is what the scenarios read of a report result.
type benchResult struct {
	Rows   []json.RawMessage `json:"rows"`
	Source string            `json:"source"`
	Cached bool              `json:"cached"`
}

// maxColdAnswer bounds a cold answer the scenario decodes (a result holds
// at most 10,000 rows plus its chart).
const maxColdAnswer = 256 << 20

// timedCall sends rq, reads the whole answer and decodes a 2xx one into
// out; the time is until the last byte.
func (c *BenchClient) timedCall(ctx context.Context, rq BenchRequest, out any) (time.Duration, int, error) {
	t0 := time.Now()
	status, b, err := c.doLimit(ctx, rq, maxColdAnswer)
	d := time.Since(t0)
	if err != nil {
		return d, 0, err
	}
	if status/100 != 2 {
		return d, len(b), problemError(rq, status, b)
	}
	if len(b) >= maxColdAnswer {
		return d, len(b), fmt.Errorf("%s %s: answer larger than %d MiB", rq.Method, rq.Path, maxColdAnswer>>20)
	}
	return d, len(b), json.NewDecoder(bytes.NewReader(b)).Decode(out)
}

// coldReport runs the report cfg.ColdRuns times with noCache.
func coldReport(ctx context.Context, c *BenchClient, cfg *BenchConfig) (*BenchCold, error) {
	cold := &BenchCold{How: "noCache"}
	rq := BenchRequest{Method: "POST", Path: reportPath(cfg), Body: reportBody(cfg, true)}
	for range cfg.ColdRuns {
		var r benchResult
		d, n, err := c.timedCall(ctx, rq, &r)
		if err != nil {
			return nil, err
		}
		cold.Runs = append(cold.Runs, millis(d))
		cold.Rows, cold.Source, cold.Bytes = len(r.Rows), r.Source, n
		if r.Cached {
			cold.Cached++
		}
	}
	return cold, nil
}

// coldDashboard reads the dashboard's data once and counts the widgets
// answered from the cache.
func coldDashboard(ctx context.Context, c *BenchClient, cfg *BenchConfig) (*BenchCold, error) {
	var data struct {
		Widgets []struct {
			ID     string       `json:"id"`
			Result *benchResult `json:"result"`
			Error  *struct {
				Code string `json:"code"`
			} `json:"error"`
		} `json:"widgets"`
	}
	d, n, err := c.timedCall(ctx, BenchRequest{Method: "GET", Path: dashboardPath(cfg)}, &data)
	if err != nil {
		return nil, err
	}
	cold := &BenchCold{How: "first request", Runs: []float64{millis(d)}, Widgets: len(data.Widgets), Bytes: n}
	var sources []string
	for _, w := range data.Widgets {
		switch {
		case w.Error != nil || w.Result == nil:
			cold.Failed++
		default:
			cold.Rows += len(w.Result.Rows)
			if w.Result.Cached {
				cold.Cached++
			}
			if !slices.Contains(sources, w.Result.Source) {
				sources = append(sources, w.Result.Source)
			}
		}
	}
	if len(sources) > 1 {
		cold.Source = "mixed (" + strings.Join(sources, ", ") + ")"
	} else if len(sources) == 1 {
		cold.Source = sources[0]
	}
	return cold, nil
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// printCold writes the cold lines of a report.
func printCold(out io.Writer, c *BenchCold) {
	runs := make([]string, len(c.Runs))
	for i, r := range c.Runs {
		runs[i] = fmt.Sprintf("%.1f ms", r)
	}
	what := fmt.Sprintf("%d rows", c.Rows)
	if c.Widgets > 0 {
		what = fmt.Sprintf("%d widgets, %d failed, %d rows", c.Widgets, c.Failed, c.Rows)
	}
	fmt.Fprintf(out, "cold (%s)  %s  (%s from %s, %d bytes)\n", c.How, strings.Join(runs, ", "), what, c.Source, c.Bytes)
	if c.Cached > 0 {
		unit := "runs"
		if c.Widgets > 0 {
			unit = "widgets"
		}
		fmt.Fprintf(out, "  NOT COLD: %d %s came from the result cache (start the server afresh before the scenario)\n", c.Cached, unit)
	}
}
