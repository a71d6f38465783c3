package workflow

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// View is a record's workflow as one user sees it.
type View struct {
	Flow       string          `json:"flow"`
	Version    int             `json:"version"`
	Title      json.RawMessage `json:"title,omitempty"`
	State      string          `json:"state"`
	StateLabel json.RawMessage `json:"stateLabel,omitempty"`
	StateType  string          `json:"stateType"`
	// Started is false until the record's first transition.
	Started  bool `json:"started"`
	Finished bool `json:"finished"`
	// Transitions are the ones the caller may fire now (guards hold,
	// rights and roles admit the caller).
	Transitions []Available   `json:"transitions"`
	Approval    *ApprovalView `json:"approval,omitempty"`
	Timeline    []Entry       `json:"timeline"`
}

// Available is a transition the caller may fire.
type Available struct {
	Trigger string          `json:"trigger"`
	Label   json.RawMessage `json:"label,omitempty"`
	To      string          `json:"to"`
	Comment string          `json:"comment,omitempty"` // none, optional or required
}

// ApprovalView is the open approval.
type ApprovalView struct {
	State         string   `json:"state"`
	Mode          string   `json:"mode"`
	Round         int64    `json:"round"`
	Step          int      `json:"step"`  // 1-based
	Steps         int      `json:"steps"` // how many
	Submitter     string   `json:"submitter"`
	SubmitterName string   `json:"submitterName,omitempty"`
	From          string   `json:"from,omitempty"`
	ReturnTo      []string `json:"returnTo"`
	CanWithdraw   bool     `json:"canWithdraw"`
	// MyTask is the caller's pending task of this approval, if any.
	MyTask string  `json:"myTask,omitempty"`
	Tasks  []*Task `json:"tasks"`
}

// View returns the workflow of a record for p: its state, what p may fire
// now, the open approval with its tasks, and the timeline. p must be able
// to read the record, or hold a task of it (an approver outside the
// record's scope still sees what they are asked to decide).
func (s *Service) View(ctx context.Context, p *auth.Principal, app, formKey, id string) (*View, error) {
	if _, err := s.records.Get(ctx, p, app, formKey, id); err != nil {
		if errs.ClassOf(err) != errs.NotFound && errs.ClassOf(err) != errs.Forbidden {
			return nil, err
		}
		n, cerr := s.st.Count(ctx, collTasks, query.And(recordFilter(app, formKey, id), query.Eq(fAssignee, query.Str(p.Actor()))))
		if cerr != nil {
			return nil, cerr
		}
		if n == 0 {
			return nil, err
		}
	}
	rec, err := s.records.Get(ctx, system(), app, formKey, id)
	if err != nil {
		return nil, err
	}
	fd, err := s.records.Form(ctx, app, formKey)
	if err != nil {
		return nil, err
	}
	f := &fire{svc: s, app: app, form: formKey, recordID: id, f: fd, rec: rec, actor: p, lang: langOf(ctx), at: s.now()}
	if err := f.load(ctx, s.st); err != nil {
		return nil, err
	}
	st := f.cf.state(f.state)
	v := &View{Flow: f.cf.key, Version: f.cf.version, Title: f.cf.spec.Title, State: f.state, Started: f.inst.stored,
		Finished: f.inst.Status == instDone, Transitions: []Available{}}
	if st != nil {
		v.StateLabel, v.StateType = st.Label, orDefault(st.Type, TypeNormal)
	}
	if v.Transitions, err = s.available(ctx, f); err != nil {
		return nil, err
	}
	if ap := f.inst.Approval; ap != nil && st != nil && st.Approval != nil {
		av, err := s.approvalView(ctx, f, st, ap)
		if err != nil {
			return nil, err
		}
		v.Approval = av
	}
	if v.Timeline, err = timeline(ctx, s.st, app, formKey, id); err != nil {
		return nil, err
	}
	return v, nil
}

// available lists the transitions p may fire now, asking the machine for
// the permitted triggers of the current state with p's guards.
func (s *Service) available(ctx context.Context, f *fire) ([]Available, error) {
	out := []Available{}
	if f.inst.Status == instDone {
		return out, nil
	}
	if err := s.guard.Check(ctx, f.actor, access.Target{App: f.app, Kind: meta.KindFlow, Key: f.cf.key}, access.Transition); err != nil {
		if errs.ClassOf(err) == errs.Forbidden {
			return out, nil
		}
		return nil, err
	}
	f.checkRoles, f.picks = true, map[groupKey]int{}
	triggers, err := f.cf.machine.PermittedTriggersCtx(withFire(ctx, f))
	if err != nil {
		return nil, err
	}
	// A guard that fails to evaluate (a formula error on this record)
	// leaves its transition out; firing it reports the error.
	for _, tr := range triggers {
		name, ok := tr.(string)
		if !ok || f.cf.reserved(f.state, name) {
			continue
		}
		if idx := f.pick(ctx, groupKey{f.state, name}); idx >= 0 {
			t := &f.cf.spec.Transitions[idx]
			out = append(out, Available{Trigger: name, Label: t.Label, To: t.To, Comment: orDefault(t.Comment, "optional")})
		}
	}
	return out, nil
}

func (s *Service) approvalView(ctx context.Context, f *fire, st *StateSpec, ap *approvalRun) (*ApprovalView, error) {
	docs, err := s.st.Find(ctx, collTasks, store.Query{Filter: query.And(recordFilter(f.app, f.form, f.recordID),
		query.Eq(fRound, query.Int(ap.Round))), Sort: []query.SortKey{{Field: query.IDField}}, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	av := &ApprovalView{State: ap.State, Mode: ap.Mode, Round: ap.Round, Step: ap.Step, Steps: len(ap.Steps),
		Submitter: ap.Submitter, SubmitterName: ap.SubmitterName, From: ap.From, ReturnTo: st.Approval.ReturnTo,
		Tasks: []*Task{}}
	if len(av.ReturnTo) == 0 && ap.From != "" {
		av.ReturnTo = []string{ap.From}
	}
	av.CanWithdraw = allowed(st.Approval.Withdraw) && ap.From != "" && (ap.Submitter == f.actor.Actor() || f.actor.Admin)
	for _, d := range docs {
		t, err := taskFromDoc(d)
		if err != nil {
			return nil, err
		}
		if t.Status == TaskPending && t.Assignee == f.actor.Actor() {
			av.MyTask = t.ID
		}
		av.Tasks = append(av.Tasks, t)
	}
	return av, nil
}
