package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/server/openapi"
)

// The rules API: evaluating decision tables (engine/rules) for previews and
// integrations, and the builder's analysis of a table. Evaluating the
// published table needs the read right on the rule; evaluating any other
// revision (a draft being previewed) needs the design right, as does the
// analysis.

type evaluateBody struct {
	Inputs  map[string]any `json:"inputs"`
	At      string         `json:"at"`
	Version int            `json:"version"`
	Trace   bool           `json:"trace"`
}

type analyzeBody struct {
	Version int `json:"version"`
}

func registerRuleComponents(sp *openapi.Spec) {
	fieldErrors := openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "required": []string{"path", "message"},
		"properties": openapi.Schema{"path": openapi.Schema{"type": "string"}, "code": openapi.Schema{"type": "string"}, "message": openapi.Schema{"type": "string"}}}}
	sp.Component("RuleEvaluation", openapi.Schema{
		"type": "object", "required": []string{"inputs"}, "additionalProperties": false,
		"properties": openapi.Schema{
			"inputs":  openapi.Schema{"type": "object", "description": "input key -> value of the column's type (decimals as numbers or strings, dates \"2026-10-01\", lists as arrays)"},
			"at":      openapi.Schema{"type": "string", "format": "date-time", "description": "the instant the rows' effective dates are checked against; default now"},
			"version": openapi.Schema{"type": "integer", "minimum": 1, "description": "evaluate this revision (a draft: design right) instead of the published one"},
			"trace":   openapi.Schema{"type": "boolean", "description": "explain every row"},
		},
	})
	sp.Component("RuleResult", openapi.Schema{
		"type": "object", "required": []string{"matched", "hitPolicy", "at", "rows"},
		"properties": openapi.Schema{
			"matched":   openapi.Schema{"type": "boolean", "description": "whether any row matched; without a match, outputs carry the defaults"},
			"hitPolicy": openapi.Schema{"type": "string", "enum": []string{"first", "priority", "collect", "sum"}},
			"version":   openapi.Schema{"type": "integer", "description": "the revision evaluated"},
			"at":        openapi.Schema{"type": "string", "format": "date-time"},
			"rows":      openapi.Schema{"type": "array", "items": openapi.Schema{"type": "integer"}, "description": "indexes of the rows used"},
			"outputs":   openapi.Schema{"type": "object", "description": "first, priority, sum: output key -> value (decimals as strings)"},
			"list":      openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object"}, "description": "collect: the outputs of every used row"},
			"trace": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
				"row": openapi.Schema{"type": "integer"}, "matched": openapi.Schema{"type": "boolean"}, "used": openapi.Schema{"type": "boolean"},
				"failedColumn": openapi.Schema{"type": "string", "description": "the first input column whose cell refused the input"},
				"inactive":     openapi.Schema{"type": "string", "enum": []string{"notYetValid", "expired"}},
			}}},
		},
	})
	sp.Component("RuleReport", openapi.Schema{
		"type": "object", "required": []string{"version", "errors", "warnings"},
		"properties": openapi.Schema{
			"version":  openapi.Schema{"type": "integer", "description": "the revision analyzed"},
			"errors":   fieldErrors,
			"warnings": fieldErrors,
		},
	})
}

func (s *Server) ruleRoutes(r *Router) {
	registerRuleComponents(s.Spec)
	svc := rules.New(s.deps.Meta)
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/rules/:rule/evaluate", ID: "evaluateRule", Tag: "rules",
		Summary: "Evaluate a decision table on sample inputs",
		Description: "Evaluates the published revision (read right), or with version any revision such as a draft (design right). " +
			"Inputs that do not fit the columns are a 422 with paths inputs.<key>.",
		Request: openapi.Ref("RuleEvaluation"), Response: openapi.Ref("RuleResult"), Errors: []int{400, 404, 422},
	}, func(c *fiber.Ctx) error {
		ctx, t := c.UserContext(), ruleTarget(c)
		design := s.canDesign(c, t) == nil
		if !design {
			if err := s.deps.Guard.Check(ctx, principal(c), t, access.Read); err != nil {
				return err
			}
		}
		var b evaluateBody
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
		if b.Inputs == nil {
			return &errs.Error{Class: errs.Invalid, Code: "request.required", Msg: "the body needs inputs",
				Fields: []errs.FieldError{{Path: "inputs", Code: "request.required", Message: "is required (an object; {} for none)"}}}
		}
		at, err := instant(b.At)
		if err != nil {
			return err
		}
		var tbl *rules.Table
		if b.Version > 0 {
			var d meta.Definition
			if tbl, d, err = svc.Version(ctx, t.App, t.Key, b.Version); err != nil {
				return err
			}
			if d.Status != meta.StatusPublished && !design {
				return errs.New(access.ErrForbidden.Class, access.ErrForbidden.Code, "previewing an unpublished version needs the design right")
			}
		} else if tbl, err = svc.Published(ctx, t.App, t.Key); err != nil {
			return err
		}
		res, err := tbl.Evaluate(b.Inputs, at, rules.Options{Trace: b.Trace})
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: "/api/apps/:app/rules/:rule/analyze", ID: "analyzeRule", Tag: "rules",
		Summary: "Analyze a decision table: what a save refuses (errors) and coverage gaps (warnings)",
		Description: "Analyzes the latest revision, or the one named by version. Errors are those a save answers with " +
			"(unreachable rows, ambiguous priorities, values of the wrong type); warnings do not block saving.",
		Request:  openapi.Schema{"type": "object", "additionalProperties": false, "properties": openapi.Schema{"version": openapi.Schema{"type": "integer", "minimum": 1}}},
		Response: openapi.Ref("RuleReport"), Errors: []int{400, 404},
	}, func(c *fiber.Ctx) error {
		t := ruleTarget(c)
		if err := s.canDesign(c, t); err != nil {
			return err
		}
		var b analyzeBody
		if len(c.Body()) > 0 {
			if err := decodeJSON(c, &b); err != nil {
				return err
			}
		}
		var d meta.Definition
		var err error
		if b.Version > 0 {
			d, err = s.deps.Meta.GetVersion(c.UserContext(), t.App, meta.KindRule, t.Key, b.Version)
		} else {
			d, err = s.deps.Meta.Get(c.UserContext(), t.App, meta.KindRule, t.Key)
		}
		if err != nil {
			return err
		}
		rep := rules.Analyze(d.Spec)
		return c.JSON(fiber.Map{"version": d.Version, "errors": rep.Errors, "warnings": rep.Warnings})
	})
}

// ruleTarget is the decision table a rules route addresses.
func ruleTarget(c *fiber.Ctx) access.Target {
	return access.Target{App: c.Params("app"), Kind: meta.KindRule, Key: c.Params("rule")}
}

// instant reads the optional "at" of an evaluation; empty means now.
func instant(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, &errs.Error{Class: errs.Invalid, Code: "request.type", Msg: "a value in the body has the wrong type",
			Fields: []errs.FieldError{{Path: "at", Code: "request.type", Message: "expected an RFC 3339 time such as 2026-10-01T10:00:00+08:00"}}}
	}
	return t, nil
}
