package workflow

import (
	"context"
	"slices"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Decisions on a task.
const (
	DecisionApprove   = "approve"
	DecisionReject    = "reject"
	DecisionReturn    = "return"
	DecisionDelegate  = "delegate"
	DecisionAddSigner = "add-signer"
)

// Decision is what an assignee does with a task.
type Decision struct {
	Action string
	Input
	// To is the state a return sends the record back to; empty: the
	// approval's first returnTo state, or the state it came from.
	To string
	// Step, for a return within a sequential approval, is the earlier
	// step (1-based) whose approvers decide again.
	Step int
	// User is the delegate or the added signer.
	User string
}

// openApproval starts an approval round on entering an approval state:
// the assignees are resolved now (org changes later do not move open
// tasks) and the first step's tasks are created.
func (f *fire) openApproval(ctx context.Context, st *StateSpec) error {
	sub, subName := f.submitter()
	steps, err := f.resolve(ctx, st.Approval, sub)
	if err != nil {
		return err
	}
	f.inst.Rounds++
	ap := &approvalRun{State: st.Key, Round: f.inst.Rounds, Mode: st.Approval.mode(), Steps: steps, Step: 1,
		Submitter: sub, SubmitterName: subName, From: f.prevState(), OpenedAt: query.FormatTime(f.at)}
	f.inst.Approval = ap
	if len(steps) == 0 {
		if st.Approval.Empty == TimeoutApprove {
			f.autoApprove = st
			return nil
		}
		return coded(f.lang, errs.Unprocessable, "workflow.no_assignee", st.Key)
	}
	return f.openTasks(ctx, st, steps[0], nil, false)
}

// submitter is who an approval answers to: the client who fired the
// transition into it; for an approval entered because another one was
// decided, that one's submitter; for the system, whoever started the flow.
func (f *fire) submitter() (string, string) {
	if f.lastApproval != nil && !f.checkRoles {
		return f.lastApproval.Submitter, f.lastApproval.SubmitterName
	}
	if f.actor.Actor() == system().Actor() {
		return f.inst.StartedBy, f.svc.userName(context.Background(), f.inst.StartedBy)
	}
	return f.actor.Actor(), actorName(f.actor)
}

// closeApproval ends the round when the approval state is left: tasks
// still pending get the closing status.
func (f *fire) closeApproval(ctx context.Context) error {
	ap := f.inst.Approval
	if ap == nil {
		return nil
	}
	f.lastApproval, f.inst.Approval = ap, nil
	return f.cancelTasks(ctx, ap.Round, 0, f.closing)
}

// decide applies an assignee's decision (or the SLA's, as the system) to
// a pending task of the open approval.
func (f *fire) decide(ctx context.Context, t *Task, d Decision) error {
	ap := f.inst.Approval
	if t.Status != TaskPending || ap == nil || ap.Round != t.Round || ap.State != t.State || ap.Step != t.Step {
		return coded(f.lang, errs.Conflict, "workflow.task_closed", t.Status)
	}
	st := f.cf.state(ap.State)
	if st == nil || st.Approval == nil {
		return coded(f.lang, errs.Conflict, "workflow.no_approval")
	}
	f.input = d.Input
	e := entry{State: st.Key, Task: t.ID, Step: t.Step, Comment: d.Comment, Attachments: d.Attachments}
	switch d.Action {
	case DecisionApprove:
		if err := f.closeTask(ctx, t, TaskApproved, nil); err != nil {
			return err
		}
		e.Kind = KindApprove
		if err := f.history(ctx, e); err != nil {
			return err
		}
		return f.advance(ctx, st)
	case DecisionReject:
		f.picks = map[groupKey]int{}
		if i := f.pick(ctx, groupKey{st.Key, st.Approval.rejectTrigger()}); i >= 0 && f.cf.spec.Transitions[i].Comment == "required" && d.Comment == "" {
			return fieldProblem(f.lang, "comment", "workflow.comment_required")
		}
		if err := f.closeTask(ctx, t, TaskRejected, nil); err != nil {
			return err
		}
		e.Kind = KindReject
		if err := f.history(ctx, e); err != nil {
			return err
		}
		f.input = Input{}
		return f.fireTrigger(ctx, st.Approval.rejectTrigger())
	case DecisionReturn:
		return f.sendBack(ctx, st, t, d, e)
	case DecisionDelegate, DecisionAddSigner:
		return f.reassign(ctx, st, t, d, e)
	}
	return fieldProblem(f.lang, "action", "workflow.bad_decision", d.Action)
}

// advance moves an approval on after an approval: the step is done unless
// all must approve and some have not; then the next step opens, or the
// approval's approve trigger fires.
func (f *fire) advance(ctx context.Context, st *StateSpec) error {
	ap := f.inst.Approval
	left, err := f.pendingTasks(ctx, ap.Round, ap.Step)
	if err != nil {
		return err
	}
	if ap.Mode == ModeAll && len(left) > 0 {
		return nil
	}
	if ap.Step < len(ap.Steps) {
		if err := f.cancelTasks(ctx, ap.Round, ap.Step, taskCancelled); err != nil {
			return err
		}
		ap.Step++
		return f.openTasks(ctx, st, ap.Steps[ap.Step-1], nil, false)
	}
	f.input = Input{}
	return f.fireTrigger(ctx, st.Approval.approveTrigger())
}

// sendBack returns the record to an earlier state, or a sequential
// approval to an earlier step.
func (f *fire) sendBack(ctx context.Context, st *StateSpec, t *Task, d Decision, e entry) error {
	ap := f.inst.Approval
	e.Kind = KindReturn
	if d.Step > 0 {
		if d.Step >= ap.Step {
			return fieldProblem(f.lang, "step", "workflow.return_step", ap.Step-1)
		}
		if err := f.closeTask(ctx, t, TaskReturned, nil); err != nil {
			return err
		}
		if err := f.cancelTasks(ctx, ap.Round, ap.Step, taskCancelled); err != nil {
			return err
		}
		e.Step = d.Step
		if err := f.history(ctx, e); err != nil {
			return err
		}
		ap.Step = d.Step
		return f.openTasks(ctx, st, ap.Steps[ap.Step-1], nil, false)
	}
	targets := st.Approval.ReturnTo
	if len(targets) == 0 {
		targets = []string{ap.From}
	}
	to := d.To
	if to == "" {
		to = targets[0]
	}
	if to == "" || to == st.Key || !slices.Contains(targets, to) || f.cf.state(to) == nil {
		return fieldProblem(f.lang, "to", "workflow.return_target", to)
	}
	if err := f.closeTask(ctx, t, TaskReturned, nil); err != nil {
		return err
	}
	e.To = to
	if err := f.history(ctx, e); err != nil {
		return err
	}
	f.target, f.input = to, Input{}
	return f.fireTrigger(ctx, trigReturn)
}

// reassign hands a task to another user (delegate) or adds one (add a
// signer): in all-must mode the signer joins the current step, otherwise
// the signer's approval becomes the step after the current one.
func (f *fire) reassign(ctx context.Context, st *StateSpec, t *Task, d Decision, e entry) error {
	ap := f.inst.Approval
	delegate := d.Action == DecisionDelegate
	if (delegate && !allowed(st.Approval.Delegate)) || (!delegate && !allowed(st.Approval.AddSigner)) {
		return coded(f.lang, errs.Conflict, "workflow.not_permitted", decisionName(f.lang, d.Action))
	}
	ids, err := f.svc.enabled(ctx, []string{d.User})
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return fieldProblem(f.lang, "user", "workflow.bad_user", d.User)
	}
	u := ids[0]
	pending, err := f.pendingTasks(ctx, ap.Round, ap.Step)
	if err != nil {
		return err
	}
	for _, p := range pending {
		if p.Assignee == u {
			return fieldProblem(f.lang, "user", "workflow.already_assigned", u)
		}
	}
	e.User, e.UserName = u, f.svc.userName(ctx, u)
	cur := ap.Steps[ap.Step-1]
	switch {
	case delegate:
		if err := f.closeTask(ctx, t, TaskDelegated, map[string]any{"delegatedTo": u}); err != nil {
			return err
		}
		ap.Steps[ap.Step-1] = replaceID(cur, t.Assignee, u)
		if err := f.openTasks(ctx, st, []string{u}, t, false); err != nil {
			return err
		}
		e.Kind = KindDelegate
	case ap.Mode == ModeAll:
		ap.Steps[ap.Step-1] = append(cur, u)
		if err := f.openTasks(ctx, st, []string{u}, nil, false); err != nil {
			return err
		}
		e.Kind = KindAddSigner
	default:
		ap.Steps = slices.Insert(ap.Steps, ap.Step, []string{u})
		e.Kind = KindAddSigner
	}
	return f.history(ctx, e)
}

