package workflow

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// fire is one operation on one record's workflow inside one transaction:
// a transition, a task decision, a withdrawal or an SLA action. The state
// machine reaches it through the context of each firing (fireOf).
type fire struct {
	svc      *Service
	tx       store.Ops
	recs     *form.TxRecords // nil for read-only views
	cf       *compiled
	form     string
	app      string
	recordID string
	f        *form.Form
	rec      store.Doc // the record, every field (system view)
	inst     *instance
	actor    *auth.Principal
	lang     string
	at       time.Time

	state   string // the machine's current state
	trigger any    // the trigger being fired
	input   Input  // comment and attachments of the operation
	target  string // destination of the internal return/withdraw triggers

	// checkRoles applies transitions' role lists (a client's transition;
	// not the approval's own triggers).
	checkRoles bool
	picks      map[groupKey]int
	guardErr   error
	roleDenied bool
	// closing is the status pending tasks get when the approval state is
	// left (cancelled, unless the operation says otherwise).
	closing string
	// autoApprove is set when an approval opened with nobody to ask and
	// its flow says to approve at once.
	autoApprove *StateSpec
	// from is the state the last transition left; lastApproval the
	// approval it closed (whose submitter a following approval keeps).
	from         string
	lastApproval *approvalRun
}

func (f *fire) prevState() string { return f.from }

type fireKey struct{}

func withFire(ctx context.Context, f *fire) context.Context {
	return context.WithValue(ctx, fireKey{}, f)
}

func fireOf(ctx context.Context) *fire { return ctx.Value(fireKey{}).(*fire) }

// Input is what a client sends with a transition or a decision.
type Input struct {
	Comment     string   `json:"comment,omitempty"`
	Attachments []string `json:"attachments,omitempty"`
}

// Bounds of an Input.
const (
	MaxComment     = 2000
	MaxAttachments = 20
)

// begin loads what an operation on a record needs, inside tx: the record
// (every field), its instance, and the flow version it runs under (the
// published one for a record that has not started).
func (s *Service) begin(ctx context.Context, tx store.Ops, actor *auth.Principal, app, formKey, id string) (*fire, error) {
	recs := s.records.In(tx)
	rec, err := recs.Get(ctx, system(), app, formKey, id)
	if err != nil {
		return nil, err
	}
	fd, err := recs.Form(ctx, app, formKey)
	if err != nil {
		return nil, err
	}
	f := &fire{svc: s, tx: tx, recs: recs, app: app, form: formKey, recordID: id, f: fd, rec: rec, actor: actor,
		lang: langOf(ctx), at: s.now(), closing: taskCancelled}
	if err := f.load(ctx, tx); err != nil {
		return nil, err
	}
	return f, nil
}

// load reads the instance and the flow version.
func (f *fire) load(ctx context.Context, ops store.Ops) error {
	inst, err := loadInstance(ctx, ops, f.app, f.form, f.recordID)
	if err != nil {
		return err
	}
	if inst != nil {
		f.cf, err = f.svc.version(ctx, f.app, inst.Flow, inst.Version)
	} else {
		f.cf, err = f.svc.flowFor(ctx, f.app, f.form)
		if err == nil {
			inst = &instance{ID: instanceID(f.app, f.form, f.recordID), App: f.app, Form: f.form, Record: f.recordID,
				Flow: f.cf.key, Version: f.cf.version, State: f.cf.spec.Initial, Status: instActive,
				StartedAt: query.FormatTime(f.at), StartedBy: f.actor.Actor()}
		}
	}
	if err != nil {
		return err
	}
	f.inst, f.state = inst, inst.State
	return nil
}

// Fire fires trigger on a record for p, with a comment and attachments,
// and returns the workflow as p then sees it. The record must be in p's
// read scope (404 otherwise) and p needs the transition right on the flow
// (403). A trigger the current state does not accept is 409
// workflow.not_allowed; one whose guards all fail is 409
// workflow.guard_failed; the approve and reject triggers of an open
// approval are 409 workflow.approval_pending. Nothing is written unless
// everything succeeds.
func (s *Service) Fire(ctx context.Context, p *auth.Principal, app, formKey, id, trigger string, in Input) (*View, error) {
	return s.onRecord(ctx, p, app, formKey, id, func(f *fire) error {
		if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindFlow, Key: f.cf.key}, access.Transition); err != nil {
			return err
		}
		if err := f.checkInput(ctx, in); err != nil {
			return err
		}
		if f.inst.Status == instDone {
			return coded(f.lang, errs.Conflict, "workflow.finished", f.state)
		}
		if f.cf.reserved(f.state, trigger) {
			return coded(f.lang, errs.Conflict, "workflow.approval_pending", trigger)
		}
		f.input, f.checkRoles = in, true
		f.picks = map[groupKey]int{}
		if idx := f.pick(ctx, groupKey{f.state, trigger}); idx >= 0 {
			if t := &f.cf.spec.Transitions[idx]; t.Comment == "required" && in.Comment == "" {
				return fieldProblem(f.lang, "comment", "workflow.comment_required")
			}
		}
		return f.fireTrigger(ctx, trigger)
	})
}

