package automation

import (
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
)

// manual.button runs the automation for records a user picks: a button on
// a record, or on a list view's selection. The user needs the run right
// on the automation and must be able to read every record.
//
//	{"form": "members", "label": {"zh-CN": "发送关怀券", "en": "Send a care coupon"}}
type manualTrigger struct {
	form       string
	maxRecords int
}

type manualConfig struct {
	Form       string          `json:"form"`
	Label      json.RawMessage `json:"label,omitempty"`
	Confirm    json.RawMessage `json:"confirm,omitempty"`
	MaxRecords int             `json:"maxRecords,omitempty"`
}

// MaxManualRecords bounds the records one manual trigger runs for.
const MaxManualRecords = 1000

func (t *manualTrigger) Form() string         { return t.form }
func (t *manualTrigger) EventTypes() []string { return []string{EventManual} }

// Match fires on manual events addressed to the automation.
func (t *manualTrigger) Match(key string, e *outbox.Event) bool { return e.Data["automation"] == key }

func init() {
	RegisterTrigger(TriggerType{
		Spec: ext.Spec{Key: "manual.button", Version: 1, Group: "manual", UIHint: "button",
			Title: map[string]string{"zh-CN": "手动按钮", "en": "Manual button"},
			Config: json.RawMessage(`{"type":"object","required":["form"],"additionalProperties":false,"properties":{"form":{"type":"string"},` +
				`"label":{},"confirm":{},"maxRecords":{"type":"integer","minimum":1,"maximum":1000}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"form":"members","label":{"zh-CN":"发送关怀券","en":"Send a care coupon"}}`)}},
		Compile: func(raw json.RawMessage) (Trigger, []errs.FieldError) {
			var c manualConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if !meta.ValidKey(c.Form) {
				fe = append(fe, fieldErr("form", "automation.form_required", "name the form whose records the button is on")...)
			}
			if c.MaxRecords < 0 || c.MaxRecords > MaxManualRecords {
				fe = append(fe, fieldErr("maxRecords", "automation.bad_max", "between 1 and %d", MaxManualRecords)...)
			}
			if c.MaxRecords == 0 {
				c.MaxRecords = 500
			}
			return &manualTrigger{form: c.Form, maxRecords: c.MaxRecords}, fe
		},
	})
}
