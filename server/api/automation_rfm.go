package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/openapi"
)

// The by-hand RFM scoring: run an automation's report.rfm step now, with
// its settings, beside its schedule (engine/automation action_rfm.go).

func (s *Server) automationRFMRoutes(r *Router) {
	au := s.deps.Automation
	if au == nil {
		return
	}
	str, num := openapi.Schema{"type": "string"}, openapi.Schema{"type": "integer"}
	s.Spec.Component("RFMResult", openapi.Schema{"type": "object", "properties": openapi.Schema{
		"day": str, "method": openapi.Schema{"type": "string", "enum": []string{"quintiles", "thresholds"}},
		"read": num, "scored": num, "changed": num,
		"segments": openapi.Schema{"type": "object", "additionalProperties": num, "description": "buyers by segment"},
		"cuts": openapi.Schema{"type": "object", "description": "quintile cut points, worst to best (quintiles only)", "properties": openapi.Schema{
			"r": openapi.Schema{"type": "array", "items": num, "description": "days since the last purchase"},
			"f": openapi.Schema{"type": "array", "items": str, "description": "orders"}, "m": openapi.Schema{"type": "array", "items": str, "description": "12-month spend, yuan"}}},
	}})
	r.Handle(openapi.Operation{Method: "POST", Path: automationBase + "/rfm-score", ID: "scoreRFMNow", Tag: "automations",
		Summary: "Run an automation's RFM scoring step now (run right on the automation)",
		Description: "Scores every member with the published automation's report.rfm settings (method, tables, tag field) and " +
			"answers what the run did, with the quintile cut points. 409 report.rfm_running while a scheduled or another by-hand " +
			"run holds the lease; 409 automation.not_rfm for an automation without that step. Audited.",
		Params: []openapi.Param{langParam}, Response: openapi.Ref("RFMResult"), Errors: []int{403, 404, 409, 422},
	}, func(c *fiber.Ctx) error {
		app, key := param(c, "app"), param(c, "automation")
		res, err := au.ScoreRFMNow(recordCtx(c), principal(c), app, key)
		if err != nil {
			return err
		}
		s.audit(c, auth.Entry{Action: "automation.rfm_score", App: app, Target: "automation:" + key,
			Details: map[string]any{"day": res.Day, "method": res.Method, "scored": res.Scored, "changed": res.Changed}})
		return c.JSON(res)
	})
}