// onRecord runs op on a record p can read (404 otherwise) in one
// transaction, saves the instance, and returns the workflow as p then sees
// it.
func (s *Service) onRecord(ctx context.Context, p *auth.Principal, app, formKey, id string, op func(f *fire) error) (*View, error) {
	if _, err := s.records.Get(ctx, p, app, formKey, id); err != nil {
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(tx store.Ops) error {
		f, err := s.begin(ctx, tx, p, app, formKey, id)
		if err != nil {
			return err
		}
		if err := op(f); err != nil {
			return err
		}
		return f.finish(ctx)
	})
	if err != nil {
		return nil, err
	}
	return s.View(ctx, p, app, formKey, id)
}

// fireTrigger fires one trigger on the machine, then whatever the entered
// states asked for (an approval that approves itself).
func (f *fire) fireTrigger(ctx context.Context, trigger any) error {
	for i := 0; ; i++ {
		f.trigger, f.picks, f.guardErr, f.roleDenied = trigger, map[groupKey]int{}, nil, false
		err := f.cf.machine.FireCtx(withFire(ctx, f), trigger)
		if f.guardErr != nil {
			return f.guardErr
		}
		if err != nil || f.autoApprove == nil {
			return err
		}
		if i >= 20 {
			return errs.New(errs.Unprocessable, "workflow.loop", "flow %s approves itself in a loop", f.cf.key)
		}
		st := f.autoApprove
		f.autoApprove, f.checkRoles, f.input = nil, false, Input{}
		trigger = st.Approval.approveTrigger()
	}
}

// finish saves the instance; the other writes are done as they happen.
func (f *fire) finish(ctx context.Context) error { return f.inst.save(ctx, f.tx) }

// pick returns the transition a trigger takes from a state: the first of
// the (state, trigger) group whose guard holds and whose roles admit the
// actor, or -1. The machine calls it as every transition's guard, so of
// several guards that hold only the first counts, and it is evaluated
// once per firing.
func (f *fire) pick(ctx context.Context, gk groupKey) int {
	if v, ok := f.picks[gk]; ok {
		return v
	}
	res := -1
	for _, i := range f.cf.groups[gk] {
		t := &f.cf.spec.Transitions[i]
		ok, err := f.guardHolds(ctx, i, t)
		if err != nil {
			f.guardErr = err
			break
		}
		if !ok {
			continue
		}
		if f.checkRoles && !rolesAdmit(f.actor, f.app, t.Roles) {
			f.roleDenied = true
			continue
		}
		res = i
		break
	}
	f.picks[gk] = res
	return res
}

// guardHolds evaluates a transition's guard on the record: the filter
// (with the actor's $user variables) and the formula over record and user.
func (f *fire) guardHolds(ctx context.Context, i int, t *TransSpec) (bool, error) {
	if t.Guard == nil {
		return true, nil
	}
	if len(t.Guard.Filter) > 0 {
		n, err := query.ParseFilter(t.Guard.Filter, f.f.QFields, query.Options{Vars: f.actor.Vars()})
		if err != nil {
			return false, coded(f.lang, errs.Unprocessable, "workflow.guard_error", reason(err))
		}
		if !form.Match(n, f.rec) {
			return false, nil
		}
	}
	if fm := f.cf.formulas[i]; fm != nil {
		v, err := f.svc.scripts.EvalFormula(ctx, fm, map[string]any(f.rec), userView(f.actor, f.app))
		if err != nil {
			return false, coded(f.lang, errs.Unprocessable, "workflow.guard_error", reason(err))
		}
		return v == true, nil
	}
	return true, nil
}

// rolesAdmit reports whether p holds one of roles in app (no roles: all).
func rolesAdmit(p *auth.Principal, app string, roles []string) bool {
	if len(roles) == 0 || p.Admin {
		return true
	}
	for _, r := range p.Roles {
		for _, want := range roles {
			if r.App == app && r.Role == want {
				return true
			}
		}
	}
	return false
}

// userView is the user a guard formula sees.
func userView(p *auth.Principal, app string) map[string]any {
	roles := []any{}
	for _, r := range p.Roles {
		if r.App == app {
			roles = append(roles, r.Role)
		}
	}
	positions, units := []any{}, []any{}
	for _, x := range p.Positions {
		positions = append(positions, x)
	}
	for _, x := range p.Units {
		units = append(units, x)
	}
	return map[string]any{"id": p.Actor(), "username": p.Username, "name": actorName(p), "admin": p.Admin,
		"roles": roles, "positions": positions, "units": units}
}

