package api

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/report"
	"github.com/tangram/tangram/server/openapi"
)

// The reports API (engine/report): running a published report under the
// caller's rights, drilling into a cell, exporting a result, building a
// report's rollup. Dashboards are in dashboards.go.

type runBody struct {
	Parameters map[string]json.RawMessage `json:"parameters"`
	Drill      *report.DrillRequest       `json:"drill"`
	NoCache    bool                       `json:"noCache"`
	// Version is "published", "draft" or a number (report_preview.go).
	Version json.RawMessage `json:"version"`
}

func registerReportComponents(sp *openapi.Spec) {
	obj := func(desc string) openapi.Schema { return openapi.Schema{"type": "object", "description": desc} }
	sp.Component("ReportRun", openapi.Schema{
		"type": "object", "additionalProperties": false,
		"properties": openapi.Schema{
			"parameters": obj("parameter key -> value: a period {\"from\": \"2026-01-01\", \"to\": \"2026-01-31\"} or a preset " +
				"(" + strings.Join(report.Presets, ", ") + ") for a date range; a value or a list of values otherwise"),
			"drill": openapi.Schema{"type": "object", "additionalProperties": false, "description": "answer with the records filter of a cell instead of the result",
				"properties": openapi.Schema{
					"cell":    obj("dimension (or segment) output -> the cell's value; leave a dimension out for a subtotal"),
					"others":  openapi.Schema{"type": "boolean", "description": "the others row"},
					"measure": openapi.Schema{"type": "string", "description": "also apply this conditional measure's filter"},
				}},
			"noCache": openapi.Schema{"type": "boolean", "description": "compute again even when a cached result is current"},
			"version": openapi.Schema{"description": versionParam.Description, "oneOf": []any{openapi.Schema{"type": "string"}, openapi.Schema{"type": "integer"}}},
		},
	})
	column := openapi.Schema{"type": "object", "properties": openapi.Schema{
		"key": openapi.Schema{"type": "string"}, "label": openapi.Schema{"type": "string"},
		"role":   openapi.Schema{"type": "string", "enum": []string{report.RoleDimension, report.RoleMeasure, report.RoleCompare, report.RoleChange}},
		"type":   openapi.Schema{"type": "string", "enum": []string{"string", "int", "decimal", "bool", "date", "time"}},
		"format": openapi.Schema{"type": "string", "enum": []string{report.FormatNumber, report.FormatMoney, report.FormatPercent}},
		"field":  openapi.Schema{"type": "string"}, "bucket": openapi.Schema{"type": "string"},
		"labels": obj("stored value -> what people read (option labels, record titles, segment names)"),
		"of":     openapi.Schema{"type": "string"}, "compare": openapi.Schema{"type": "string"},
	}}
	rows := openapi.Schema{"type": "array", "items": obj("column key -> value; numbers are exact (money in fen)")}
	sp.Component("ReportResult", openapi.Schema{
		"type": "object", "required": []string{"report", "columns", "rows", "truncated", "source", "cached"},
		"properties": openapi.Schema{
			"report": openapi.Schema{"type": "string"}, "version": openapi.Schema{"type": "integer"}, "title": openapi.Schema{"type": "string"},
			"parameters": obj("the values used, defaults and presets resolved"),
			"periods":    obj("current, previousPeriod, lastYear -> {from, to}"),
			"columns":    openapi.Schema{"type": "array", "items": column},
			"rows":       rows,
			"others":     obj("everything past the limit, aggregated"),
			"totals":     obj("the grand total"),
			"subtotals": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
				"level": openapi.Schema{"type": "integer"}, "rows": rows}}},
			"truncated": openapi.Schema{"type": "boolean", "description": "more rows matched than the result holds (10,000)"},
			"chart": openapi.Schema{"type": "object", "properties": openapi.Schema{
				"type": openapi.Schema{"type": "string"}, "option": obj("an Apache ECharts option, or the settings of the table, pivot and KPI components")}},
			"source": openapi.Schema{"type": "string", "enum": []string{"raw", "rollup"}},
			"cached": openapi.Schema{"type": "boolean"},
		},
	})
	sp.Component("ReportDrill", openapi.Schema{
		"type": "object", "required": []string{"form", "filter", "count"},
		"properties": openapi.Schema{
			"form":   openapi.Schema{"type": "string", "description": "the form whose records the cell counts"},
			"filter": obj("a records filter: pass it to listRecords (filter=) to open the cell's records"),
			"count":  openapi.Schema{"type": "integer"},
		},
	})
	sp.Component("RollupStatus", openapi.Schema{
		"type": "object",
		"properties": openapi.Schema{
			"report": openapi.Schema{"type": "string"}, "collection": openapi.Schema{"type": "string"},
			"state": openapi.Schema{"type": "string"}, "cells": openapi.Schema{"type": "integer"}, "slices": openapi.Schema{"type": "integer"},
		},
	})
}

