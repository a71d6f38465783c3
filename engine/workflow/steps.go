package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Steps are the on-enter and on-exit actions of states. Each runs inside
// the transition's store transaction, so its writes commit with the state
// change or not at all; a step that fails fails the transition. Built in:
//
//	action.run  {"action": "key", "input": {...}}   run an action (engine/action) in the transaction
//	record.set  {"values": {"field": value}}        change fields of the record (as the system)
//	event.emit  {"type": "a.b", "data": {...}}      write an outbox event for the automation runner
//
// String values "$record.<field>", "$record._id", "$trigger", "$from",
// "$to", "$state", "$flow", "$comment", "$now", "$user.id" and
// "$user.name" in input, values and data are replaced by what they name
// (whole strings only). Effects outside the store (messages, webhooks)
// belong in automations, which consume the transition's outbox event and
// run exactly once; event.emit hands them anything else they need.

// Step is a registered step type.
type Step struct {
	// Check validates a step's config; paths are relative to the config.
	Check func(config json.RawMessage) []errs.FieldError
	// CheckForm, optional, validates the config against the flow's form
	// (field keys) when the flow is saved.
	CheckForm func(f *form.Form, config json.RawMessage) []errs.FieldError
	// Run performs the step.
	Run func(ctx context.Context, sc *StepContext, config json.RawMessage) error
}

var stepTypes = ext.NewRegistry[Step]("workflow steps")

// RegisterStep adds a step type; a duplicate type panics (see engine/ext).
func RegisterStep(typ string, s Step) { stepTypes.Register(typ, s) }

// StepTypes lists the registered step types.
func StepTypes() []string { return stepTypes.Keys() }

// StepContext is what a step runs with.
type StepContext struct {
	// Tx is the transition's transaction: write only through it.
	Tx                store.Ops
	App, Form, Flow   string
	Version           int
	Phase             string // "enter" or "exit"
	State             string // the state entered or left
	Trigger, From, To string
	Record            store.Doc // the record as it stands, every field
	Actor             *auth.Principal
	At                time.Time
	Lang              string
	Step              StepSpec
	Comment           string
	fire              *fire
}

// Records is the records service bound to the transaction.
func (sc *StepContext) Records() *form.TxRecords { return sc.fire.recs }

// Expand replaces the "$name" strings in v (see the list above).
func (sc *StepContext) Expand(v any) any {
	switch x := v.(type) {
	case string:
		if r, ok := sc.variable(x); ok {
			return r
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = sc.Expand(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = sc.Expand(e)
		}
		return out
	}
	return v
}

func (sc *StepContext) variable(s string) (any, bool) {
	if !strings.HasPrefix(s, "$") {
		return nil, false
	}
	if p, ok := strings.CutPrefix(s, "$record."); ok {
		v, _ := query.Lookup(sc.Record, p)
		return v, true
	}
	switch s {
	case "$trigger":
		return sc.Trigger, true
	case "$from":
		return sc.From, true
	case "$to":
		return sc.To, true
	case "$state":
		return sc.State, true
	case "$flow":
		return sc.Flow, true
	case "$comment":
		return sc.Comment, true
	case "$now":
		return query.FormatTime(sc.At), true
	case "$user.id":
		return sc.Actor.Actor(), true
	case "$user.name":
		return actorName(sc.Actor), true
	}
	return nil, false
}

// decodeConfig strictly decodes a step config into v.
func decodeConfig(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	d.UseNumber()
	return d.Decode(v)
}

func configErr(err error) []errs.FieldError {
	return []errs.FieldError{{Path: "", Code: "flow.step_config", Message: err.Error()}}
}

var (
	actionKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	eventTypeRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)
)

type actionRunConfig struct {
	Action string         `json:"action"`
	Input  map[string]any `json:"input"`
}

type recordSetConfig struct {
	Values map[string]any `json:"values"`
}

