package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// DashboardSpec is a dashboard definition's spec (meta kind "dashboard",
// schemaVersion 2): reports placed on a 24-column grid, global filters
// bound to the reports' parameters, auto refresh, and the roles that see
// it.
type DashboardSpec struct {
	Title          json.RawMessage `json:"title"`
	Description    json.RawMessage `json:"description,omitempty"`
	RefreshSeconds int             `json:"refreshSeconds,omitempty"`
	// Roles lists the app roles that see the dashboard (platform admins
	// always do); empty means everyone with the read right on it.
	Roles   []string          `json:"roles,omitempty"`
	Filters []DashboardFilter `json:"filters,omitempty"`
	Widgets []Widget          `json:"widgets"`
}

// DashboardFilter is a global filter: its value goes to every widget's
// report parameter of the same key, or to the ones a widget binds to it.
// Type is "dateRange" or "field" (a value of Field's type).
type DashboardFilter struct {
	Key     string          `json:"key"`
	Type    string          `json:"type"`
	Field   string          `json:"field,omitempty"`
	Label   json.RawMessage `json:"label,omitempty"`
	Default json.RawMessage `json:"default,omitempty"`
}

// Widget is one report on the grid. Params binds the report's parameters:
// "$<filter key>" takes a global filter's value, anything else is a
// constant; a parameter not named takes the global filter of its own key,
// if there is one.
type Widget struct {
	ID     string                     `json:"id"`
	X      int                        `json:"x"`
	Y      int                        `json:"y"`
	W      int                        `json:"w"`
	H      int                        `json:"h"`
	Report string                     `json:"report"`
	Title  json.RawMessage            `json:"title,omitempty"`
	Chart  json.RawMessage            `json:"chart,omitempty"`
	Params map[string]json.RawMessage `json:"params,omitempty"`
}

// DashboardData is a dashboard's widgets' results for one set of filter
// values.
type DashboardData struct {
	Dashboard      string         `json:"dashboard"`
	Version        int            `json:"version"`
	Title          string         `json:"title"`
	RefreshSeconds int            `json:"refreshSeconds"`
	Filters        map[string]any `json:"filters"`
	Widgets        []WidgetData   `json:"widgets"`
}

// WidgetData is one widget's result, or why it has none: a widget whose
// report fails (a field this user may not read) does not take the others
// down with it.
type WidgetData struct {
	ID     string       `json:"id"`
	Report string       `json:"report"`
	Title  string       `json:"title"`
	Result *Result      `json:"result,omitempty"`
	Error  *WidgetError `json:"error,omitempty"`

	err error
}

// Err is the widget's failure as an error (nil when it has a result).
func (w WidgetData) Err() error { return w.err }

// WidgetError is a widget's failure as the API reports errors.
type WidgetError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  []errs.FieldError `json:"errors,omitempty"`
}

// dashboard reads a published dashboard the caller may see.
func (s *Service) dashboard(ctx context.Context, p *auth.Principal, app, key, lang string) (meta.Definition, *DashboardSpec, error) {
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindDashboard, Key: key}, access.Read); err != nil {
		return meta.Definition{}, nil, err
	}
	def, err := s.meta.Published(ctx, app, meta.KindDashboard, key)
	if err != nil {
		return meta.Definition{}, nil, err
	}
	var spec DashboardSpec
	if err := json.Unmarshal(def.Spec, &spec); err != nil {
		return meta.Definition{}, nil, errs.Wrap(err, errs.Internal, "dashboard.invalid", "dashboard %q cannot be read", key)
	}
	if !visible(p, app, spec.Roles) {
		return meta.Definition{}, nil, coded(lang, errs.Forbidden, "dashboard.hidden")
	}
	return def, &spec, nil
}

// visible applies a dashboard's role list.
func visible(p *auth.Principal, app string, roles []string) bool {
	if len(roles) == 0 || p.Admin {
		return true
	}
	for _, r := range p.Roles {
		if r.App == app && slices.Contains(roles, r.Role) {
			return true
		}
	}
	return false
}

// Dashboard returns the published dashboard for rendering (layout and
// filters) after the visibility check.
func (s *Service) Dashboard(ctx context.Context, p *auth.Principal, app, key, lang string) (*DashboardSpec, int, error) {
	def, spec, err := s.dashboard(ctx, p, app, key, lang)
	return spec, def.Version, err
}

// DashboardRequest asks for a dashboard's data.
type DashboardRequest struct {
	// Filters are the global filter values by key (defaults apply to the
	// ones not given).
	Filters map[string]json.RawMessage
	// Widget limits the run to one widget ("" for all).
	Widget string
	Lang   string
}

// maxParallelWidgets bounds the widgets run at once: the reads share the
// store's connection pool with everyone else.
const maxParallelWidgets = 4

