package api

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/server/openapi"
)

// The actions API: running an app's actions (engine/action) and, for
// their designers, the recent runs. The request body is the action's
// input and the response body its output, both as the action defines
// them; errors are problem+json in the Accept-Language.

const actionPath = "/api/apps/:app/actions/:action"

// Actions runs actions; *action.Service is the implementation (an
// interface here so the server's Deps need not name the engine package).
type Actions interface {
	Run(ctx context.Context, p *auth.Principal, app, key string, input json.RawMessage, o action.Options) (action.Result, error)
	Runs(ctx context.Context, p *auth.Principal, app, key string, limit int) ([]action.RunRecord, error)
}

var _ Actions = (*action.Service)(nil)

// IdempotentReplayedHeader marks a response replayed from an earlier run
// with the same Idempotency-Key.
const IdempotentReplayedHeader = "Idempotent-Replayed"

func actionComponents(sp *openapi.Spec) {
	sp.Component("ActionRun", openapi.Schema{"type": "object",
		"description": "One recent run of an action on this server instance.",
		"properties": openapi.Schema{
			"at":             openapi.Schema{"type": "string", "format": "date-time"},
			"actor":          openapi.Schema{"type": "string"},
			"version":        openapi.Schema{"type": "integer", "description": "the action's published version"},
			"ok":             openapi.Schema{"type": "boolean"},
			"replayed":       openapi.Schema{"type": "boolean"},
			"code":           openapi.Schema{"type": "string", "description": "the error's code when it failed"},
			"message":        openapi.Schema{"type": "string"},
			"errors":         openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}},
			"ms":             openapi.Schema{"type": "number"},
			"idempotencyKey": openapi.Schema{"type": "string"},
			"requestId":      openapi.Schema{"type": "string"},
			"logs":           openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string"}},
		}})
}

func (s *Server) actionRoutes(r *Router) {
	svc := s.deps.Actions
	if svc == nil {
		return // a server built without the action service (some tests) serves no actions
	}
	actionComponents(r.spec)
	r.Handle(openapi.Operation{Method: "POST", Path: actionPath, ID: "runAction", Tag: "actions",
		Summary: "Run an action: its script, in one transaction, with the body as input",
		Description: "The body must match the action's input schema (422 action.input lists every error with its path). " +
			"The script runs with the caller's rights, or with the role the action declares as runAs; the caller needs " +
			"the run right on the action, and an API key the action in its scope. Anything that fails rolls back every " +
			"write of the run: 422 script.error (the reason, line and column), 422 script.timeout, or the code of the " +
			"host call that failed (e.g. 422 ledger.insufficient_balance). Money and points are integers (fen, points).",
		Params: []openapi.Param{
			{Name: "Idempotency-Key", In: "header", Description: "retrying with the same key and body replays the first " +
				"response (with Idempotent-Replayed: true); another body is a 409 action.idempotency_mismatch. Keys are per caller and action."},
			langParam,
		},
		Request:  openapi.Schema{"description": "the action's input, as its input schema defines"},
		Response: openapi.Schema{"description": "the action's output, as its script returns it"},
		Errors:   []int{400, 404, 409, 413, 422, 503},
	}, func(c *fiber.Ctx) error {
		body := c.Body()
		if len(bytes.TrimSpace(body)) > 0 {
			if err := checkJSONBody(c); err != nil {
				return err
			}
		}
		cl := callerOf(c)
		res, err := svc.Run(recordCtx(c), principal(c), param(c, "app"), param(c, "action"), body, action.Options{
			IdempotencyKey: c.Get("Idempotency-Key"), Lang: requestLang(c), IP: cl.IP, RequestID: cl.RequestID})
		if err != nil {
			return err
		}
		if res.Replayed {
			c.Set(IdempotentReplayedHeader, "true")
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Status(fiber.StatusOK).Send(res.Output)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: actionPath + "/runs", ID: "listActionRuns", Tag: "actions",
		Summary: "Recent runs of an action, newest first (design right on the action)",
		Description: "Outcome, error with its reason and paths, duration and the script's log of the last runs on this " +
			"server instance, kept in memory for designers trying an action out (the audit log keeps every successful run).",
		Params: []openapi.Param{
			{Name: "limit", In: "query", Schema: openapi.Schema{"type": "integer", "minimum": 1, "maximum": action.MaxRuns, "default": action.MaxRuns}},
		},
		Response: openapi.Schema{"type": "array", "items": openapi.Ref("ActionRun")}, Errors: []int{400},
	}, func(c *fiber.Ctx) error {
		limit, err := intQuery(c, "limit", action.MaxRuns, action.MaxRuns)
		if err != nil {
			return err
		}
		if limit == 0 {
			return &errs.Error{Class: errs.Invalid, Code: "request.query", Msg: "bad query parameter",
				Fields: []errs.FieldError{{Path: "limit", Code: "request.query", Message: "must be at least 1"}}}
		}
		runs, err := svc.Runs(recordCtx(c), principal(c), param(c, "app"), param(c, "action"), limit)
		if err != nil {
			return err
		}
		return c.JSON(runs)
	})
}
