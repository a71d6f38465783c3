package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/workflow"
	"github.com/tangram/tangram/server/openapi"
)

// The task inbox: the caller's approval tasks, and the decisions on them.
// A caller only ever sees tasks assigned to or decided by them.

func taskComponents(sp *openapi.Spec) {
	str := openapi.Schema{"type": "string"}
	sp.Component("Task", openapi.Schema{
		"type": "object", "description": "one user's part in one step of an approval",
		"properties": openapi.Schema{
			"id": str, "app": str, "form": str, "record": str,
			"title": openapi.Schema{"type": "string", "description": "the record's title field"},
			"flow":  str, "version": openapi.Schema{"type": "integer"}, "state": str, "stateLabel": openapi.Schema{},
			"round": openapi.Schema{"type": "integer"}, "step": openapi.Schema{"type": "integer", "description": "1-based"},
			"mode":     openapi.Schema{"type": "string", "enum": []string{workflow.ModeAny, workflow.ModeAll, workflow.ModeSequential}},
			"assignee": str, "assigneeName": str,
			"status": openapi.Schema{"type": "string", "enum": []string{workflow.TaskPending, workflow.TaskApproved, workflow.TaskRejected,
				workflow.TaskReturned, workflow.TaskDelegated, workflow.TaskEscalated, workflow.TaskWithdrawn, workflow.TaskCancelled}},
			"submitter": str, "submitterName": str,
			"createdAt": openapi.Schema{"type": "string", "format": "date-time"},
			"dueAt":     openapi.Schema{"type": "string", "format": "date-time", "description": "SLA deadline in working hours"},
			"remindAt":  openapi.Schema{"type": "string", "format": "date-time"},
			"reminded":  openapi.Schema{"type": "boolean"}, "overdue": openapi.Schema{"type": "boolean"},
			"escalations": openapi.Schema{"type": "integer"}, "delegatedFrom": str, "delegatedTo": str,
			"decidedAt": openapi.Schema{"type": "string", "format": "date-time"}, "decidedBy": str, "comment": str,
			"attachments": openapi.Schema{"type": "array", "items": str},
		},
	})
	sp.Component("TaskPage", openapi.Schema{
		"type": "object", "required": []string{"tasks", "counts"},
		"properties": openapi.Schema{
			"tasks": openapi.Schema{"type": "array", "items": openapi.Ref("Task")},
			"next":  openapi.Schema{"type": "string", "description": "cursor of the next page; absent on the last"},
			"counts": openapi.Schema{"type": "object", "description": "the caller's whole inbox, whatever the filters",
				"properties": openapi.Schema{"pending": openapi.Schema{"type": "integer"}, "overdue": openapi.Schema{"type": "integer"},
					"dueToday": openapi.Schema{"type": "integer"}, "done": openapi.Schema{"type": "integer"}}},
		},
	})
	comment := openapi.Schema{"type": "string", "maxLength": workflow.MaxComment}
	files := openapi.Schema{"type": "array", "maxItems": workflow.MaxAttachments, "items": str}
	sp.Component("TaskReturn", openapi.Schema{
		"type": "object", "additionalProperties": false,
		"properties": openapi.Schema{"comment": comment, "attachments": files,
			"to":   openapi.Schema{"type": "string", "description": "the state to send the record back to (default: the first allowed)"},
			"step": openapi.Schema{"type": "integer", "minimum": 1, "description": "instead: an earlier step of a sequential approval"}},
	})
	sp.Component("TaskUser", openapi.Schema{
		"type": "object", "additionalProperties": false, "required": []string{"user"},
		"properties": openapi.Schema{"comment": comment, "attachments": files,
			"user": openapi.Schema{"type": "string", "description": "user id of the delegate or the added signer"}},
	})
}

// decisionBody is every field a decision body may have; which ones a
// decision reads is in its OpenAPI body.
type decisionBody struct {
	Comment     string   `json:"comment"`
	Attachments []string `json:"attachments"`
	To          string   `json:"to"`
	Step        int      `json:"step"`
	User        string   `json:"user"`
}

