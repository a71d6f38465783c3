package automation

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
)

// flow.branch runs then when its test holds, else otherwise. The test is
// a filter on the run's record (the same language as conditions), or a
// comparison of a value with test:
//
//	{"record": {"tier": {"$in": ["gold", "diamond"]}}, "then": [...], "else": [...]}
//	{"value": "$steps.http.status", "test": {"$eq": 200}, "then": [...]}
type flowBranch struct {
	record    json.RawMessage
	value     any
	test      valueTest
	then, els []StepSpec
}

type branchConfig struct {
	Record json.RawMessage `json:"record,omitempty"`
	Value  any             `json:"value,omitempty"`
	Test   json.RawMessage `json:"test,omitempty"`
	Then   []StepSpec      `json:"then,omitempty"`
	Else   []StepSpec      `json:"else,omitempty"`
}

var _ Chooser = (*flowBranch)(nil)

// Run is not called for a Chooser.
func (a *flowBranch) Run(context.Context, *Exec) (any, error) { return nil, nil }

// Blocks are then and else.
func (a *flowBranch) Blocks() []Block {
	return []Block{{Path: "then", Steps: a.then}, {Path: "else", Steps: a.els}}
}

// Choose evaluates the test: block 0 (then) or 1 (else).
func (a *flowBranch) Choose(ctx context.Context, x *Exec) (int, any, error) {
	var ok bool
	if len(a.record) > 0 {
		f, err := x.Records().Form(ctx, x.Run.App, x.Auto.Trigger.Form())
		if err != nil {
			return 0, nil, err
		}
		n, err := parseRecordFilter(a.record, f, "record")
		if err != nil {
			return 0, nil, err
		}
		rec, _ := x.Var("record")
		m, _ := rec.(map[string]any)
		ok = form.Match(n, m)
	} else {
		ok = a.test.holds(x.Expand(a.value))
	}
	if ok {
		return 0, map[string]any{"branch": "then"}, nil
	}
	return 1, map[string]any{"branch": "else"}, nil
}

// CheckForm parses the record test against the automation's form.
func (a *flowBranch) CheckForm(f *form.Form) []errs.FieldError {
	if len(a.record) == 0 {
		return nil
	}
	if _, err := parseRecordFilter(a.record, f, "record"); err != nil {
		return filterErrors(err, "record")
	}
	return nil
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "flow.branch", Version: 1, Group: "flow",
			Title: map[string]string{"zh-CN": "条件分支", "en": "Branch"},
			Config: json.RawMessage(`{"type":"object","additionalProperties":false,"properties":{"record":{"type":"object"},"value":{},` +
				`"test":{"type":"object"},"then":{"type":"array"},"else":{"type":"array"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"record":{"tier":"diamond"},"then":[{"type":"message.send","config":{"to":"$record.phone","text":"..."}}]}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c branchConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			a := &flowBranch{record: c.Record, value: c.Value, then: c.Then, els: c.Else}
			var fe []errs.FieldError
			switch {
			case len(c.Record) > 0 && (c.Value != nil || len(c.Test) > 0):
				fe = append(fe, fieldErr("record", "automation.branch_test", "test the record or a value, not both")...)
			case len(c.Record) > 0:
				if !isObject(c.Record) {
					fe = append(fe, fieldErr("record", "automation.bad_filter", "a filter is an object")...)
				}
			default:
				t, bad := compileTest(c.Test, "test")
				a.test = t
				fe = append(fe, bad...)
			}
			if len(c.Then) == 0 && len(c.Else) == 0 {
				fe = append(fe, fieldErr("then", "automation.branch_empty", "give then or else actions")...)
			}
			return a, fe
		},
	})
}
