package workflow

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Task statuses. A task is pending until its assignee decides it or the
// approval ends otherwise.
const (
	TaskPending   = "pending"
	TaskApproved  = "approved"
	TaskRejected  = "rejected"
	TaskReturned  = "returned"
	TaskDelegated = "delegated" // handed to someone else (DelegatedTo)
	TaskEscalated = "escalated" // overdue, handed to the assignee's manager
	TaskWithdrawn = "withdrawn" // the submitter withdrew the record
	taskCancelled = "cancelled" // the approval ended without this task
)

// TaskCancelled is the status of a task the approval no longer needs.
const TaskCancelled = taskCancelled

// Task is one approval task: one user's part in one step of one approval.
type Task struct {
	ID            string          `json:"id"`
	App           string          `json:"app"`
	Form          string          `json:"form"`
	Record        string          `json:"record"`
	Title         string          `json:"title,omitempty"` // the record's title field
	Flow          string          `json:"flow"`
	Version       int             `json:"version"`
	State         string          `json:"state"`
	StateLabel    json.RawMessage `json:"stateLabel,omitempty"`
	Round         int64           `json:"round"`
	Step          int             `json:"step"` // 1-based
	Mode          string          `json:"mode"`
	Assignee      string          `json:"assignee"`
	AssigneeName  string          `json:"assigneeName,omitempty"`
	Status        string          `json:"status"`
	Submitter     string          `json:"submitter,omitempty"`
	SubmitterName string          `json:"submitterName,omitempty"`
	CreatedAt     string          `json:"createdAt"`
	DueAt         string          `json:"dueAt,omitempty"`
	RemindAt      string          `json:"remindAt,omitempty"`
	WakeAt        string          `json:"wakeAt,omitempty"` // next SLA check; absent when none is due
	Reminded      bool            `json:"reminded,omitempty"`
	Overdue       bool            `json:"overdue,omitempty"`
	Escalations   int             `json:"escalations,omitempty"`
	DelegatedFrom string          `json:"delegatedFrom,omitempty"`
	DelegatedTo   string          `json:"delegatedTo,omitempty"`
	AddedBy       string          `json:"addedBy,omitempty"`
	DecidedAt     string          `json:"decidedAt,omitempty"`
	DecidedBy     string          `json:"decidedBy,omitempty"`
	Comment       string          `json:"comment,omitempty"`
	Attachments   []string        `json:"attachments,omitempty"`
	Rev           int64           `json:"rev"`
}

var (
	fStatus   = query.Field{Path: "status", Kind: query.KindString}
	fAssignee = query.Field{Path: "assignee", Kind: query.KindString}
	fRound    = query.Field{Path: "round", Kind: query.KindInt}
	fStep     = query.Field{Path: "step", Kind: query.KindInt}
	fWakeAt   = query.Field{Path: "wakeAt", Kind: query.KindTime}
	fDueAt    = query.Field{Path: "dueAt", Kind: query.KindTime}
	fDecided  = query.Field{Path: "decidedBy", Kind: query.KindString}
)

func taskFromDoc(doc store.Doc) (*Task, error) {
	var t Task
	if err := fromDoc(doc, &t); err != nil {
		return nil, err
	}
	t.ID, _ = doc["_id"].(string)
	return &t, nil
}

func loadTask(ctx context.Context, ops store.Ops, id, lang string) (*Task, error) {
	doc, err := ops.Get(ctx, collTasks, id)
	if c := errs.ClassOf(err); c == errs.NotFound || c == errs.Invalid {
		return nil, coded(lang, errs.NotFound, "workflow.task_not_found")
	}
	if err != nil {
		return nil, err
	}
	return taskFromDoc(doc)
}

// openTasks creates one pending task per user for the approval's current
// step, with its SLA deadline and reminder time, and an outbox event each.
// from is the task a delegation or escalation replaces (its deadline
// carries over for a delegation).
func (f *fire) openTasks(ctx context.Context, st *StateSpec, users []string, from *Task, escalated bool) error {
	ap := f.inst.Approval
	now := query.FormatTime(f.at)
	for _, u := range users {
		t := Task{ID: store.NewID(), App: f.app, Form: f.form, Record: f.recordID, Title: f.title(), Flow: f.cf.key,
			Version: f.cf.version, State: st.Key, StateLabel: st.Label, Round: ap.Round, Step: ap.Step, Mode: ap.Mode,
			Assignee: u, AssigneeName: f.svc.userName(ctx, u), Status: TaskPending, Submitter: ap.Submitter,
			SubmitterName: ap.SubmitterName, CreatedAt: now, Rev: 1}
		switch {
		case from != nil && !escalated:
			t.DueAt, t.RemindAt, t.Reminded, t.Overdue, t.WakeAt = from.DueAt, from.RemindAt, from.Reminded, from.Overdue, from.WakeAt
			t.DelegatedFrom = from.Assignee
		default:
			if err := f.deadline(st, &t); err != nil {
				return err
			}
			if from != nil {
				t.Escalations, t.DelegatedFrom = from.Escalations+1, from.Assignee
			}
		}
		if err := insertTask(ctx, f.tx, &t); err != nil {
			return err
		}
		err := f.event(ctx, "workflow.task.created", map[string]any{"task": t.ID, "flow": f.cf.key, "state": st.Key,
			"assignee": u, "dueAt": t.DueAt, "step": t.Step})
		if err != nil {
			return err
		}
	}
	return nil
}

