package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/report"
	"github.com/tangram/tangram/server/openapi"
)

// Report previews for the designer: a draft or older version through
// runReport's version, and an unsaved spec through previewReport. Both
// run in the report engine exactly as a published run (engine/report
// draft.go) and need the design right on the report.

// previewBody is the body of previewReport.
type previewBody struct {
	Key        string                     `json:"key"`
	Spec       json.RawMessage            `json:"spec"`
	Parameters map[string]json.RawMessage `json:"parameters"`
}

// requestVersion reads which version a run asks for: the body's version
// ("draft", "published" or a number), else the version query parameter.
func requestVersion(c *fiber.Ctx, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return c.Query("version"), nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var n int
	if json.Unmarshal(raw, &n) == nil && n > 0 {
		return strconv.Itoa(n), nil
	}
	return "", queryErr("version", `is "draft", "published" or a version number`)
}

// versionParam documents runReport's version query parameter.
var versionParam = openapi.Param{Name: "version", In: "query",
	Description: `"published" (default), "draft" (the latest revision) or a version number; other than published needs the design right`,
	Schema:      openapi.Schema{"type": "string"}}

func (s *Server) reportPreviewRoutes(r *Router) {
	if s.deps.Reports == nil {
		return
	}
	rs := s.deps.Reports
	s.Spec.Component("ReportPreview", openapi.Schema{
		"type": "object", "additionalProperties": false, "required": []string{"key", "spec"},
		"properties": openapi.Schema{
			"key":        openapi.Schema{"type": "string", "description": "the report being designed (the design right on it is needed; it need not be saved yet)"},
			"spec":       openapi.Schema{"type": "object", "description": "a report definition's spec, checked as saving it would check it"},
			"parameters": openapi.Schema{"type": "object", "description": "parameter values, as for runReport"},
		},
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/reports/preview", ID: "previewReport", Tag: "reports",
		Summary: "Run an unsaved report spec as it will run once published (design right on the report)",
		Description: "The spec is validated like a report definition being saved (422 meta.invalid with spec.* paths), compiled " +
			"against the published forms and run by the report engine under the caller's row scopes — joins, formula measures, " +
			"top N, comparisons included. Never cached, never read from a rollup. The result's version is 0.",
		Params:  []openapi.Param{langParam},
		Request: openapi.Ref("ReportPreview"), Response: openapi.Ref("ReportResult"),
		Errors: []int{400, 403, 422},
	}, func(c *fiber.Ctx) error {
		var b previewBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		if b.Key == "" {
			return &errs.Error{Class: errs.Invalid, Code: "request.required", Msg: "the body misses a required field",
				Fields: []errs.FieldError{{Path: "key", Code: "request.required", Message: "the key of the report being designed is required"}}}
		}
		res, err := rs.Preview(recordCtx(c), principal(c), c.Params("app"), b.Key, b.Spec,
			report.RunRequest{Parameters: b.Parameters, Lang: requestLang(c)})
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
}
