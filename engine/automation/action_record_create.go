package automation

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
)

// record.create creates a record (validated, computed and audited like any
// write), in the transaction that records the action:
//
//	{"form": "followups", "values": {"member": "$record._id", "note": "生日关怀：{{record.name}}"}}
type recordCreate struct {
	form   string
	values map[string]any
}

type recordCreateConfig struct {
	Form   string         `json:"form"`
	Values map[string]any `json:"values"`
}

// Run creates the record and returns it.
func (a *recordCreate) Run(ctx context.Context, x *Exec) (any, error) {
	values, _ := x.Expand(a.values).(map[string]any)
	return x.Records().Create(ctx, x.Principal(), x.Run.App, a.form, values, form.WriteOptions{Lang: x.Lang})
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "record.create", Version: 1, Group: "record",
			Title: map[string]string{"zh-CN": "新建记录", "en": "Create a record"},
			Config: json.RawMessage(`{"type":"object","required":["form","values"],"additionalProperties":false,` +
				`"properties":{"form":{"type":"string"},"values":{"type":"object"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"form":"followups","values":{"member":"$record._id"}}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c recordCreateConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			if !meta.ValidKey(c.Form) {
				return nil, fieldErr("form", "automation.form_required", "name the form to create a record in")
			}
			if c.Values == nil {
				return nil, fieldErr("values", "automation.values_required", "give the field values")
			}
			return &recordCreate{form: c.Form, values: c.Values}, nil
		},
	})
}
