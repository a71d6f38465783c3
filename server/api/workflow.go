package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/workflow"
	"github.com/tangram/tangram/server/openapi"
)

// The workflow API of a record: fire a transition, see the workflow (state,
// what the caller may do, the open approval, the timeline), withdraw from
// an approval. The engine (engine/workflow) applies the caller's rights;
// decisions on approval tasks are in tasks.go.

const workflowItem = recordsBase + "/:id"

func workflowComponents(sp *openapi.Spec) {
	sp.Component("WorkflowInput", openapi.Schema{
		"type": "object", "additionalProperties": false,
		"properties": openapi.Schema{
			"comment": openapi.Schema{"type": "string", "maxLength": workflow.MaxComment},
			"attachments": openapi.Schema{"type": "array", "maxItems": workflow.MaxAttachments, "items": openapi.Schema{"type": "string"},
				"description": "ids of files the caller uploaded for this form (POST .../forms/{form}/files)"},
		},
	})
	sp.Component("WorkflowEntry", openapi.Schema{
		"type": "object", "description": "one line of the timeline: a transition or an approval action",
		"properties": openapi.Schema{
			"id": openapi.Schema{"type": "string"},
			"kind": openapi.Schema{"type": "string", "enum": []string{workflow.KindTransition, workflow.KindApprove, workflow.KindReject,
				workflow.KindReturn, workflow.KindDelegate, workflow.KindAddSigner, workflow.KindWithdraw, workflow.KindRemind,
				workflow.KindOverdue, workflow.KindEscalate}},
			"at":          openapi.Schema{"type": "string", "format": "date-time"},
			"by":          openapi.Schema{"type": "string"},
			"byName":      openapi.Schema{"type": "string"},
			"flow":        openapi.Schema{"type": "string"},
			"version":     openapi.Schema{"type": "integer"},
			"trigger":     openapi.Schema{"type": "string"},
			"from":        openapi.Schema{"type": "string"},
			"to":          openapi.Schema{"type": "string"},
			"state":       openapi.Schema{"type": "string"},
			"task":        openapi.Schema{"type": "string"},
			"step":        openapi.Schema{"type": "integer"},
			"user":        openapi.Schema{"type": "string"},
			"userName":    openapi.Schema{"type": "string"},
			"comment":     openapi.Schema{"type": "string"},
			"attachments": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string"}},
		},
	})
	sp.Component("WorkflowView", openapi.Schema{
		"type": "object",
		"properties": openapi.Schema{
			"flow":       openapi.Schema{"type": "string"},
			"version":    openapi.Schema{"type": "integer", "description": "the flow version the record runs under"},
			"title":      openapi.Schema{"description": "the flow's title"},
			"state":      openapi.Schema{"type": "string"},
			"stateLabel": openapi.Schema{"description": "text or {zh-CN, en}"},
			"stateType":  openapi.Schema{"type": "string", "enum": []string{workflow.TypeNormal, workflow.TypeApproval, workflow.TypeFinal}},
			"started":    openapi.Schema{"type": "boolean"},
			"finished":   openapi.Schema{"type": "boolean"},
			"transitions": openapi.Schema{"type": "array", "description": "what the caller may fire now", "items": openapi.Schema{
				"type": "object", "properties": openapi.Schema{
					"trigger": openapi.Schema{"type": "string"}, "to": openapi.Schema{"type": "string"},
					"label": openapi.Schema{}, "comment": openapi.Schema{"type": "string", "enum": []string{"none", "optional", "required"}},
				}}},
			"approval": openapi.Schema{"type": "object", "description": "the open approval", "properties": openapi.Schema{
				"state": openapi.Schema{"type": "string"}, "mode": openapi.Schema{"type": "string", "enum": []string{workflow.ModeAny, workflow.ModeAll, workflow.ModeSequential}},
				"round": openapi.Schema{"type": "integer"}, "step": openapi.Schema{"type": "integer"}, "steps": openapi.Schema{"type": "integer"},
				"submitter": openapi.Schema{"type": "string"}, "submitterName": openapi.Schema{"type": "string"},
				"from": openapi.Schema{"type": "string"}, "returnTo": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string"}},
				"canWithdraw": openapi.Schema{"type": "boolean"}, "myTask": openapi.Schema{"type": "string"},
				"tasks": openapi.Schema{"type": "array", "items": openapi.Ref("Task")},
			}},
			"timeline": openapi.Schema{"type": "array", "items": openapi.Ref("WorkflowEntry")},
		},
	})
}

