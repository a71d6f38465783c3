package workflow

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// SLA timers. Every pending task with a deadline carries wakeAt, the next
// time something is due for it: its reminder, then its deadline. A runner
// (Run, one per server instance) ticks; the instance holding the store
// lease (lease.go) reads the tasks whose wakeAt has passed, oldest first,
// and acts on each in its own transaction:
//
//   - reminder due: mark it sent, write a workflow.task.reminder outbox
//     event (the automation engine delivers messages) and a timeline entry;
//   - deadline passed: mark the task overdue and apply the state's
//     onTimeout: escalate (hand the task to the assignee's next manager,
//     with a fresh deadline, up to sla.escalations times), approve, return
//     (to where the record came from), or none.
//
// Each action is a conditional write on the task's revision, so however
// many runners overlap, a reminder is sent and an escalation made once.

// TickBatch bounds the tasks one tick handles; the rest wait for the next.
const TickBatch = 200

// TickResult counts what one tick did.
type TickResult struct {
	// Held is false when another instance holds the lease (nothing done).
	Held      bool `json:"held"`
	Reminded  int  `json:"reminded"`
	Overdue   int  `json:"overdue"`
	Escalated int  `json:"escalated"`
	Approved  int  `json:"approved"`
	Returned  int  `json:"returned"`
	Failed    int  `json:"failed"`
}

// Tick runs the SLA timers that are due, if this instance holds the lease.
func (s *Service) Tick(ctx context.Context) (TickResult, error) {
	var res TickResult
	ok, err := s.lease.acquire(ctx)
	if err != nil || !ok {
		return res, err
	}
	res.Held = true
	if err := s.prepare(ctx); err != nil {
		return res, err
	}
	now := query.FormatTime(s.now())
	docs, err := s.st.Find(ctx, collTasks, store.Query{
		Filter: query.And(query.Eq(fStatus, query.Str(TaskPending)), query.Cmp(fWakeAt, query.OpLte, query.TimeV(now))),
		Sort:   []query.SortKey{{Field: fWakeAt}}, Limit: TickBatch, Fields: []string{"_id"}})
	if err != nil {
		return res, err
	}
	for _, d := range docs {
		id, _ := d["_id"].(string)
		did, err := s.wake(ctx, id)
		if err != nil {
			// One broken task (its flow unreadable, its record gone
			// wrong) must not stop the timers of every other.
			res.Failed++
			s.log.Warn("workflow SLA", "task", id, "err", err.Error())
			continue
		}
		for _, a := range did {
			switch a {
			case KindRemind:
				res.Reminded++
			case KindOverdue:
				res.Overdue++
			case KindEscalate:
				res.Escalated++
			case TimeoutApprove:
				res.Approved++
			case TimeoutReturn:
				res.Returned++
			}
		}
	}
	return res, nil
}

// Run ticks every interval until ctx ends, then gives the lease up so
// another instance takes over at once.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("workflow SLA tick", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			_ = s.lease.release(context.WithoutCancel(ctx))
			return
		case <-t.C:
		}
	}
}

// wake acts on one task whose wakeAt passed and says what it did.
func (s *Service) wake(ctx context.Context, id string) ([]string, error) {
	var did []string
	err := s.inTx(ctx, func(tx store.Ops) error {
		did = nil
		t, err := loadTask(ctx, tx, id, "")
		if errs.ClassOf(err) == errs.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		now := s.now()
		nowS := query.FormatTime(now)
		if t.Status != TaskPending || t.WakeAt == "" || t.WakeAt > nowS {
			return nil // decided or rescheduled meanwhile
		}
		f, err := s.begin(ctx, tx, system(), t.App, t.Form, t.Record)
		if errs.ClassOf(err) == errs.NotFound {
			// The record is gone: nothing will ever be due for it.
			return (&fire{tx: tx, lang: ""}).updateTask(ctx, t, map[string]any{}, "wakeAt")
		}
		if err != nil {
			return err
		}
		st := f.cf.state(t.State)
		set := map[string]any{}
		if t.RemindAt != "" && !t.Reminded && t.RemindAt <= nowS {
			set["reminded"], t.Reminded = true, true
			if err := f.taskEvent(ctx, "workflow.task.reminder", t, KindRemind, nil); err != nil {
				return err
			}
			did = append(did, KindRemind)
		}
		if t.DueAt != "" && !t.Overdue && t.DueAt <= nowS {
			set["overdue"], t.Overdue = true, true
			action, err := f.timeout(ctx, st, t, set)
			if err != nil {
				return err
			}
			did = append(did, action)
			if action != KindOverdue {
				return f.finish(ctx) // the task is closed; the approval moved on
			}
		}
		var unset []string
		if next := nextWake(t); next != "" {
			set["wakeAt"] = next
		} else {
			unset = append(unset, "wakeAt")
		}
		if err := f.updateTask(ctx, t, set, unset...); err != nil {
			return err
		}
		return f.finish(ctx)
	})
	return did, err
}

