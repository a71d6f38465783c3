package automation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// rule.evaluate runs a decision table (engine/rules) on inputs and hands
// its answer to later actions as "$steps.<id>.outputs.<key>":
//
//	{"rule": "tier-levels", "inputs": {"spend12m": "$record.spend12m"}}
//
// at, when given, is the instant the table is evaluated at (default: the
// run's time).
type ruleEvaluate struct {
	rule   string
	inputs map[string]any
	at     string
}

type ruleConfig struct {
	Rule   string         `json:"rule"`
	Inputs map[string]any `json:"inputs"`
	At     string         `json:"at,omitempty"`
}

// Run evaluates the published table.
func (a *ruleEvaluate) Run(ctx context.Context, x *Exec) (any, error) {
	inputs, _ := x.Expand(a.inputs).(map[string]any)
	at := x.Now
	if a.at != "" {
		t, err := query.ParseTime(x.ExpandString(a.at), query.DefaultLocation)
		if err != nil {
			return nil, coded(x.Lang, errs.Unprocessable, "automation.rule_input")
		}
		at = t
	}
	res, err := x.Svc.rules.Evaluate(ctx, x.Run.App, a.rule, inputs, at.In(time.UTC))
	if err != nil {
		return nil, err
	}
	return map[string]any{"matched": res.Matched, "rows": res.Rows, "outputs": res.Outputs, "list": res.List}, nil
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "rule.evaluate", Version: 1, Group: "logic",
			Title: map[string]string{"zh-CN": "执行规则表", "en": "Evaluate a decision table"},
			Config: json.RawMessage(`{"type":"object","required":["rule","inputs"],"additionalProperties":false,` +
				`"properties":{"rule":{"type":"string"},"inputs":{"type":"object"},"at":{"type":"string"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"rule":"tier-levels","inputs":{"spend12m":"$record.spend12m"}}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c ruleConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			if !meta.ValidKey(c.Rule) {
				return nil, fieldErr("rule", "automation.rule_required", "name the decision table")
			}
			if c.Inputs == nil {
				c.Inputs = map[string]any{}
			}
			return &ruleEvaluate{rule: c.Rule, inputs: c.Inputs, at: c.At}, nil
		},
	})
}
