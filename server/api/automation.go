package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/server/openapi"
)

// The automation API: the run log, the dead-letter list and replay, the
// messages sent, manual triggers, the A/B variants report, store task
// progress and the registered extensions. The engine (engine/automation)
// checks the rights: read on automations for the logs, design for dead
// letters and replay, run for a manual trigger, the form's read scope for
// progress. Inbound webhooks are in hooks.go.

const (
	automationRuns = "/api/apps/:app/automation-runs"
	automationBase = "/api/apps/:app/automations/:automation"
)

// Automation is the automation engine the server serves (nil when none).
func (s *Server) Automation() *automation.Service { return s.deps.Automation }

func automationComponents(sp *openapi.Spec) {
	str := openapi.Schema{"type": "string"}
	stamp := openapi.Schema{"type": "string", "format": "date-time"}
	runErr := openapi.Schema{"type": "object", "properties": openapi.Schema{"code": str, "message": str, "step": str, "at": stamp}}
	sp.Component("AutomationRun", openapi.Schema{
		"type": "object", "description": "one run of an automation for one event or schedule occurrence",
		"properties": openapi.Schema{
			"id": str, "app": str, "automation": str, "version": openapi.Schema{"type": "integer"},
			"trigger": str, "event": str, "eventType": str, "occurrence": stamp, "form": str, "record": str, "actor": str,
			"data":   openapi.Schema{"type": "object", "description": "the event's payload"},
			"status": openapi.Schema{"type": "string", "enum": []string{automation.RunPending, automation.RunRunning, automation.RunWaiting, automation.RunRetry, automation.RunDone, automation.RunSkipped, automation.RunDead}},
			"due":    stamp, "pc": openapi.Schema{"type": "integer", "description": "the next action's position"},
			"attempts": openapi.Schema{"type": "integer", "description": "failed attempts of the current action"},
			"steps": openapi.Schema{"type": "object", "description": "results by action id", "additionalProperties": openapi.Schema{
				"type": "object", "properties": openapi.Schema{"status": openapi.Schema{"type": "string", "enum": []string{automation.StepOK, automation.StepFailed}},
					"type": str, "key": openapi.Schema{"type": "string", "description": "the action's idempotency key"}, "at": stamp,
					"output": openapi.Schema{}, "error": runErr, "attempts": openapi.Schema{"type": "integer"}}}},
			"error": runErr, "createdAt": stamp, "updatedAt": stamp, "finishedAt": stamp, "rev": openapi.Schema{"type": "integer"},
		},
	})
	sp.Component("AutomationRunPage", openapi.Schema{"type": "object", "required": []string{"runs"}, "properties": openapi.Schema{
		"runs": openapi.Schema{"type": "array", "items": openapi.Ref("AutomationRun")},
		"next": openapi.Schema{"type": "string", "description": "cursor of the next page; absent on the last"}}})
	sp.Component("AutomationMessagePage", openapi.Schema{"type": "object", "required": []string{"messages"}, "properties": openapi.Schema{
		"messages": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
			"id": str, "channel": str, "to": str, "subject": str, "text": str, "lang": str, "automation": str, "run": str, "step": str,
			"status":   openapi.Schema{"type": "string", "enum": []string{automation.MessagePending, automation.MessageSent, automation.MessageFailed}},
			"attempts": openapi.Schema{"type": "integer"}, "error": str, "createdAt": stamp, "sentAt": stamp, "due": stamp}}},
		"next": str}})
	sp.Component("ManualTrigger", openapi.Schema{
		"type": "object", "additionalProperties": false,
		"description": "the records to run for: ids, or a view of the trigger's form (with an optional filter)",
		"properties": openapi.Schema{
			"records": openapi.Schema{"type": "array", "maxItems": automation.MaxManualRecords, "items": str},
			"view":    str, "filter": openapi.Schema{"type": "object"},
			"input": openapi.Schema{"type": "object", "description": "handed to the runs as $payload"}}})
	group := openapi.Schema{"type": "object", "properties": openapi.Schema{"key": str, "code": str, "name": str, "region": str,
		"total": openapi.Schema{"type": "integer"}, "done": openapi.Schema{"type": "integer"}, "overdue": openapi.Schema{"type": "integer"},
		"percent": openapi.Schema{"type": "integer"}}}
	sp.Component("TaskProgress", openapi.Schema{"type": "object", "properties": openapi.Schema{
		"total": openapi.Schema{"type": "integer"}, "done": openapi.Schema{"type": "integer"}, "overdue": openapi.Schema{"type": "integer"},
		"percent":  openapi.Schema{"type": "integer"},
		"byRegion": openapi.Schema{"type": "array", "items": group}, "byStore": openapi.Schema{"type": "array", "items": group}}})
	spec := openapi.Schema{"type": "object", "properties": openapi.Schema{"key": str, "version": openapi.Schema{"type": "integer"},
		"title": openapi.Schema{"type": "object"}, "config": openapi.Schema{"type": "object", "description": "JSON Schema of the settings"},
		"examples": openapi.Schema{"type": "array"}, "group": str, "uiHint": str}}
	sp.Component("AutomationExtensions", openapi.Schema{"type": "object", "properties": openapi.Schema{
		"triggers": openapi.Schema{"type": "array", "items": spec}, "actions": openapi.Schema{"type": "array", "items": spec},
		"channelTypes": openapi.Schema{"type": "array", "items": spec},
		"channels":     openapi.Schema{"type": "array", "items": str, "description": "the channels configured on this server"}}})
}