// RunDashboard runs the dashboard's widgets (or one) with the global
// filter values bound to their parameters. The dashboard's read right and
// roles grant its widgets' reports; the data stays under the caller's
// scopes and field rules.
func (s *Service) RunDashboard(ctx context.Context, p *auth.Principal, app, key string, req DashboardRequest) (*DashboardData, error) {
	def, spec, err := s.dashboard(ctx, p, app, key, req.Lang)
	if err != nil {
		return nil, err
	}
	values, err := dashboardValues(spec, req.Filters, req.Lang)
	if err != nil {
		return nil, err
	}
	out := &DashboardData{Dashboard: key, Version: def.Version, Title: text(spec.Title, req.Lang, key),
		RefreshSeconds: spec.RefreshSeconds, Filters: map[string]any{}}
	for k, v := range values {
		out.Filters[k] = v
	}
	var widgets []Widget
	for _, w := range spec.Widgets {
		if req.Widget == "" || req.Widget == w.ID {
			widgets = append(widgets, w)
		}
	}
	if req.Widget != "" && len(widgets) == 0 {
		return nil, coded(req.Lang, errs.NotFound, "dashboard.widget", req.Widget)
	}
	out.Widgets = make([]WidgetData, len(widgets))
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallelWidgets)
	for i, w := range widgets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out.Widgets[i] = s.runWidget(ctx, p, app, w, values, req.Lang)
		}()
	}
	wg.Wait()
	return out, nil
}

// runWidget runs one widget's report with its bound parameters.
func (s *Service) runWidget(ctx context.Context, p *auth.Principal, app string, w Widget, values map[string]json.RawMessage, lang string) WidgetData {
	wd := WidgetData{ID: w.ID, Report: w.Report, Title: text(w.Title, lang, "")}
	c, err := s.compile(ctx, app, w.Report, lang)
	if err == nil {
		var params map[string]json.RawMessage
		if params, err = bindWidget(c, w, values); err == nil {
			wd.Result, err = s.run(ctx, p, app, w.Report, RunRequest{Parameters: params, Lang: lang})
		}
	}
	if err != nil {
		wd.Error, wd.err = widgetError(err, lang), err
		return wd
	}
	if wd.Title == "" {
		wd.Title = wd.Result.Title
	}
	if len(w.Chart) > 0 {
		wd.Result = withChart(wd.Result, w.Chart, c)
	}
	return wd
}

// withChart renders a widget's own chart of the result (a copy: results
// are shared through the cache).
func withChart(r *Result, raw json.RawMessage, c *Compiled) *Result {
	var ch Chart
	if json.Unmarshal(raw, &ch) != nil {
		return r
	}
	t, ok := charts.Get(ch.Type)
	if !ok {
		return r
	}
	cfg := map[string]any{}
	_ = json.Unmarshal(ch.Config, &cfg)
	if t.Check != nil && t.Check(c, cfg) != nil {
		return r
	}
	out := *r
	out.Chart = (&chartPlan{typ: t, cfg: cfg}).build(r)
	return &out
}

// widgetError renders an error for a widget's slot.
func widgetError(err error, lang string) *WidgetError {
	var e *errs.Error
	if !errors.As(err, &e) || e.Class == errs.Internal {
		return &WidgetError{Code: "internal", Message: msg(lang, "report.invalid")}
	}
	return &WidgetError{Code: e.Code, Message: e.Msg, Fields: e.Fields}
}

// dashboardValues checks the global filter values (unknown keys refused)
// and applies defaults.
func dashboardValues(spec *DashboardSpec, given map[string]json.RawMessage, lang string) (map[string]json.RawMessage, error) {
	p := &problems{lang: lang}
	known := map[string]DashboardFilter{}
	for _, f := range spec.Filters {
		known[f.Key] = f
	}
	out := map[string]json.RawMessage{}
	for _, k := range sortedKeys(given) {
		if _, ok := known[k]; !ok {
			p.add("filters."+k, "report.param_unknown", k)
			continue
		}
		if !isNull(given[k]) {
			out[k] = given[k]
		}
	}
	for _, f := range spec.Filters {
		if _, ok := out[f.Key]; !ok && !isNull(f.Default) {
			out[f.Key] = f.Default
		}
	}
	return out, p.err(errs.Invalid, "report.param")
}

// bindWidget maps the global filter values to the widget's report
// parameters.
func bindWidget(c *Compiled, w Widget, values map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	for k, raw := range w.Params {
		if c.param(k) == nil {
			return nil, errs.New(errs.Unprocessable, "dashboard.param", "widget %q binds %q, which is not a parameter of report %q", w.ID, k, w.Report)
		}
		var ref string
		if json.Unmarshal(raw, &ref) == nil && strings.HasPrefix(ref, "$") {
			if v, ok := values[ref[1:]]; ok {
				out[k] = v
			}
			continue
		}
		out[k] = raw
	}
	for _, pp := range c.params {
		if _, bound := w.Params[pp.key]; bound {
			continue
		}
		if v, ok := values[pp.key]; ok {
			out[pp.key] = v
		}
	}
	return out, nil
}

// dashboardRefs lists the reports a dashboard spec uses, for checks.
func dashboardRefs(raw []byte) (*DashboardSpec, error) {
	var spec DashboardSpec
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&spec); err != nil {
		return nil, fmt.Errorf("dashboard spec: %w", err)
	}
	return &spec, nil
}
