package automation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/outbox"
)

// TriggerType is a registered kind of trigger.
type TriggerType struct {
	Spec ext.Spec
	// Compile strictly decodes a trigger's config. Field errors have paths
	// relative to the config.
	Compile func(config json.RawMessage) (Trigger, []errs.FieldError)
}

// Trigger is a compiled trigger config. What makes it fire is one of the
// optional abilities below.
type Trigger interface {
	// Form is the form whose records the trigger is about ("" for none):
	// conditions and "$record" refer to its records.
	Form() string
}

// EventTrigger fires on outbox events.
type EventTrigger interface {
	Trigger
	// EventTypes lists the event types it may match.
	EventTypes() []string
	// Match reports whether an event of one of those types fires the
	// automation key of the event's app.
	Match(key string, e *outbox.Event) bool
}

// Scheduled fires at the occurrences of a schedule (cron).
type Scheduled interface {
	Trigger
	// Next is the first occurrence strictly after t (zero: none).
	Next(t time.Time) time.Time
	// CatchUp is how far back missed occurrences are still fired (0: the
	// runner's default).
	CatchUp() time.Duration
}

// Scanned is a Scheduled trigger whose occurrence runs the automation for
// each record a query finds (date-relative triggers, cron over a form).
type Scanned interface {
	Scheduled
	// Scan is the query of the occurrence at, against the compiled form.
	Scan(f *form.Form, at time.Time) (*ScanQuery, error)
}

// FormChecker is an optional ability of triggers and actions: checks of
// their config against the form the automation is about (field keys and
// types), run when the automation is saved.
type FormChecker interface {
	CheckForm(f *form.Form) []errs.FieldError
}

// ActionType is a registered kind of action.
type ActionType struct {
	Spec ext.Spec
	// Compile strictly decodes an action's config; paths are relative to
	// the config.
	Compile func(config json.RawMessage) (Action, []errs.FieldError)
}

// Action is a compiled action config.
type Action interface {
	// Run performs the action and returns its output (JSON-encodable, kept
	// in the run's results and readable by later actions as
	// "$steps.<id>"). Unless the action is Outside, x.Tx is the
	// transaction that also records the result: write only through it.
	Run(ctx context.Context, x *Exec) (any, error)
}

// Outside marks actions whose effect is not in the store (an HTTP call)
// or goes through another engine's own transaction (a workflow
// transition): they run outside any transaction, with x.Tx nil, and must
// make a repeat harmless with x.Key.
type Outside interface {
	Action
	Outside()
}

// Chooser is flow control with nested action lists: branch, A/B split.
// The compiler lays the blocks out after the chooser, and Choose picks
// which one runs (-1: none).
type Chooser interface {
	Action
	Blocks() []Block
	Choose(ctx context.Context, x *Exec) (int, any, error)
}

// Block is one nested action list of a Chooser.
type Block struct {
	// Path is where the list sits in the chooser's config ("then",
	// "variants[1].actions").
	Path  string
	Steps []StepSpec
}

// Waiter pauses the run until a time (flow.wait).
type Waiter interface {
	Action
	Until(ctx context.Context, x *Exec) (time.Time, error)
}

var (
	triggerTypes = ext.NewRegistry[TriggerType]("automation triggers")
	actionTypes  = ext.NewRegistry[ActionType]("automation actions")
)

// RegisterTrigger adds a trigger type; a duplicate key panics.
func RegisterTrigger(t TriggerType) { triggerTypes.Register(t.Spec.Key, t) }

// RegisterAction adds an action type; a duplicate key panics.
func RegisterAction(a ActionType) { actionTypes.Register(a.Spec.Key, a) }

// TriggerSpecs lists the registered triggers' specs, by key.
func TriggerSpecs() []ext.Spec {
	return specsOf(triggerTypes, func(t TriggerType) ext.Spec { return t.Spec })
}

// ActionSpecs lists the registered actions' specs, by key.
func ActionSpecs() []ext.Spec {
	return specsOf(actionTypes, func(a ActionType) ext.Spec { return a.Spec })
}

// specsOf lists the specs of a registry's extensions, by key.
func specsOf[T any](r *ext.Registry[T], spec func(T) ext.Spec) []ext.Spec {
	var out []ext.Spec
	for _, k := range r.Keys() {
		v, _ := r.Get(k)
		out = append(out, spec(v))
	}
	return out
}
