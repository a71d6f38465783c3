package automation

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
)

// action.run runs one of the app's actions (engine/action) inside the
// transaction that records the automation's action, so its writes commit
// exactly once with the run's progress:
//
//	{"action": "adjust-points", "input": {"member": "$record._id", "points": 100, "reason": "生日礼"}}
type actionRun struct {
	action string
	input  map[string]any
}

type actionRunConfig struct {
	Action string         `json:"action"`
	Input  map[string]any `json:"input,omitempty"`
}

// Run runs the action and returns its output.
func (a *actionRun) Run(ctx context.Context, x *Exec) (any, error) {
	input, _ := x.Expand(a.input).(map[string]any)
	return runAppAction(ctx, x, a.action, input)
}

// runAppAction runs an app's action through x.Tx and decodes its output.
func runAppAction(ctx context.Context, x *Exec, key string, input map[string]any) (any, error) {
	if x.Svc.actions == nil {
		return nil, coded(x.Lang, errs.Internal, "automation.no_actions")
	}
	if input == nil {
		input = map[string]any{}
	}
	out, err := x.Svc.actions.RunIn(ctx, x.Tx, x.Principal(), x.Run.App, key, input, x.Lang)
	if err != nil {
		return nil, err
	}
	var v any
	if len(out) > 0 {
		v = keepable(json.RawMessage(out))
	}
	return v, nil
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "action.run", Version: 1, Group: "logic",
			Title: map[string]string{"zh-CN": "执行动作", "en": "Run an action"},
			Config: json.RawMessage(`{"type":"object","required":["action"],"additionalProperties":false,` +
				`"properties":{"action":{"type":"string"},"input":{"type":"object"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"action":"adjust-points","input":{"member":"$record._id","points":100,"reason":"gift"}}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c actionRunConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			if !meta.ValidKey(c.Action) {
				return nil, fieldErr("action", "automation.action_required", "name a published action of the app")
			}
			return &actionRun{action: c.Action, input: c.Input}, nil
		},
	})
}