// unhandled explains why the machine refused a trigger.
func (f *fire) unhandled(state, trigger any, guardsUnmet bool) error {
	name := triggerText(trigger)
	switch {
	case f.guardErr != nil:
		return f.guardErr
	case f.roleDenied:
		return access.ErrForbidden
	case guardsUnmet:
		return coded(f.lang, errs.Conflict, "workflow.guard_failed", name)
	}
	return coded(f.lang, errs.Conflict, "workflow.not_allowed", state, name)
}

func triggerText(t any) string {
	switch x := t.(type) {
	case string:
		return x
	case internalTrigger:
		return string(x)
	}
	return ""
}

func (f *fire) triggerName() string { return triggerText(f.trigger) }

// setState is the machine's state mutator: the record's state, its
// revision, the timeline entry, the outbox event and the audit entry of
// one transition.
func (f *fire) setState(ctx context.Context, to string) error {
	from := f.state
	f.state, f.inst.State, f.from = to, to, from
	if st := f.cf.state(to); st != nil && st.Type == TypeFinal {
		f.inst.Status = instDone
	}
	if err := f.writeState(ctx, from, to); err != nil {
		return err
	}
	if err := f.history(ctx, entry{Kind: KindTransition, Trigger: f.triggerName(), From: from, To: to,
		Comment: f.input.Comment, Attachments: f.input.Attachments}); err != nil {
		return err
	}
	err := f.event(ctx, "workflow.transition", map[string]any{"flow": f.cf.key, "version": f.cf.version,
		"trigger": f.triggerName(), "from": from, "to": to, "comment": f.input.Comment})
	if err != nil || f.svc.audit == nil {
		return err
	}
	return f.svc.audit.RecordTx(ctx, f.tx, auth.Entry{Actor: f.actor.Actor(), ActorName: actorName(f.actor),
		Action: "workflow.transition", App: f.app, Target: "record:" + f.form + "/" + f.recordID,
		Details: map[string]any{"flow": f.cf.key, "version": f.cf.version, "trigger": f.triggerName(), "from": from, "to": to}})
}

// entered runs when the machine enters a state: the approval opens, then
// the on-enter steps run.
func (f *fire) entered(ctx context.Context, st *StateSpec) error {
	if st.Type == TypeApproval && st.Approval != nil {
		if err := f.openApproval(ctx, st); err != nil {
			return err
		}
	}
	return f.runSteps(ctx, st, "enter", st.OnEnter)
}

// left runs when the machine leaves a state: the on-exit steps, then the
// open approval closes.
func (f *fire) left(ctx context.Context, st *StateSpec) error {
	if err := f.runSteps(ctx, st, "exit", st.OnExit); err != nil {
		return err
	}
	if st.Type == TypeApproval {
		return f.closeApproval(ctx)
	}
	return nil
}

func (f *fire) runSteps(ctx context.Context, st *StateSpec, phase string, steps []StepSpec) error {
	for _, sp := range steps {
		typ, ok := stepTypes.Get(sp.Type)
		if !ok {
			return errs.New(errs.Unprocessable, "flow.unknown_step", "step type %q of state %s is not known to this server", sp.Type, st.Key)
		}
		sc := &StepContext{Tx: f.tx, App: f.app, Form: f.form, Flow: f.cf.key, Version: f.cf.version, Phase: phase,
			State: st.Key, Trigger: f.triggerName(), To: f.state, Record: f.rec, Actor: f.actor, At: f.at, Lang: f.lang,
			Step: sp, Comment: f.input.Comment, fire: f}
		if phase == "exit" {
			sc.From = st.Key
		}
		if err := typ.Run(ctx, sc, sp.Config); err != nil {
			return err
		}
	}
	return nil
}

// checkInput bounds a comment and checks that each attachment is a file
// the actor uploaded for this form (engine/files keeps their metadata).
func (f *fire) checkInput(ctx context.Context, in Input) error {
	if n := len([]rune(in.Comment)); n > MaxComment {
		return fieldProblem(f.lang, "comment", "workflow.comment_too_long", MaxComment)
	}
	if len(in.Attachments) > MaxAttachments {
		return fieldProblem(f.lang, "attachments", "workflow.attachments", MaxAttachments)
	}
	for i, id := range in.Attachments {
		doc, err := f.tx.Get(ctx, form.FilesCollection, id)
		if errs.ClassOf(err) == errs.NotFound || (err == nil && (doc["app"] != f.app || doc["form"] != f.form || doc["uploadedBy"] != f.actor.Actor())) {
			return fieldProblem(f.lang, "attachments["+itoa(i)+"]", "workflow.attachment_not_found", id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// reason is an error's client-safe message.
func reason(err error) string {
	if e, ok := errs.As(err); ok {
		return e.Msg
	}
	return "internal error"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