func replaceID(ids []string, old, nw string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == old {
			id = nw
		}
		out = append(out, id)
	}
	return uniq(out)
}

// Decide applies p's decision to task id (p must be its assignee: another
// user's task is 404) and returns the task as decided. A task already
// decided, or one whose approval moved on, is 409 workflow.task_closed: of
// two concurrent decisions exactly one is applied.
func (s *Service) Decide(ctx context.Context, p *auth.Principal, id string, d Decision) (*Task, error) {
	lang := langOf(ctx)
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	var out *Task
	err := s.inTx(ctx, func(tx store.Ops) error {
		t, err := loadTask(ctx, tx, id, lang)
		if err != nil {
			return err
		}
		if t.Assignee != p.Actor() {
			return coded(lang, errs.NotFound, "workflow.task_not_found")
		}
		if t.Status != TaskPending {
			return coded(lang, errs.Conflict, "workflow.task_closed", t.Status)
		}
		f, err := s.begin(ctx, tx, p, t.App, t.Form, t.Record)
		if err != nil {
			return err
		}
		if err := f.checkInput(ctx, d.Input); err != nil {
			return err
		}
		if err := f.decide(ctx, t, d); err != nil {
			return err
		}
		if err := f.finish(ctx); err != nil {
			return err
		}
		out, err = loadTask(ctx, tx, id, lang)
		return err
	})
	return out, err
}