// deadline sets a new task's due and reminder times from the state's SLA,
// counted in working hours from now on its calendar.
func (f *fire) deadline(st *StateSpec, t *Task) error {
	if st.SLA == nil {
		return nil
	}
	cal, ok := st.SLA.calendar()
	if !ok {
		return errs.New(errs.Unprocessable, "flow.unknown_calendar", "state %s names calendar %q, which this server does not have", st.Key, st.SLA.Calendar)
	}
	due, err := cal.Add(f.at, hoursDur(st.SLA.Hours))
	if err != nil {
		return err
	}
	t.DueAt, t.WakeAt = query.FormatTime(due), query.FormatTime(due)
	if st.SLA.RemindBefore > 0 && st.SLA.RemindBefore < st.SLA.Hours {
		remind, err := cal.Add(f.at, hoursDur(st.SLA.Hours-st.SLA.RemindBefore))
		if err != nil {
			return err
		}
		t.RemindAt, t.WakeAt = query.FormatTime(remind), query.FormatTime(remind)
	}
	return nil
}

func insertTask(ctx context.Context, tx store.Ops, t *Task) error {
	doc, err := toDoc(t)
	if err != nil {
		return err
	}
	delete(doc, "id")
	doc["_id"] = t.ID
	_, err = tx.Insert(ctx, collTasks, doc)
	return err
}

// updateTask changes a pending task on condition that it is still the
// revision read; losing that race means someone else decided it first.
func (f *fire) updateTask(ctx context.Context, t *Task, set map[string]any, unset ...string) error {
	set["rev"] = t.Rev + 1
	cond := query.And(query.Eq(fStatus, query.Str(TaskPending)), query.Eq(fRev, query.Int(t.Rev)))
	_, err := f.tx.Update(ctx, collTasks, t.ID, store.Patch{Set: set, Unset: unset}, cond)
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return coded(f.lang, errs.Conflict, "workflow.task_closed", t.Status)
	}
	if err == nil {
		t.Rev++
	}
	return err
}

// closeTask records a task's outcome.
func (f *fire) closeTask(ctx context.Context, t *Task, status string, extra map[string]any) error {
	set := map[string]any{"status": status, "decidedAt": query.FormatTime(f.at), "decidedBy": f.actor.Actor()}
	if f.input.Comment != "" {
		set["comment"] = f.input.Comment
	}
	if len(f.input.Attachments) > 0 {
		set["attachments"] = anyList(f.input.Attachments)
	}
	for k, v := range extra {
		set[k] = v
	}
	if err := f.updateTask(ctx, t, set, "wakeAt"); err != nil {
		return err
	}
	t.Status = status
	return nil
}

// pendingTasks lists the pending tasks of the record's current round (and
// step, when step > 0).
func (f *fire) pendingTasks(ctx context.Context, round int64, step int) ([]*Task, error) {
	filter := query.And(recordFilter(f.app, f.form, f.recordID), query.Eq(fStatus, query.Str(TaskPending)),
		query.Eq(fRound, query.Int(round)))
	if step > 0 {
		filter = query.And(filter, query.Eq(fStep, query.Int(int64(step))))
	}
	docs, err := f.tx.Find(ctx, collTasks, store.Query{Filter: filter, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := make([]*Task, 0, len(docs))
	for _, d := range docs {
		t, err := taskFromDoc(d)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// cancelTasks closes pending tasks of the round (and step) with status.
func (f *fire) cancelTasks(ctx context.Context, round int64, step int, status string) error {
	ts, err := f.pendingTasks(ctx, round, step)
	if err != nil {
		return err
	}
	for _, t := range ts {
		set := map[string]any{"status": status, "decidedAt": query.FormatTime(f.at), "rev": t.Rev + 1}
		if _, err := f.tx.Update(ctx, collTasks, t.ID, store.Patch{Set: set, Unset: []string{"wakeAt"}}, nil); err != nil {
			return err
		}
	}
	return nil
}

// title is the record's title field value, shown in inboxes.
func (f *fire) title() string {
	if f.f.TitleField == "" {
		return ""
	}
	s, _ := f.rec[f.f.TitleField].(string)
	return s
}

// userName is a user's display name for tasks and timelines ("" when the
// user cannot be read).
func (s *Service) userName(ctx context.Context, id string) string {
	u, err := s.auth.GetUser(ctx, id)
	if err != nil {
		return ""
	}
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
