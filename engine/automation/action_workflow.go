package automation

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/workflow"
)

// workflow.fire fires a transition on a record's workflow, by default the
// run's record; workflow.start does the same only when the record has not
// started its workflow yet (firing the first transition is what starts
// it):
//
//	{"trigger": "submit", "comment": "会员消费达标，自动提交升级申请"}
//
// The workflow engine commits a transition in its own transaction, so
// these actions run outside the run's: the comment carries the action's
// idempotency key, and before firing the record's timeline is read, so a
// run retried after a transition that committed does not fire it again.
type workflowFire struct {
	start                   bool
	trigger, form, id, note string
}

type workflowConfig struct {
	Trigger string `json:"trigger"`
	Form    string `json:"form,omitempty"`
	ID      string `json:"id,omitempty"`
	Comment string `json:"comment,omitempty"`
}

var _ Outside = (*workflowFire)(nil)

// Outside marks the action as running outside the run's transaction.
func (*workflowFire) Outside() {}

// Run fires the transition once.
func (a *workflowFire) Run(ctx context.Context, x *Exec) (any, error) {
	if x.Svc.workflow == nil {
		return nil, coded(x.Lang, errs.Internal, "automation.no_workflow")
	}
	formKey, id := targetOf(x, a.form, a.id)
	if id == "" {
		return nil, coded(x.Lang, errs.Unprocessable, "automation.no_record")
	}
	mark := "[" + x.Key + "]"
	v, err := x.Svc.workflow.View(ctx, x.Principal(), x.Run.App, formKey, id)
	if err != nil {
		return nil, err
	}
	for _, e := range v.Timeline {
		if strings.Contains(e.Comment, mark) {
			return map[string]any{"state": v.State, "repeated": true}, nil
		}
	}
	if a.start && v.Started {
		return map[string]any{"state": v.State, "alreadyStarted": true}, nil
	}
	comment := strings.TrimSpace(x.ExpandString(a.note) + " " + mark)
	if len(comment) > workflow.MaxComment {
		comment = comment[len(comment)-workflow.MaxComment:]
	}
	v, err = x.Svc.workflow.Fire(ctx, x.Principal(), x.Run.App, formKey, id, a.trigger, workflow.Input{Comment: comment})
	if err != nil {
		return nil, err
	}
	return map[string]any{"state": v.State}, nil
}

func compileWorkflow(start bool) func(json.RawMessage) (Action, []errs.FieldError) {
	return func(raw json.RawMessage) (Action, []errs.FieldError) {
		var c workflowConfig
		if err := decodeStrict(raw, &c); err != nil {
			return nil, configErrors(err)
		}
		var fe []errs.FieldError
		if !stateRe.MatchString(c.Trigger) {
			fe = append(fe, fieldErr("trigger", "automation.trigger_required", "name the transition's trigger")...)
		}
		if c.Form != "" && !meta.ValidKey(c.Form) {
			fe = append(fe, fieldErr("form", "automation.bad_form", "a form key")...)
		}
		if len(c.Comment) > workflow.MaxComment/2 {
			fe = append(fe, fieldErr("comment", "automation.too_long", "at most %d characters", workflow.MaxComment/2)...)
		}
		return &workflowFire{start: start, trigger: c.Trigger, form: c.Form, id: c.ID, note: c.Comment}, fe
	}
}

func init() {
	schema := json.RawMessage(`{"type":"object","required":["trigger"],"additionalProperties":false,"properties":{` +
		`"trigger":{"type":"string"},"form":{"type":"string"},"id":{"type":"string"},"comment":{"type":"string"}}}`)
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "workflow.fire", Version: 1, Group: "workflow", Config: schema,
			Title:    map[string]string{"zh-CN": "执行流程转换", "en": "Fire a workflow transition"},
			Examples: []json.RawMessage{json.RawMessage(`{"trigger":"approve"}`)}},
		Compile: compileWorkflow(false),
	})
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "workflow.start", Version: 1, Group: "workflow", Config: schema,
			Title:    map[string]string{"zh-CN": "发起流程", "en": "Start a workflow"},
			Examples: []json.RawMessage{json.RawMessage(`{"trigger":"submit","comment":"自动提交"}`)}},
		Compile: compileWorkflow(true),
	})
}