// Withdraw takes a record out of its open approval, back to the state it
// came from: only its submitter (or an admin) may, while the approval
// allows it. Pending tasks become withdrawn.
func (s *Service) Withdraw(ctx context.Context, p *auth.Principal, app, formKey, id string, in Input) (*View, error) {
	return s.onRecord(ctx, p, app, formKey, id, func(f *fire) error {
		ap := f.inst.Approval
		if ap == nil || f.inst.Status != instActive {
			return coded(f.lang, errs.Conflict, "workflow.no_approval")
		}
		if st := f.cf.state(ap.State); st == nil || st.Approval == nil || !allowed(st.Approval.Withdraw) || ap.From == "" {
			return coded(f.lang, errs.Conflict, "workflow.not_permitted", decisionName(f.lang, "withdraw"))
		}
		if ap.Submitter != p.Actor() && !p.Admin {
			return coded(f.lang, errs.Forbidden, "workflow.not_submitter")
		}
		if err := f.checkInput(ctx, in); err != nil {
			return err
		}
		f.input = in
		if err := f.history(ctx, entry{Kind: KindWithdraw, State: ap.State, To: ap.From, Comment: in.Comment, Attachments: in.Attachments}); err != nil {
			return err
		}
		f.target, f.closing, f.input = ap.From, TaskWithdrawn, Input{}
		return f.fireTrigger(ctx, trigWithdraw)
	})
}
