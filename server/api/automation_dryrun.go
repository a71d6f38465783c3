package api

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/server/openapi"
)

// The automation test run for the designer (engine/automation dryrun.go):
// every step against a chosen record, nothing kept.

// testRunBody is the body of testAutomation.
type testRunBody struct {
	RecordID string          `json:"recordId"`
	Record   map[string]any  `json:"record"`
	Version  json.RawMessage `json:"version"`
	Payload  map[string]any  `json:"payload"`
}

func (s *Server) automationTestRoutes(r *Router) {
	au := s.deps.Automation
	if au == nil {
		return
	}
	str := openapi.Schema{"type": "string"}
	s.Spec.Component("AutomationTest", openapi.Schema{
		"type": "object", "additionalProperties": false,
		"description": "the record to test with (recordId, read with the caller's rights, or a whole hypothetical record) and the version",
		"properties": openapi.Schema{
			"recordId": str, "record": openapi.Schema{"type": "object"},
			"version": openapi.Schema{"description": `"published" (default), "draft" (the latest revision) or a version number`,
				"oneOf": []any{str, openapi.Schema{"type": "integer"}}},
			"payload": openapi.Schema{"type": "object", "description": "$payload, as a webhook body or a manual trigger's input"},
		},
	})
	sp := openapi.Schema{"type": "object", "properties": openapi.Schema{
		"step": str, "kind": str, "path": openapi.Schema{"type": "string", "description": "where the step sits in the spec"},
		"result":  openapi.Schema{"description": "what the action gave (rendered messages, the wait's end, what would be called)"},
		"error":   openapi.Schema{"type": "object", "properties": openapi.Schema{"code": str, "message": str, "step": str}},
		"skipped": openapi.Schema{"type": "boolean"},
		"reason": openapi.Schema{"type": "string", "enum": []string{automation.SkipCondition, automation.SkipNotChosen,
			automation.SkipAfterError, automation.SkipOutside}},
	}}
	s.Spec.Component("AutomationTestResult", openapi.Schema{"type": "object", "required": []string{"automation", "version", "matched", "steps"},
		"properties": openapi.Schema{
			"automation": str, "version": openapi.Schema{"type": "integer"}, "trigger": str, "form": str,
			"record":  openapi.Schema{"type": "object"},
			"matched": openapi.Schema{"type": "boolean", "description": "the automation's condition holds for the record"},
			"steps":   openapi.Schema{"type": "array", "items": sp},
			"failed":  openapi.Schema{"type": "string", "description": "the step that failed; the later ones are skipped"},
		}})
	r.Handle(openapi.Operation{Method: "POST", Path: automationBase + "/test", ID: "testAutomation", Tag: "automations",
		Summary: "Test-run an automation against a record without keeping anything (design right)",
		Description: "Evaluates the condition, then runs every step the run would reach inside one store transaction that is " +
			"rolled back: record writes, ledger posts, coupons, A/B assignments and messages are computed (messages rendered) and " +
			"none is kept or sent. A wait reports until when it would wait; an HTTP call or workflow transition reports what it " +
			"would do and is not made. 404 for a record the caller cannot read.",
		Params: []openapi.Param{langParam}, Request: openapi.Ref("AutomationTest"), Response: openapi.Ref("AutomationTestResult"),
		Errors: []int{400, 403, 404, 413, 422},
	}, func(c *fiber.Ctx) error {
		var b testRunBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		which, err := requestVersion(c, b.Version)
		if err != nil {
			return err
		}
		res, err := au.Test(recordCtx(c), principal(c), param(c, "app"), param(c, "automation"),
			automation.TestRequest{RecordID: b.RecordID, Record: b.Record, Version: which, Payload: b.Payload})
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
}
