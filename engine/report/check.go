package report

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// Saving a report or dashboard checks it against the rest of its app: a
// report compiles against the latest revision of its forms (unknown
// fields, joins through non-relation fields, measures on text, buckets on
// non-dates, formulas naming nothing — every problem with its path); a
// dashboard's widgets name existing reports and bind only their
// parameters, with date ranges to date ranges.

func init() {
	meta.AddCrossCheck(meta.KindReport, checkReportDef)
	meta.AddCrossCheck(meta.KindDashboard, checkDashboardDef)
}

// checkReportDef compiles a report definition being saved.
func checkReportDef(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	spec, err := DecodeSpec(d.Spec)
	if err != nil {
		return nil // the meta-schema reports malformed specs
	}
	_, err = Compile(ctx, d.App, d.Key, d.Version, spec, latestForms(s, d.App), "en")
	return specErrors(err)
}

// specErrors turns a compile error into field errors under "spec.".
func specErrors(err error) []errs.FieldError {
	if err == nil {
		return nil
	}
	e, ok := errs.As(err)
	if !ok || len(e.Fields) == 0 {
		return []errs.FieldError{{Path: "spec", Code: "report.invalid", Message: err.Error()}}
	}
	out := make([]errs.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = errs.FieldError{Path: "spec." + f.Path, Code: f.Code, Message: f.Message}
	}
	return out
}

// checkDashboardDef checks a dashboard's widgets against its app's
// reports.
func checkDashboardDef(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	spec, err := dashboardRefs(d.Spec)
	if err != nil {
		return nil
	}
	filters := map[string]string{}
	for _, f := range spec.Filters {
		filters[f.Key] = f.Type
	}
	p := &problems{lang: "en"}
	for i, w := range spec.Widgets {
		at := fmt.Sprintf("spec.widgets[%d]", i)
		def, err := s.Get(ctx, d.App, meta.KindReport, w.Report)
		if err != nil {
			if errs.ClassOf(err) == errs.NotFound {
				p.add(at+".report", "dashboard.report", w.Report)
			}
			continue
		}
		rs, err := DecodeSpec(def.Spec)
		if err != nil {
			continue
		}
		params := map[string]string{}
		for _, pr := range rs.Parameters {
			params[pr.Key] = pr.Type
		}
		for _, k := range sortedKeys(w.Params) {
			typ, ok := params[k]
			if !ok {
				p.add(at+".params."+k, "dashboard.param", fmt.Sprintf("%q is not a parameter of report %q", k, w.Report))
				continue
			}
			var ref string
			if json.Unmarshal(w.Params[k], &ref) == nil && len(ref) > 1 && ref[0] == '$' {
				ft, ok := filters[ref[1:]]
				switch {
				case !ok:
					p.add(at+".params."+k, "dashboard.param", fmt.Sprintf("%q names no filter of the dashboard", ref))
				case (ft == ParamDateRange) != (typ == ParamDateRange):
					p.add(at+".params."+k, "dashboard.param", fmt.Sprintf("the filter %q is a %s, the parameter a %s", ref[1:], ft, typ))
				}
			}
		}
		for _, pr := range rs.Parameters {
			if ft, ok := filters[pr.Key]; ok && w.Params[pr.Key] == nil && (ft == ParamDateRange) != (pr.Type == ParamDateRange) {
				p.add(at+".report", "dashboard.param", fmt.Sprintf("the filter %q is a %s, the report's parameter a %s", pr.Key, ft, pr.Type))
			}
		}
	}
	return p.list
}