// workflowOp serves an operation on a record's workflow: it reads the
// optional {comment, attachments} body and answers the workflow view.
func workflowOp(op func(c *fiber.Ctx, in workflow.Input) (*workflow.View, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in workflow.Input
		if len(bytes.TrimSpace(c.Body())) > 0 {
			if err := decodeJSON(c, &in); err != nil {
				return err
			}
		}
		v, err := op(c, in)
		if err != nil {
			return err
		}
		return c.JSON(v)
	}
}

func (s *Server) workflowRoutes(r *Router) {
	wf := s.deps.Workflow
	if wf == nil {
		return
	}
	workflowComponents(r.spec)
	taskComponents(r.spec)
	r.Handle(openapi.Operation{Method: "POST", Path: workflowItem + "/transitions/:trigger", ID: "fireTransition", Tag: "workflow",
		Summary: "Fire a workflow transition on a record",
		Description: "The record must be in the caller's read scope (404) and the caller needs the transition right on the " +
			"form's flow (403; a transition's roles narrow it further). The first transition starts the record in the " +
			"flow's published version, which it keeps until it finishes. 409 workflow.not_allowed when the current state " +
			"does not accept the trigger, 409 workflow.guard_failed when its conditions do not hold, 409 " +
			"workflow.approval_pending for the approve/reject triggers of an open approval (decide the task instead), " +
			"422 workflow.comment_required, 422 workflow.attachment_not_found. The state change, its history, approval " +
			"tasks, on-enter/on-exit steps and outbox events commit together or not at all.",
		Params:  []openapi.Param{langParam},
		Request: openapi.Ref("WorkflowInput"), Response: openapi.Ref("WorkflowView"), Errors: []int{400, 404, 409, 413, 422},
	}, workflowOp(func(c *fiber.Ctx, in workflow.Input) (*workflow.View, error) {
		return wf.Fire(recordCtx(c), principal(c), param(c, "app"), param(c, "form"), param(c, "id"), param(c, "trigger"), in)
	}))
	r.Handle(openapi.Operation{Method: "GET", Path: workflowItem + "/workflow", ID: "getRecordWorkflow", Tag: "workflow",
		Summary: "A record's workflow: state, what the caller may fire, the open approval and the timeline",
		Description: "Readable by whoever may read the record, and by the assignees of its tasks. 404 workflow.not_found " +
			"when the form has no published flow.",
		Params: []openapi.Param{langParam}, Response: openapi.Ref("WorkflowView"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		v, err := wf.View(recordCtx(c), principal(c), param(c, "app"), param(c, "form"), param(c, "id"))
		if err != nil {
			return err
		}
		return c.JSON(v)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: workflowItem + "/workflow/withdraw", ID: "withdrawRecord", Tag: "workflow",
		Summary: "Withdraw a record from its open approval (the submitter only)",
		Description: "Sends the record back to the state it entered the approval from; pending tasks become withdrawn. " +
			"403 workflow.not_submitter for anyone but the submitter (or an admin); 409 workflow.no_approval when no " +
			"approval is open; 409 workflow.not_permitted when the approval does not allow withdrawing.",
		Params:  []openapi.Param{langParam},
		Request: openapi.Ref("WorkflowInput"), Response: openapi.Ref("WorkflowView"), Errors: []int{400, 404, 409, 413, 422},
	}, workflowOp(func(c *fiber.Ctx, in workflow.Input) (*workflow.View, error) {
		return wf.Withdraw(recordCtx(c), principal(c), param(c, "app"), param(c, "form"), param(c, "id"), in)
	}))
	s.taskRoutes(r, wf)
}