func (s *Server) reportRoutes(r *Router) {
	if s.deps.Reports == nil {
		return
	}
	registerReportComponents(s.Spec)
	rs := s.deps.Reports
	base := "/api/apps/:app/reports/:report"
	r.Handle(openapi.Operation{Method: "POST", Path: base + "/run", ID: "runReport", Tag: "reports",
		Summary: "Run a published report (read right on the report and on every form it reads)",
		Description: "Aggregated in the database with the caller's row scope ANDed in on every form (joined ones too: a related " +
			"record outside the scope joins as missing). A report over a field the caller may not read is a 403 " +
			"report.field_hidden naming it. Parameters of the wrong type are a 400 with paths parameters.<key>. With drill, " +
			"the answer is the records filter of the cell (ReportDrill) instead of the result.",
		Params:  []openapi.Param{langParam, versionParam},
		Request: openapi.Ref("ReportRun"), Response: openapi.Schema{"oneOf": []any{openapi.Ref("ReportResult"), openapi.Ref("ReportDrill")}},
		Errors: []int{400, 404, 422},
	}, func(c *fiber.Ctx) error {
		var b runBody
		if len(bytes.TrimSpace(c.Body())) > 0 {
			if err := decodeJSON(c, &b); err != nil {
				return err
			}
		}
		lang := requestLang(c)
		if b.Drill != nil {
			b.Drill.Parameters = b.Parameters
			d, err := rs.Drill(recordCtx(c), principal(c), c.Params("app"), c.Params("report"), *b.Drill, lang)
			if err != nil {
				return err
			}
			return c.JSON(d)
		}
		which, err := requestVersion(c, b.Version)
		if err != nil {
			return err
		}
		res, err := rs.RunVersion(recordCtx(c), principal(c), c.Params("app"), c.Params("report"), which,
			report.RunRequest{Parameters: b.Parameters, Lang: lang, NoCache: b.NoCache})
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: base + "/export", ID: "exportReport", Tag: "reports",
		Summary:     "A report's result as CSV or .xlsx (read right)",
		Description: "The rows, then the others row and the total; dimensions by label, money in yuan. Audited as report.export.",
		Params: []openapi.Param{
			{Name: "format", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"csv", "xlsx"}, "default": "csv"}},
			{Name: "parameters", In: "query", Description: "JSON object of parameter values, as for runReport"},
			langParam,
		},
		RawResponse: mimeCSV, Errors: []int{400, 404, 422},
	}, func(c *fiber.Ctx) error {
		format, err := ioFormat(c.Query("format"))
		if err != nil {
			return err
		}
		params, err := jsonQuery(c, "parameters")
		if err != nil {
			return err
		}
		res, err := rs.Run(recordCtx(c), principal(c), c.Params("app"), c.Params("report"), report.RunRequest{Parameters: params, Lang: requestLang(c)})
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := report.WriteResult(&buf, res, format); err != nil {
			return err
		}
		rs.AuditExport(c.UserContext(), principal(c), c.Params("app"), res, format)
		return sendFile(c, buf.Bytes(), res.Title, c.Params("report"), format)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: base + "/rollup", ID: "buildReportRollup", Tag: "reports",
		Summary: "Build (or rebuild) a report's per-day rollup (design right)",
		Description: "Fills the report's rollup from the records month by month while writes keep it current, then marks it " +
			"ready; runs that fit it read it from then on. Needs the records write hook (409 report.rollup_unhooked without).",
		Params: []openapi.Param{langParam}, Response: openapi.Ref("RollupStatus"), Errors: []int{404, 409, 422},
	}, func(c *fiber.Ctx) error {
		st, err := rs.BuildRollup(recordCtx(c), principal(c), c.Params("app"), c.Params("report"))
		if err != nil {
			return err
		}
		return c.JSON(st)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/report-rollups", ID: "buildReportRollups", Tag: "reports",
		Summary:     "Build the rollups of every published report of the app that declares one (design right on each)",
		Description: "Rollups already ready for their report's current definition are left alone. 409 report.rollup_unhooked without the records write hook.",
		Params:      []openapi.Param{langParam}, Response: openapi.Schema{"type": "array", "items": openapi.Ref("RollupStatus")}, Errors: []int{409, 422},
	}, func(c *fiber.Ctx) error {
		st, err := rs.BuildRollups(recordCtx(c), principal(c), c.Params("app"))
		if err != nil {
			return err
		}
		return c.JSON(st)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/report-charts", ID: "listChartTypes", Tag: "reports",
		Summary:  "The chart types reports may use (key, titles, settings schema)",
		Response: openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}},
	}, func(c *fiber.Ctx) error {
		return c.JSON(report.ChartTypes())
	})
}

// jsonQuery reads a query parameter holding a JSON object of values.
func jsonQuery(c *fiber.Ctx, name string) (map[string]json.RawMessage, error) {
	raw := c.Query(name)
	if raw == "" {
		return nil, nil
	}
	if len(raw) > report.MaxParamsBytes {
		return nil, queryErr(name, "is too long")
	}
	if err := checkDepth([]byte(raw), MaxJSONDepth); err != nil {
		return nil, err
	}
	var out map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(raw))
	if err := d.Decode(&out); err != nil || d.More() {
		return nil, queryErr(name, "must be a JSON object")
	}
	return out, nil
}

// sendFile answers with a generated file.
func sendFile(c *fiber.Ctx, body []byte, title, fallback, format string) error {
	if title == "" {
		title = fallback
	}
	switch format {
	case report.FormatXLSX:
		c.Set(fiber.HeaderContentType, mimeXLSX)
	case "zip":
		c.Set(fiber.HeaderContentType, "application/zip")
	default:
		c.Set(fiber.HeaderContentType, mimeCSV+"; charset=utf-8")
	}
	c.Set(fiber.HeaderContentDisposition, attachment(title+"."+format, fallback+"."+format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}
