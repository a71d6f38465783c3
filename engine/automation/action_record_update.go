package automation

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
)

// record.update changes fields of a record, by default the run's own:
//
//	{"values": {"lastGreetedAt": "$now"}}
//	{"form": "stores", "id": "$record.homeStore", "values": {"note": "..."}}
type recordUpdate struct {
	form, id string
	values   map[string]any
}

type recordUpdateConfig struct {
	Form   string         `json:"form,omitempty"`
	ID     string         `json:"id,omitempty"`
	Values map[string]any `json:"values"`
}

// Run patches the record and returns it.
func (a *recordUpdate) Run(ctx context.Context, x *Exec) (any, error) {
	formKey, id := targetOf(x, a.form, a.id)
	if id == "" {
		return nil, coded(x.Lang, errs.Unprocessable, "automation.record_id")
	}
	values, _ := x.Expand(a.values).(map[string]any)
	return x.Records().Patch(ctx, x.Principal(), x.Run.App, formKey, id, values, 0, form.WriteOptions{Lang: x.Lang})
}

// CheckForm checks the field keys when the record is the run's own.
func (a *recordUpdate) CheckForm(f *form.Form) []errs.FieldError {
	if a.form != "" && a.form != f.Key {
		return nil
	}
	keys := make([]string, 0, len(a.values))
	for k := range a.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fe []errs.FieldError
	for _, k := range keys {
		if _, ok := f.Field(k); !ok || f.Computed(k) {
			fe = append(fe, fieldErr("values."+k, "automation.unknown_field", "form %q has no field %q that can be written", f.Key, k)...)
		}
	}
	return fe
}

// targetOf is the form and record an action names, by default the run's.
func targetOf(x *Exec, formKey, id string) (string, string) {
	if formKey == "" {
		formKey = x.Run.Form
	}
	if id == "" {
		return formKey, x.Run.Record
	}
	return formKey, x.ExpandString(id)
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "record.update", Version: 1, Group: "record",
			Title: map[string]string{"zh-CN": "修改记录", "en": "Update a record"},
			Config: json.RawMessage(`{"type":"object","required":["values"],"additionalProperties":false,` +
				`"properties":{"form":{"type":"string"},"id":{"type":"string"},"values":{"type":"object"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"values":{"tags":["birthday-2026"]}}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c recordUpdateConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if c.Form != "" && !meta.ValidKey(c.Form) {
				fe = append(fe, fieldErr("form", "automation.bad_form", "a form key")...)
			}
			if len(c.Values) == 0 {
				fe = append(fe, fieldErr("values", "automation.values_required", "name at least one field to set")...)
			}
			if c.Form != "" && c.ID == "" {
				fe = append(fe, fieldErr("id", "automation.id_required", "name the record of form %q to update", c.Form)...)
			}
			return &recordUpdate{form: c.Form, id: c.ID, values: c.Values}, fe
		},
	})
}
