package workflow

import (
	"context"
	"fmt"

	"github.com/qmuntal/stateless"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
)

// compiled is one published version of a flow, ready to run. It is
// immutable and shared by every request: the state machine keeps no state
// of its own (the state lives in the record and is handed to the machine
// through the context of each firing), so one machine serves concurrent
// transitions of different records.
type compiled struct {
	app, key string
	version  int
	spec     *Spec
	states   map[string]*StateSpec
	// groups lists, per (state, trigger), the transitions that may fire,
	// in definition order: of several, the first whose guard holds wins.
	groups   map[groupKey][]int
	formulas map[int]*script.Formula // guard formulas by transition index
	machine  *stateless.StateMachine
}

type groupKey struct{ from, trigger string }

// Internal triggers of approval states: sending a record back and the
// submitter's withdrawal. Their own type keeps them apart from the
// definition's triggers (strings), whatever those are called.
type internalTrigger string

const (
	trigReturn   internalTrigger = "return"
	trigWithdraw internalTrigger = "withdraw"
)

// formulaParams are what a guard formula sees.
var formulaParams = []string{"record", "user"}

// compile builds the state machine of a published flow version.
func compile(def meta.Definition) (*compiled, error) {
	spec, err := decodeSpec(def.Spec)
	if err != nil {
		return nil, errs.Wrap(err, errs.Internal, "workflow.definition", "flow %s cannot be read", def.Key)
	}
	c := &compiled{app: def.App, key: def.Key, version: def.Version, spec: spec,
		states: map[string]*StateSpec{}, groups: map[groupKey][]int{}, formulas: map[int]*script.Formula{}}
	for i := range spec.States {
		c.states[spec.States[i].Key] = &spec.States[i]
	}
	m := stateless.NewStateMachineWithExternalStorage(
		func(ctx context.Context) (stateless.State, error) { return fireOf(ctx).state, nil },
		func(ctx context.Context, s stateless.State) error { return fireOf(ctx).setState(ctx, s.(string)) },
		// Immediate: each firing runs on its caller's goroutine with its own
		// context; the queued mode shares one queue across callers.
		stateless.FiringImmediate)
	m.OnUnhandledTrigger(func(ctx context.Context, state stateless.State, trigger stateless.Trigger, unmet []string) error {
		return fireOf(ctx).unhandled(state, trigger, len(unmet) > 0)
	})
	for i := range spec.States {
		st := &spec.States[i]
		sc := m.Configure(st.Key)
		sc.OnEntry(func(ctx context.Context, _ ...any) error { return fireOf(ctx).entered(ctx, st) })
		sc.OnExit(func(ctx context.Context, _ ...any) error { return fireOf(ctx).left(ctx, st) })
		if st.Type == TypeApproval {
			// The destination is chosen per firing (the approver's target,
			// the state the approval came from), never the state itself.
			sc.PermitDynamic(trigReturn, func(ctx context.Context, _ ...any) (stateless.State, error) { return fireOf(ctx).target, nil })
			sc.PermitDynamic(trigWithdraw, func(ctx context.Context, _ ...any) (stateless.State, error) { return fireOf(ctx).target, nil })
		}
	}
	for i := range spec.Transitions {
		t := &spec.Transitions[i]
		if t.Guard != nil && t.Guard.Formula != "" {
			f, err := script.CompileFormula(t.Guard.Formula, formulaParams)
			if err != nil {
				return nil, script.AtPath(err, fmt.Sprintf("spec.transitions[%d].guard.formula", i))
			}
			c.formulas[i] = f
		}
		for _, from := range t.From {
			gk := groupKey{from, t.Trigger}
			c.groups[gk] = append(c.groups[gk], i)
			idx := i
			guard := func(ctx context.Context, _ ...any) bool { return fireOf(ctx).pick(ctx, gk) == idx }
			if from == t.To {
				m.Configure(from).PermitReentry(t.Trigger, guard)
			} else {
				m.Configure(from).Permit(t.Trigger, t.To, guard)
			}
		}
	}
	c.machine = m
	return c, nil
}

// state returns a state's definition (nil for an unknown key: a record
// whose state a later edit of the data removed).
func (c *compiled) state(key string) *StateSpec { return c.states[key] }

// reserved reports whether trigger, fired from state, is the approval's to
// fire: clients decide tasks instead.
func (c *compiled) reserved(state, trigger string) bool {
	st := c.states[state]
	if st == nil || st.Approval == nil {
		return false
	}
	return trigger == st.Approval.approveTrigger() || trigger == st.Approval.rejectTrigger()
}
