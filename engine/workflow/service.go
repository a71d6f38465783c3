// Package workflow runs workflows: state machines over a form's records
// (meta kind "flow"), with guarded transitions, on-enter and on-exit steps,
// approvals with a task inbox, and SLA timers on a business calendar.
//
// A flow's published version is compiled once into a
// github.com/qmuntal/stateless machine (compile.go). The state lives in the
// record (_state, with _flowVersion: the version it started under) and in
// an instance document holding the approval in progress; a record keeps
// the version it started under until its flow ends, whatever is published
// meanwhile. Each transition runs in ONE store transaction: the record's
// state, its history revision, the workflow timeline entry, the approval
// tasks, the steps' writes, the audit entry and the outbox events
// (engine/outbox) commit together or not at all.
//
// Who may do what: a transition needs the record in the caller's read
// scope and the "transition" right on the flow (roles on a transition
// narrow it further); the approve and reject triggers of an approval state
// are fired by the approval, never directly. A task is decided by its
// assignee only; the submitter withdraws. Task decisions are conditional
// writes on the task and on the instance's revision, so of two concurrent
// decisions exactly one wins.
package workflow

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"encoding/json"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// Collections of the workflow engine.
const (
	collInstances = "wf_instances" // one per record in a flow: _id app/form/record
	collTasks     = "wf_tasks"     // approval tasks
	collHistory   = "wf_history"   // the timeline: transitions and approval actions
	collLeases    = "wf_leases"    // the SLA runner's lease
)

var indexes = map[string][]store.Index{
	collTasks: {
		{Name: "tasks_inbox", Fields: []string{"assignee", "status"}},
		{Name: "tasks_record", Fields: []string{"app", "form", "record", "status"}},
		{Name: "tasks_wake", Fields: []string{"status", "wakeAt"}},
		{Name: "tasks_decided", Fields: []string{"decidedBy"}},
	},
	collHistory: {{Name: "history_record", Fields: []string{"app", "form", "record"}}},
}

// ActionRunner runs an action inside a caller's transaction;
// *action.Service is one (engine/action/inner.go).
type ActionRunner interface {
	// Prepare does, outside any transaction, what a run needs first.
	Prepare(ctx context.Context) error
	// RunIn runs the published action key of app for p through tx.
	RunIn(ctx context.Context, tx store.Ops, p *auth.Principal, app, key string, input any, lang string) (json.RawMessage, error)
}

// Deps are the services the workflow engine uses.
type Deps struct {
	Store   store.Store
	Meta    *meta.Service
	Auth    *auth.Service
	Guard   *access.Guard
	Records *form.Records
	Scripts *script.Engine
	Actions ActionRunner   // nil: action.run steps fail
	Audit   *auth.AuditLog // nil: transitions are not audited
	Log     *slog.Logger
	// Clock is the time of transitions, deadlines and the SLA runner;
	// default time.Now. Tests move it.
	Clock func() time.Time
}

// Service is the workflow engine. It is safe for concurrent use, and
// several services (in one process or several) may share one store.
type Service struct {
	st      store.Store
	meta    *meta.Service
	auth    *auth.Service
	guard   *access.Guard
	records *form.Records
	scripts *script.Engine
	actions ActionRunner
	audit   *auth.AuditLog
	log     *slog.Logger
	now     func() time.Time

	flows     sync.Map // "app/key@version" -> *compiled
	formFlows sync.Map // "app/form" -> the key of the flow last found for it
	lease     *lease
}

// New returns the workflow engine; call Init before use.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Service{st: d.Store, meta: d.Meta, auth: d.Auth, guard: d.Guard, records: d.Records, scripts: d.Scripts,
		actions: d.Actions, audit: d.Audit, log: d.Log, now: d.Clock}
	s.lease = newLease(d.Store, "sla", store.NewID(), d.Clock)
	return s
}

// Init creates the indexes of the engine's collections and the outbox.
func (s *Service) Init(ctx context.Context) error {
	for coll, idx := range indexes {
		if err := s.st.EnsureIndexes(ctx, coll, idx); err != nil {
			return err
		}
	}
	return outbox.Init(ctx, s.st)
}

// version returns the compiled flow version, compiling it once: published
// revisions never change, so the cache needs no invalidation.
func (s *Service) version(ctx context.Context, app, key string, version int) (*compiled, error) {
	ck := fmt.Sprintf("%s/%s@%d", app, key, version)
	if c, ok := s.flows.Load(ck); ok {
		return c.(*compiled), nil
	}
	def, err := s.meta.GetVersion(ctx, app, meta.KindFlow, key, version)
	if err != nil {
		return nil, err
	}
	c, err := compile(def)
	if err != nil {
		return nil, err
	}
	v, _ := s.flows.LoadOrStore(ck, c)
	return v.(*compiled), nil
}

// flowFor returns the published flow over a form (a form has at most one:
// see checkAgainstForm), for records that have not started one yet. The
// flow found last for the form is tried first, which costs one read of
// its head; any doubt (unpublished since, moved to another form) falls
// back to reading the app's flows.
func (s *Service) flowFor(ctx context.Context, app, formKey string) (*compiled, error) {
	fk := app + "/" + formKey
	if key, ok := s.formFlows.Load(fk); ok {
		pub, err := s.meta.Published(ctx, app, meta.KindFlow, key.(string))
		if err == nil && specForm(pub.Spec) == formKey {
			return s.version(ctx, app, pub.Key, pub.Version)
		}
	}
	defs, err := s.meta.List(ctx, app, meta.KindFlow)
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		pub, err := s.meta.Published(ctx, app, meta.KindFlow, d.Key)
		if errs.HasCode(err, meta.ErrNotPublished.Code) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if specForm(pub.Spec) == formKey {
			s.formFlows.Store(fk, pub.Key)
			return s.version(ctx, app, pub.Key, pub.Version)
		}
	}
	return nil, coded(langOf(ctx), errs.NotFound, "workflow.not_found", formKey)
}

// specForm reads the form a flow spec runs on.
func specForm(spec json.RawMessage) string {
	var head struct {
		Form string `json:"form"`
	}
	_ = json.Unmarshal(spec, &head)
	return head.Form
}

// errRetry marks a transaction that lost a race on the instance: it runs
// again from the start, reading what the winner wrote.
var errRetry = errs.New(errs.Conflict, "workflow.busy", "the record is being changed concurrently; retry")

// inTx runs fn in a store transaction, again when it lost a race.
func (s *Service) inTx(ctx context.Context, fn func(tx store.Ops) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.st.Tx(ctx, fn)
		if !errs.HasCode(err, errRetry.Code) {
			break
		}
	}
	if errs.HasCode(err, errRetry.Code) {
		return coded(langOf(ctx), errs.Conflict, "workflow.busy")
	}
	// Forms first compiled inside the transaction get their indexes now;
	// a failure only leaves queries slower until the next try.
	_ = s.records.EnsurePendingIndexes(ctx)
	return err
}

// prepare readies the action runner outside the transaction.
func (s *Service) prepare(ctx context.Context) error {
	if s.actions == nil {
		return nil
	}
	return s.actions.Prepare(ctx)
}

func actorName(p *auth.Principal) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	if p.Username != "" {
		return p.Username
	}
	return p.Actor()
}

func system() *auth.Principal { return auth.System().Principal }