type eventEmitConfig struct {
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

func init() {
	RegisterStep("action.run", Step{
		Check: func(raw json.RawMessage) []errs.FieldError {
			var c actionRunConfig
			if err := decodeConfig(raw, &c); err != nil {
				return configErr(err)
			}
			if !actionKeyRe.MatchString(c.Action) {
				return []errs.FieldError{{Path: "action", Code: "flow.step_config", Message: "the key of a published action is required"}}
			}
			return nil
		},
		Run: func(ctx context.Context, sc *StepContext, raw json.RawMessage) error {
			var c actionRunConfig
			if err := decodeConfig(raw, &c); err != nil {
				return err
			}
			if sc.fire.svc.actions == nil {
				return errs.New(errs.Internal, "workflow.no_actions", "step %s: the server runs no actions", sc.Step.Type)
			}
			// Expand turns a missing input into {}.
			input := sc.Expand(map[string]any(c.Input))
			_, err := sc.fire.svc.actions.RunIn(ctx, sc.Tx, auth.System().Principal, sc.App, c.Action, input, sc.Lang)
			return err
		},
	})
	RegisterStep("record.set", Step{
		Check: func(raw json.RawMessage) []errs.FieldError {
			var c recordSetConfig
			if err := decodeConfig(raw, &c); err != nil {
				return configErr(err)
			}
			if len(c.Values) == 0 {
				return []errs.FieldError{{Path: "values", Code: "flow.step_config", Message: "name at least one field to set"}}
			}
			return nil
		},
		CheckForm: func(f *form.Form, raw json.RawMessage) []errs.FieldError {
			var c recordSetConfig
			if decodeConfig(raw, &c) != nil {
				return nil
			}
			var fe []errs.FieldError
			for _, k := range sortedKeys(c.Values) {
				if _, ok := f.Field(k); !ok || f.Computed(k) {
					fe = append(fe, errs.FieldError{Path: "values." + k, Code: "flow.unknown_field",
						Message: fmt.Sprintf("form %q has no field %q that can be written", f.Key, k)})
				}
			}
			return fe
		},
		Run: func(ctx context.Context, sc *StepContext, raw json.RawMessage) error {
			var c recordSetConfig
			if err := decodeConfig(raw, &c); err != nil {
				return err
			}
			values := sc.Expand(map[string]any(c.Values)).(map[string]any)
			id, _ := sc.Record[form.SysID].(string)
			doc, err := sc.Records().Patch(ctx, auth.System().Principal, sc.App, sc.Form, id, values, 0, form.WriteOptions{Lang: sc.Lang})
			if err != nil {
				return err
			}
			sc.fire.rec, sc.Record = doc, doc
			return nil
		},
	})
	RegisterStep("event.emit", Step{
		Check: func(raw json.RawMessage) []errs.FieldError {
			var c eventEmitConfig
			if err := decodeConfig(raw, &c); err != nil {
				return configErr(err)
			}
			if !eventTypeRe.MatchString(c.Type) {
				return []errs.FieldError{{Path: "type", Code: "flow.step_config", Message: "an event type such as \"member.upgrade_requested\" is required"}}
			}
			return nil
		},
		Run: func(ctx context.Context, sc *StepContext, raw json.RawMessage) error {
			var c eventEmitConfig
			if err := decodeConfig(raw, &c); err != nil {
				return err
			}
			data := map[string]any{"flow": sc.Flow, "version": sc.Version, "state": sc.State, "phase": sc.Phase,
				"trigger": sc.Trigger, "step": sc.Step.ID, "data": sc.Expand(map[string]any(c.Data))}
			return sc.fire.event(ctx, c.Type, data)
		},
	})
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// outboxEvent writes one outbox event about the fire's record.
func (f *fire) event(ctx context.Context, typ string, data map[string]any) error {
	_, err := outbox.Write(ctx, f.tx, outbox.Event{Type: typ, App: f.app, Form: f.form, Record: f.recordID,
		Actor: f.actor.Actor(), At: f.at, Data: data})
	return err
}
