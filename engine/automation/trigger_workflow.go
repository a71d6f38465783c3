package automation

import (
	"encoding/json"
	"regexp"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
)

// workflow.state_entered fires when a record of the form enters a state
// of its workflow (any transition into it, approvals included):
//
//	{"form": "member-upgrades", "state": "approved"}
type stateTrigger struct {
	form, state, from string
}

type stateConfig struct {
	Form  string `json:"form"`
	State string `json:"state"`
	// From narrows it to transitions out of one state.
	From string `json:"from,omitempty"`
}

var stateRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

func (t *stateTrigger) Form() string         { return t.form }
func (t *stateTrigger) EventTypes() []string { return []string{EventWorkflowTransition} }

// Match fires on transitions of the form's records into the state.
func (t *stateTrigger) Match(_ string, e *outbox.Event) bool {
	if e.Form != t.form {
		return false
	}
	to, _ := e.Data["to"].(string)
	from, _ := e.Data["from"].(string)
	return to == t.state && (t.from == "" || from == t.from)
}

func init() {
	RegisterTrigger(TriggerType{
		Spec: ext.Spec{Key: "workflow.state_entered", Version: 1, Group: "workflow",
			Title:    map[string]string{"zh-CN": "流程进入某状态时", "en": "When a workflow enters a state"},
			Config:   json.RawMessage(`{"type":"object","required":["form","state"],"additionalProperties":false,"properties":{"form":{"type":"string"},"state":{"type":"string"},"from":{"type":"string"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"form":"member-upgrades","state":"approved"}`)}},
		Compile: func(raw json.RawMessage) (Trigger, []errs.FieldError) {
			var c stateConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if !meta.ValidKey(c.Form) {
				fe = append(fe, fieldErr("form", "automation.form_required", "name the form of the workflow")...)
			}
			if !stateRe.MatchString(c.State) {
				fe = append(fe, fieldErr("state", "automation.state_required", "name the state (a state key of the flow)")...)
			}
			if c.From != "" && !stateRe.MatchString(c.From) {
				fe = append(fe, fieldErr("from", "automation.bad_state", "a state key of the flow")...)
			}
			return &stateTrigger{form: c.Form, state: c.State, from: c.From}, fe
		},
	})
}
