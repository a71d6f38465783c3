package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/report"
	"github.com/tangram/tangram/server/openapi"
)

// The dashboards API: a published dashboard's layout and its widgets'
// data for a set of global filter values, and its data as files. A
// dashboard needs the read right on it and, when it lists roles, one of
// them; its widgets' reports then run under the caller's row scopes and
// field rules (a widget over a field the caller may not read fails alone).

func registerDashboardComponents(sp *openapi.Spec) {
	sp.Component("DashboardData", openapi.Schema{
		"type": "object", "required": []string{"dashboard", "widgets"},
		"properties": openapi.Schema{
			"dashboard": openapi.Schema{"type": "string"}, "version": openapi.Schema{"type": "integer"},
			"title": openapi.Schema{"type": "string"}, "refreshSeconds": openapi.Schema{"type": "integer"},
			"filters": openapi.Schema{"type": "object", "description": "the global filter values used, defaults applied"},
			"widgets": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
				"id": openapi.Schema{"type": "string"}, "report": openapi.Schema{"type": "string"}, "title": openapi.Schema{"type": "string"},
				"result": openapi.Ref("ReportResult"),
				"error": openapi.Schema{"type": "object", "properties": openapi.Schema{
					"code": openapi.Schema{"type": "string"}, "message": openapi.Schema{"type": "string"},
					"errors": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}}}},
			}}},
		},
	})
	sp.Component("Dashboard", openapi.Schema{
		"type": "object", "required": []string{"key", "version", "spec"},
		"properties": openapi.Schema{
			"key": openapi.Schema{"type": "string"}, "version": openapi.Schema{"type": "integer"},
			"spec": openapi.Schema{"type": "object", "description": "the published dashboard: title, refreshSeconds, roles, filters, widgets (x, y, w, h on a 24-column grid)"},
		},
	})
}

var filtersParam = openapi.Param{Name: "filters", In: "query",
	Description: "JSON object of global filter values by key, e.g. {\"period\": \"thisMonth\", \"region\": \"east\"}; defaults apply to the rest"}

func (s *Server) dashboardRoutes(r *Router) {
	if s.deps.Reports == nil {
		return
	}
	registerDashboardComponents(s.Spec)
	rs := s.deps.Reports
	base := "/api/apps/:app/dashboards/:dashboard"
	req := func(c *fiber.Ctx, widget string) (report.DashboardRequest, error) {
		f, err := jsonQuery(c, "filters")
		return report.DashboardRequest{Filters: f, Widget: widget, Lang: requestLang(c)}, err
	}
	r.Handle(openapi.Operation{Method: "GET", Path: base, ID: "getDashboard", Tag: "dashboards",
		Summary: "A published dashboard's layout and filters (read right; the dashboard's roles)",
		Params:  []openapi.Param{langParam}, Response: openapi.Ref("Dashboard"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		spec, v, err := rs.Dashboard(recordCtx(c), principal(c), c.Params("app"), c.Params("dashboard"), requestLang(c))
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"key": c.Params("dashboard"), "version": v, "spec": spec})
	})
	r.Handle(openapi.Operation{Method: "GET", Path: base + "/data", ID: "dashboardData", Tag: "dashboards",
		Summary: "Every widget's result for the filter values (or one widget's, with widget=)",
		Description: "Each global filter's value goes to the widgets' report parameters of the same key, or to the ones a " +
			"widget binds to it. A widget that fails carries its error instead of a result. Unknown filters are a 400.",
		Params:   []openapi.Param{filtersParam, {Name: "widget", In: "query", Description: "one widget's id"}, langParam},
		Response: openapi.Ref("DashboardData"), Errors: []int{400, 404},
	}, func(c *fiber.Ctx) error {
		q, err := req(c, c.Query("widget"))
		if err != nil {
			return err
		}
		data, err := rs.RunDashboard(recordCtx(c), principal(c), c.Params("app"), c.Params("dashboard"), q)
		if err != nil {
			return err
		}
		return c.JSON(data)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: base + "/widgets/:widget/export", ID: "exportWidget", Tag: "dashboards",
		Summary: "One widget's result as CSV or .xlsx",
		Params: []openapi.Param{{Name: "format", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"csv", "xlsx"}, "default": "csv"}},
			filtersParam, langParam},
		RawResponse: mimeCSV, Errors: []int{400, 404},
	}, func(c *fiber.Ctx) error {
		format, err := ioFormat(c.Query("format"))
		if err != nil {
			return err
		}
		q, err := req(c, c.Params("widget"))
		if err != nil {
			return err
		}
		data, err := rs.RunDashboard(recordCtx(c), principal(c), c.Params("app"), c.Params("dashboard"), q)
		if err != nil {
			return err
		}
		w := data.Widgets[0]
		if err := w.Err(); err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := report.WriteResult(&buf, w.Result, format); err != nil {
			return err
		}
		rs.AuditExport(c.UserContext(), principal(c), c.Params("app"), w.Result, format)
		return sendFile(c, buf.Bytes(), w.Title, c.Params("widget"), format)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: base + "/export", ID: "exportDashboard", Tag: "dashboards",
		Summary:     "The dashboard's data as one file: a zip of one CSV or .xlsx per widget",
		Params:      []openapi.Param{{Name: "format", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"csv", "xlsx"}, "default": "xlsx"}}, filtersParam, langParam},
		RawResponse: "application/zip", Errors: []int{400, 404},
	}, func(c *fiber.Ctx) error {
		format := c.Query("format", "xlsx")
		if _, err := ioFormat(format); err != nil {
			return err
		}
		q, err := req(c, "")
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := rs.ExportDashboard(recordCtx(c), &buf, principal(c), c.Params("app"), c.Params("dashboard"), format, q); err != nil {
			return err
		}
		return sendFile(c, buf.Bytes(), "", c.Params("dashboard"), "zip")
	})
}
