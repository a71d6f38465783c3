package api

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/openapi"
)

// The action test run for the designer (engine/action testrun.go): the
// draft or the published version runs as a real run would, in a store
// transaction that is rolled back; the answer is its output or error, its
// log and what it wrote.

// ActionTester test-runs actions; *action.Service is one. The server
// finds it on Deps.Actions, so no other wiring is needed.
type ActionTester interface {
	Test(ctx context.Context, p *auth.Principal, app, key string, req action.TestRequest) (*action.TestResult, error)
}

var _ ActionTester = (*action.Service)(nil)

// actionTestBody is the body of testAction.
type actionTestBody struct {
	Input   json.RawMessage `json:"input"`
	Version string          `json:"version"`
}

func (s *Server) actionTestRoutes(r *Router) {
	svc, ok := s.deps.Actions.(ActionTester)
	if !ok {
		return // no action service, or one that cannot test
	}
	str, integer := openapi.Schema{"type": "string"}, openapi.Schema{"type": "integer"}
	r.spec.Component("ActionTest", openapi.Schema{"type": "object", "additionalProperties": false,
		"properties": openapi.Schema{
			"input":   openapi.Schema{"description": "the action's input, as its input schema defines (absent: {})"},
			"version": openapi.Schema{"type": "string", "enum": []string{"draft", "published"}, "default": "published"},
		}})
	fieldErr := openapi.Schema{"type": "object", "properties": openapi.Schema{"path": str, "code": str, "message": str}}
	r.spec.Component("ActionTestResult", openapi.Schema{"type": "object",
		"required": []string{"action", "version", "status", "ok", "logs", "writes", "ms"},
		"properties": openapi.Schema{
			"action": str, "version": integer, "status": str, "ok": openapi.Schema{"type": "boolean"},
			"output": openapi.Schema{"description": "the script's result (when ok)"},
			"error": openapi.Schema{"type": "object", "description": "the script's or a host call's failure",
				"properties": openapi.Schema{"code": str, "message": str, "errors": openapi.Schema{"type": "array", "items": fieldErr},
					"line": integer, "column": integer}},
			"logs": openapi.Schema{"type": "array", "items": str},
			"writes": openapi.Schema{"type": "object", "description": "what the run wrote before the rollback",
				"properties": openapi.Schema{
					"records": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
						"form": str, "id": str, "op": openapi.Schema{"type": "string", "enum": []string{"create", "update", "delete"}},
						"fields": openapi.Schema{"type": "array", "items": str}}}},
					"ledger": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
						"entry": str, "owner": str, "kind": str, "unit": str, "amount": integer, "balanceAfter": integer,
						"type": str, "key": str, "ref": str, "expiresAt": str}}},
					"other":     openapi.Schema{"type": "object", "additionalProperties": integer, "description": "other rows written, per collection"},
					"truncated": openapi.Schema{"type": "boolean"},
				}},
			"ms": openapi.Schema{"type": "number"},
		}})
	r.Handle(openapi.Operation{Method: "POST", Path: actionPath + "/test", ID: "testAction", Tag: "actions",
		Summary: "Test-run an action's draft or published version without keeping anything (design right)",
		Description: "Runs the version as a real run would — input schema, the caller's rights or the action's runAs role, the " +
			"same host API — inside a store transaction that is always rolled back: no record, ledger entry, outbox message " +
			"or idempotency key is kept. A failure of the script or of a host call is in the answer (error, with the line and " +
			"column of a script error), beside the log and the writes made up to it; a bad input is a 422 action.input.",
		Params: []openapi.Param{langParam}, Request: openapi.Ref("ActionTest"), Response: openapi.Ref("ActionTestResult"),
		Errors: []int{400, 403, 404, 413, 422},
	}, func(c *fiber.Ctx) error {
		var b actionTestBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		res, err := svc.Test(recordCtx(c), principal(c), param(c, "app"), param(c, "action"),
			action.TestRequest{Input: b.Input, Version: b.Version, Lang: requestLang(c)})
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
}