var (
	automationP = openapi.Param{Name: "automation", In: "query", Description: "only this automation's"}
	autoLimitP  = openapi.Param{Name: "limit", In: "query", Schema: openapi.Schema{"type": "integer", "minimum": 0,
		"maximum": automation.MaxPageSize, "default": automation.DefaultPageSize}}
)

func (s *Server) automationRoutes(r *Router) {
	au := s.deps.Automation
	if au == nil {
		return
	}
	automationComponents(r.spec)
	runList := func(dead bool) fiber.Handler {
		return func(c *fiber.Ctx) error {
			limit, err := intQuery(c, "limit", automation.DefaultPageSize, automation.MaxPageSize)
			if err != nil {
				return err
			}
			q := automation.RunQuery{Automation: strings.Clone(c.Query("automation")), Status: strings.Clone(c.Query("status")),
				Record: strings.Clone(c.Query("record")), Limit: limit, Cursor: strings.Clone(c.Query("cursor"))}
			var page *automation.RunPage
			if dead {
				page, err = au.DeadLetters(recordCtx(c), principal(c), param(c, "app"), q)
			} else {
				page, err = au.Runs(recordCtx(c), principal(c), param(c, "app"), q)
			}
			if err != nil {
				return err
			}
			return c.JSON(page)
		}
	}
	r.Handle(openapi.Operation{Method: "GET", Path: automationRuns, ID: "listAutomationRuns", Tag: "automations",
		Summary:     "The run log of an app's automations, newest first",
		Description: "Read right on the automation (on every automation, \"*\", without the automation filter).",
		Params: []openapi.Param{automationP, {Name: "status", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{
			automation.RunPending, automation.RunRunning, automation.RunWaiting, automation.RunRetry, automation.RunDone, automation.RunSkipped, automation.RunDead}}},
			{Name: "record", In: "query", Description: "only runs about this record"}, autoLimitP, cursorP, langParam},
		Response: openapi.Ref("AutomationRunPage"), Errors: []int{400},
	}, runList(false))
	r.Handle(openapi.Operation{Method: "GET", Path: automationRuns + "/:id", ID: "getAutomationRun", Tag: "automations",
		Summary: "One run with each action's result, idempotency key and error", Params: []openapi.Param{langParam},
		Response: openapi.Ref("AutomationRun"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		run, err := au.GetRun(recordCtx(c), principal(c), param(c, "app"), param(c, "id"))
		if err != nil {
			return err
		}
		return c.JSON(run)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/dead-letters", ID: "listDeadLetters", Tag: "automations",
		Summary:  "Runs that failed their last attempt, newest first (design right on automations)",
		Params:   []openapi.Param{automationP, {Name: "record", In: "query"}, autoLimitP, cursorP, langParam},
		Response: openapi.Ref("AutomationRunPage"), Errors: []int{400},
	}, runList(true))
	r.Handle(openapi.Operation{Method: "POST", Path: automationRuns + "/:id/replay", ID: "replayDeadLetter", Tag: "automations",
		Summary: "Send a dead run back to the runner (design right on its automation)",
		Description: "The run resumes at the action that failed, with fresh attempts; actions that succeeded are not run again. " +
			"409 automation.not_dead for a run that is not dead. Audited.",
		Params: []openapi.Param{langParam}, Response: openapi.Ref("AutomationRun"), Errors: []int{404, 409},
	}, func(c *fiber.Ctx) error {
		run, err := au.Replay(recordCtx(c), principal(c), param(c, "app"), param(c, "id"))
		if err != nil {
			return err
		}
		s.audit(c, auth.Entry{Action: "automation.replay", App: run.App, Target: "automation-run:" + run.ID,
			Details: map[string]any{"automation": run.Automation}})
		return c.JSON(run)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/automation-messages", ID: "listAutomationMessages", Tag: "automations",
		Summary:     "Messages the automations sent or keep in the outbox channel, newest first",
		Description: "Read right on the automation (on every automation without the automation filter).",
		Params: []openapi.Param{automationP, {Name: "channel", In: "query"}, {Name: "run", In: "query"},
			{Name: "status", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{automation.MessagePending, automation.MessageSent, automation.MessageFailed}}},
			autoLimitP, cursorP, langParam},
		Response: openapi.Ref("AutomationMessagePage"), Errors: []int{400},
	}, func(c *fiber.Ctx) error {
		limit, err := intQuery(c, "limit", automation.DefaultPageSize, automation.MaxPageSize)
		if err != nil {
			return err
		}
		page, err := au.Messages(recordCtx(c), principal(c), param(c, "app"), automation.MessageQuery{
			Automation: strings.Clone(c.Query("automation")), Channel: strings.Clone(c.Query("channel")), Status: strings.Clone(c.Query("status")),
			Run: strings.Clone(c.Query("run")), Limit: limit, Cursor: strings.Clone(c.Query("cursor"))})
		if err != nil {
			return err
		}
		return c.JSON(page)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: automationBase + "/trigger", ID: "triggerAutomation", Tag: "automations",
		Summary: "Run a manual automation for records (a record's button, a list's selection)",
		Description: "Run right on the automation (403); every record must be readable by the caller (422 " +
			"automation.record_not_found with its path); at most the trigger's maxRecords (422 automation.too_many_records). " +
			"One event per record, written together; the runs follow. 409 automation.not_manual or automation.disabled.",
		Params: []openapi.Param{langParam}, Request: openapi.Ref("ManualTrigger"), Status: 202,
		Response: openapi.Schema{"type": "object", "properties": openapi.Schema{"events": openapi.Schema{"type": "integer"}}},
		Errors:   []int{400, 404, 409, 413, 422},
	}, func(c *fiber.Ctx) error {
		var req automation.ManualRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		res, err := au.Trigger(recordCtx(c), principal(c), param(c, "app"), param(c, "automation"), req)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusAccepted).JSON(res)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: automationBase + "/variants", ID: "automationVariants", Tag: "automations",
		Summary: "A/B report: recorded assignments of each split of the published automation, by variant",
		Params:  []openapi.Param{langParam}, Errors: []int{404},
		Response: openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
			"split": openapi.Schema{"type": "string"}, "variant": openapi.Schema{"type": "string"}, "count": openapi.Schema{"type": "integer"}}}},
	}, func(c *fiber.Ctx) error {
		v, err := au.Variants(recordCtx(c), principal(c), param(c, "app"), param(c, "automation"))
		if err != nil {
			return err
		}
		return c.JSON(v)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/store-tasks/progress", ID: "storeTaskProgress", Tag: "automations",
		Summary: "Progress of dispatched store tasks: totals, by region, by store",
		Description: "Over the task records the caller may read (row scopes apply: a region manager sees the region), " +
			"grouped in the database. Overdue counts open tasks past their due time.",
		Params: []openapi.Param{{Name: "title", In: "query"}, {Name: "campaign", In: "query", Description: "a campaign record id"},
			{Name: "dueFrom", In: "query", Description: "date or time"}, {Name: "dueTo", In: "query"},
			{Name: "form", In: "query", Description: "the task form (default store-tasks)"},
			{Name: "storeForm", In: "query", Description: "the store form (default stores)"}, langParam},
		Response: openapi.Ref("TaskProgress"), Errors: []int{400, 404},
	}, func(c *fiber.Ctx) error {
		p, err := au.Progress(recordCtx(c), principal(c), param(c, "app"), automation.ProgressQuery{
			Form: strings.Clone(c.Query("form")), StoreForm: strings.Clone(c.Query("storeForm")), Title: strings.Clone(c.Query("title")),
			Campaign: strings.Clone(c.Query("campaign")), DueFrom: strings.Clone(c.Query("dueFrom")), DueTo: strings.Clone(c.Query("dueTo"))})
		if err != nil {
			return err
		}
		return c.JSON(p)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/automation/extensions", ID: "automationExtensions", Tag: "automations",
		Summary:  "The registered triggers, actions and channel types (for the designer's palette), and the configured channels",
		Response: openapi.Ref("AutomationExtensions"),
	}, func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"triggers": automation.TriggerSpecs(), "actions": automation.ActionSpecs(),
			"channelTypes": automation.ChannelSpecs(), "channels": au.Channels()})
	})
}
