package automation

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
)

// record.get reads a record for later actions ("$steps.<id>.field"): the
// member's home store, say, to reach its org unit.
//
//	{"form": "stores", "id": "$record.homeStore"}
//
// A missing record gives null (later actions see empty values) unless
// required is set, which makes it a failure.
type recordGet struct {
	form, id string
	required bool
}

type recordGetConfig struct {
	Form     string `json:"form"`
	ID       string `json:"id"`
	Required bool   `json:"required,omitempty"`
}

// Run reads the record.
func (a *recordGet) Run(ctx context.Context, x *Exec) (any, error) {
	id := x.ExpandString(a.id)
	if id == "" && !a.required {
		return nil, nil
	}
	doc, err := x.Records().Get(ctx, x.Principal(), x.Run.App, a.form, id)
	if errs.ClassOf(err) == errs.NotFound && !a.required {
		return nil, nil
	}
	return doc, err
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "record.get", Version: 1, Group: "record",
			Title: map[string]string{"zh-CN": "读取记录", "en": "Read a record"},
			Config: json.RawMessage(`{"type":"object","required":["form","id"],"additionalProperties":false,` +
				`"properties":{"form":{"type":"string"},"id":{"type":"string"},"required":{"type":"boolean"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"form":"stores","id":"$record.homeStore"}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c recordGetConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if !meta.ValidKey(c.Form) {
				fe = append(fe, fieldErr("form", "automation.form_required", "name the form")...)
			}
			if c.ID == "" {
				fe = append(fe, fieldErr("id", "automation.id_required", "name the record, e.g. $record.homeStore")...)
			}
			return &recordGet{form: c.Form, id: c.ID, required: c.Required}, fe
		},
	})
}