// nextWake is the next time a pending task needs the runner, "" for none.
func nextWake(t *Task) string {
	switch {
	case t.RemindAt != "" && !t.Reminded:
		return t.RemindAt
	case t.DueAt != "" && !t.Overdue:
		return t.DueAt
	}
	return ""
}

// timeout applies a state's onTimeout to an overdue task and says what it
// did: "escalate", "approve", "return", or "overdue" when the task stays
// (only marked, or nobody to escalate to). set collects the task's
// changes when it stays.
func (f *fire) timeout(ctx context.Context, st *StateSpec, t *Task, set map[string]any) (string, error) {
	action := TimeoutNone
	if st != nil && st.SLA != nil {
		action = st.SLA.onTimeout()
	}
	ap := f.inst.Approval
	live := ap != nil && ap.Round == t.Round && ap.Step == t.Step && ap.State == t.State
	switch {
	case action == TimeoutApprove && live:
		if err := f.updateTask(ctx, t, map[string]any{"overdue": true}); err != nil {
			return "", err
		}
		return TimeoutApprove, f.decide(ctx, t, Decision{Action: DecisionApprove})
	case action == TimeoutReturn && live:
		if err := f.updateTask(ctx, t, map[string]any{"overdue": true}); err != nil {
			return "", err
		}
		return TimeoutReturn, f.decide(ctx, t, Decision{Action: DecisionReturn})
	case action == TimeoutEscalate && live && t.Escalations < st.SLA.escalations():
		ok, err := f.escalate(ctx, st, t)
		if err != nil || ok {
			return KindEscalate, err
		}
	}
	return KindOverdue, f.taskEvent(ctx, "workflow.task.overdue", t, KindOverdue, map[string]any{"action": action})
}

// escalate hands an overdue task to the assignee's nearest managers
// (auth's manager chain), each with a fresh deadline; false when the
// assignee has no manager left to ask.
func (f *fire) escalate(ctx context.Context, st *StateSpec, t *Task) (bool, error) {
	chain, err := f.svc.auth.ManagerChain(ctx, t.Assignee, 1)
	if errs.ClassOf(err) == errs.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	ap := f.inst.Approval
	pending, err := f.pendingTasks(ctx, ap.Round, ap.Step)
	if err != nil {
		return false, err
	}
	busy := map[string]bool{}
	for _, p := range pending {
		busy[p.Assignee] = true
	}
	var managers []string
	if len(chain) > 0 {
		for _, m := range chain[0].UserIDs {
			if !busy[m] {
				managers = append(managers, m)
			}
		}
	}
	if len(managers) == 0 {
		return false, nil
	}
	if err := f.closeTask(ctx, t, TaskEscalated, map[string]any{"overdue": true, "delegatedTo": managers[0]}); err != nil {
		return false, err
	}
	cur := ap.Steps[ap.Step-1]
	ap.Steps[ap.Step-1] = uniq(append(replaceID(cur, t.Assignee, managers[0]), managers[1:]...))
	if err := f.openTasks(ctx, st, managers, t, true); err != nil {
		return false, err
	}
	return true, f.taskEvent(ctx, "workflow.task.escalated", t, KindEscalate, map[string]any{"to": anyList(managers)})
}

// taskEvent writes the outbox event and the timeline entry of an SLA
// action on a task.
func (f *fire) taskEvent(ctx context.Context, typ string, t *Task, kind string, extra map[string]any) error {
	data := map[string]any{"task": t.ID, "assignee": t.Assignee, "dueAt": t.DueAt, "state": t.State, "flow": t.Flow}
	for k, v := range extra {
		data[k] = v
	}
	if err := f.event(ctx, typ, data); err != nil {
		return err
	}
	e := entry{Kind: kind, State: t.State, Task: t.ID, Step: t.Step, User: t.Assignee, UserName: t.AssigneeName}
	if to, ok := extra["to"].([]any); ok && len(to) > 0 {
		e.User, _ = to[0].(string)
		e.UserName = f.svc.userName(ctx, e.User)
	}
	return f.history(ctx, e)
}
