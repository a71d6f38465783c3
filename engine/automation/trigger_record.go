package automation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
)

// Record triggers: a record of a form was created, updated (optionally:
// one of some fields changed, or a field changed from some values to
// others) or deleted.
//
//	{"form": "members"}
//	{"form": "members", "fields": ["tier", "homeStore"]}
//	{"form": "members", "changes": [{"field": "tier", "from": ["normal", "silver"], "to": "gold"}]}
//
// fields: any of them changed. changes: every entry holds — its field
// changed, its old value is one of from (when given) and its new value one
// of to (when given).
type recordTrigger struct {
	event   string
	form    string
	fields  []string
	changes []change
}

type change struct {
	Field string          `json:"field"`
	From  json.RawMessage `json:"from,omitempty"`
	To    json.RawMessage `json:"to,omitempty"`
	from  []string        // canonical JSON of each allowed value
	to    []string
}

type recordConfig struct {
	Form    string   `json:"form"`
	Fields  []string `json:"fields,omitempty"`
	Changes []change `json:"changes,omitempty"`
}

func (t *recordTrigger) Form() string         { return t.form }
func (t *recordTrigger) EventTypes() []string { return []string{t.event} }

// Match fires on events of the form whose changes fit.
func (t *recordTrigger) Match(_ string, e *outbox.Event) bool {
	if e.Form != t.form || e.Type != t.event {
		return false
	}
	if t.event != EventRecordUpdated {
		return true
	}
	changed, _ := e.Data["changed"].([]any)
	has := func(k string) bool {
		for _, c := range changed {
			if c == k {
				return true
			}
		}
		return false
	}
	if len(t.fields) > 0 && !slices.ContainsFunc(t.fields, has) {
		return false
	}
	before, _ := e.Data["before"].(map[string]any)
	after, _ := e.Data["after"].(map[string]any)
	for _, c := range t.changes {
		if !has(c.Field) || !oneOf(c.from, before[c.Field]) || !oneOf(c.to, after[c.Field]) {
			return false
		}
	}
	return true
}

// CheckForm requires the fields to exist.
func (t *recordTrigger) CheckForm(f *form.Form) []errs.FieldError {
	var fe []errs.FieldError
	for i, k := range t.fields {
		if _, ok := f.Field(k); !ok {
			fe = append(fe, fieldErr(fmt.Sprintf("fields[%d]", i), "automation.unknown_field", "form %q has no field %q", f.Key, k)...)
		}
	}
	for i, c := range t.changes {
		if _, ok := f.Field(c.Field); !ok {
			fe = append(fe, fieldErr(fmt.Sprintf("changes[%d].field", i), "automation.unknown_field", "form %q has no field %q", f.Key, c.Field)...)
		}
	}
	return fe
}

// oneOf reports whether v is one of the canonical values (none: any).
func oneOf(allowed []string, v any) bool {
	if len(allowed) == 0 {
		return true
	}
	return slices.Contains(allowed, canonical(v))
}

// canonical is a value's JSON text, numbers exact.
func canonical(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// valuesOf reads a scalar or a list of scalars as canonical texts.
func valuesOf(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, true
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil, false
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch e.(type) {
		case map[string]any, []any:
			return nil, false
		}
		out = append(out, canonical(e))
	}
	return out, len(out) > 0
}

func compileRecord(event string) func(json.RawMessage) (Trigger, []errs.FieldError) {
	return func(raw json.RawMessage) (Trigger, []errs.FieldError) {
		var c recordConfig
		if err := decodeStrict(raw, &c); err != nil {
			return nil, configErrors(err)
		}
		var fe []errs.FieldError
		if !meta.ValidKey(c.Form) {
			fe = append(fe, fieldErr("form", "automation.form_required", "name the form whose records fire the automation")...)
		}
		if event != EventRecordUpdated && (len(c.Fields) > 0 || len(c.Changes) > 0) {
			fe = append(fe, fieldErr("fields", "automation.unknown_setting", "fields and changes apply to record.updated only")...)
		}
		for i := range c.Changes {
			ch := &c.Changes[i]
			var ok bool
			if ch.Field == "" {
				fe = append(fe, fieldErr(fmt.Sprintf("changes[%d].field", i), "automation.field_required", "name the field")...)
			}
			if ch.from, ok = valuesOf(ch.From); !ok {
				fe = append(fe, fieldErr(fmt.Sprintf("changes[%d].from", i), "automation.bad_value", "a value or a list of values")...)
			}
			if ch.to, ok = valuesOf(ch.To); !ok {
				fe = append(fe, fieldErr(fmt.Sprintf("changes[%d].to", i), "automation.bad_value", "a value or a list of values")...)
			}
		}
		return &recordTrigger{event: event, form: c.Form, fields: c.Fields, changes: c.Changes}, fe
	}
}

func init() {
	for _, r := range []struct {
		event  string
		zh, en string
	}{
		{EventRecordCreated, "新建记录时", "When a record is created"},
		{EventRecordUpdated, "修改记录时", "When a record is updated"},
		{EventRecordDeleted, "删除记录时", "When a record is deleted"},
	} {
		RegisterTrigger(TriggerType{
			Spec: ext.Spec{Key: r.event, Version: 1, Title: map[string]string{"zh-CN": r.zh, "en": r.en}, Group: "record",
				Config: json.RawMessage(`{"type":"object","required":["form"],"additionalProperties":false,"properties":{` +
					`"form":{"type":"string"},"fields":{"type":"array","items":{"type":"string"}},` +
					`"changes":{"type":"array","items":{"type":"object","required":["field"],"properties":{"field":{"type":"string"},"from":{},"to":{}}}}}}`),
				Examples: []json.RawMessage{json.RawMessage(`{"form":"members","changes":[{"field":"tier","to":["gold","diamond"]}]}`)}},
			Compile: compileRecord(r.event),
		})
	}
}