func (s *Server) taskRoutes(r *Router, wf *workflow.Service) {
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/tasks", ID: "listTasks", Tag: "tasks",
		Summary: "The caller's task inbox, newest first, with counts",
		Params: []openapi.Param{
			{Name: "status", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{workflow.InboxPending, workflow.InboxDone, workflow.InboxAll}, "default": workflow.InboxPending}},
			{Name: "app", In: "query", Description: "only this app's tasks"},
			{Name: "form", In: "query", Description: "only this form's tasks"},
			{Name: "due", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{workflow.DueOverdue, workflow.DueToday, workflow.DueWeek}}},
			{Name: "limit", In: "query", Schema: openapi.Schema{"type": "integer", "minimum": 1, "maximum": workflow.MaxInboxLimit, "default": workflow.DefaultInboxLimit}},
			{Name: "cursor", In: "query", Description: "next of the previous page"},
			langParam,
		},
		Response: openapi.Ref("TaskPage"), Errors: []int{400, 422},
	}, func(c *fiber.Ctx) error {
		limit, err := intQuery(c, "limit", 0, workflow.MaxInboxLimit)
		if err != nil {
			return err
		}
		page, err := wf.Inbox(recordCtx(c), principal(c), workflow.InboxQuery{Status: c.Query("status"), App: c.Query("app"),
			Form: c.Query("form"), Due: c.Query("due"), Limit: limit, Cursor: c.Query("cursor")})
		if err != nil {
			return err
		}
		return c.JSON(page)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/tasks/:id", ID: "getTask", Tag: "tasks",
		Summary: "One of the caller's tasks (404 for anyone else's)", Params: []openapi.Param{langParam},
		Response: openapi.Ref("Task"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		t, err := wf.Task(recordCtx(c), principal(c), param(c, "id"))
		if err != nil {
			return err
		}
		return c.JSON(t)
	})
	for _, d := range []struct {
		action, summary, body string
	}{
		{workflow.DecisionApprove, "Approve: the step moves on once its rule is met (any one, all, in sequence); the last step fires the approve trigger", "WorkflowInput"},
		{workflow.DecisionReject, "Reject: the approval ends and the reject trigger fires", "WorkflowInput"},
		{workflow.DecisionReturn, "Return the record to an earlier state, or a sequential approval to an earlier step", "TaskReturn"},
		{workflow.DecisionDelegate, "Hand the task to another user (the deadline carries over)", "TaskUser"},
		{workflow.DecisionAddSigner, "Add an approver: to this step when all must approve, otherwise as the next step", "TaskUser"},
	} {
		action := d.action
		r.Handle(openapi.Operation{Method: "POST", Path: "/api/tasks/:id/" + action, ID: "task" + opName(action), Tag: "tasks",
			Summary: d.summary,
			Description: "Only the task's assignee may decide it (404 otherwise). 409 workflow.task_closed when it was decided " +
				"already or its approval moved on: of two concurrent decisions exactly one is applied. The decision, the " +
				"transition it causes and their history commit together.",
			Params:  []openapi.Param{langParam},
			Request: openapi.Ref(d.body), Response: openapi.Ref("Task"), Errors: []int{400, 404, 409, 413, 422},
		}, func(c *fiber.Ctx) error {
			var b decisionBody
			if len(bytes.TrimSpace(c.Body())) > 0 {
				if err := decodeJSON(c, &b); err != nil {
					return err
				}
			}
			if err := checkDecisionBody(action, b); err != nil {
				return err
			}
			t, err := wf.Decide(recordCtx(c), principal(c), param(c, "id"), workflow.Decision{Action: action,
				Input: workflow.Input{Comment: b.Comment, Attachments: b.Attachments}, To: b.To, Step: b.Step, User: b.User})
			if err != nil {
				return err
			}
			return c.JSON(t)
		})
	}
}

// checkDecisionBody refuses fields a decision does not take and a missing
// user, before anything is read.
func checkDecisionBody(action string, b decisionBody) error {
	var bad []string
	switch action {
	case workflow.DecisionApprove, workflow.DecisionReject:
		if b.To != "" {
			bad = append(bad, "to")
		}
		if b.Step != 0 {
			bad = append(bad, "step")
		}
		if b.User != "" {
			bad = append(bad, "user")
		}
	case workflow.DecisionReturn:
		if b.User != "" {
			bad = append(bad, "user")
		}
		if b.Step < 0 {
			return fieldErr("step", "request.type", "must be a positive step number")
		}
	default:
		if b.To != "" {
			bad = append(bad, "to")
		}
		if b.Step != 0 {
			bad = append(bad, "step")
		}
		if b.User == "" {
			return fieldErr("user", "request.required", "the user id is required")
		}
	}
	if len(bad) > 0 {
		return fieldErr(bad[0], "request.unknown_field", "this decision does not take "+bad[0])
	}
	return nil
}

// opName turns "add-signer" into "AddSigner" for operation ids.
func opName(s string) string {
	out := make([]byte, 0, len(s))
	up := true
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '-' {
			up = true
			continue
		}
		if up && ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		out = append(out, ch)
		up = false
	}
	return string(out)
}

// fieldErr is a 400 about one field of the body.
func fieldErr(path, code, message string) error {
	return &errs.Error{Class: errs.Invalid, Code: code, Msg: "bad request body",
		Fields: []errs.FieldError{{Path: path, Code: code, Message: message}}}
}
