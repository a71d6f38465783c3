package automation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/workflow"
)

// clock is the settable clock of the services under test; a zero time
// follows the real clock (for tests of events other engines stamp with
// it).
type clock = testkit.Clock

var cst = query.DefaultLocation

// env is an automation engine over a fresh store with app "crm": the forms
// members, stores, store-tasks and notes, an action that credits points,
// and a workflow over notes.
type env struct {
	t       testing.TB
	ctx     context.Context
	st      store.Store
	meta    *meta.Service
	auth    *auth.Service
	guard   *access.Guard
	rec     *form.Records
	ledger  *ledger.Ledger
	rules   *rules.Service
	actions *action.Service
	wf      *workflow.Service
	scripts *script.Engine
	clk     *clock
	svc     *automation.Service
	opt     automation.Options
}

const membersForm = `{"title": "会员", "titleField": "name", "fields": [
  {"key": "name", "type": "text", "label": "姓名", "required": true},
  {"key": "phone", "type": "text", "label": "手机"},
  {"key": "birthday", "type": "date", "label": "生日"},
  {"key": "lastPurchaseAt", "type": "datetime", "label": "最近消费"},
  {"key": "tier", "type": "select", "label": "等级", "default": "normal", "options": [
    {"value": "normal", "label": "普通"}, {"value": "silver", "label": "银卡"}, {"value": "gold", "label": "金卡"}, {"value": "diamond", "label": "钻石"}]},
  {"key": "points", "type": "number", "label": "积分"},
  {"key": "homeStore", "type": "relation", "label": "门店", "form": "stores"},
  {"key": "lang", "type": "text", "label": "语言"},
  {"key": "note", "type": "text", "label": "备注"}
]}`

const storesForm = `{"title": "门店", "titleField": "name", "fields": [
  {"key": "code", "type": "text", "label": "编码", "unique": true},
  {"key": "name", "type": "text", "label": "名称"},
  {"key": "region", "type": "select", "label": "区域", "options": [{"value": "east", "label": "华东"}, {"value": "north", "label": "华北"}]},
  {"key": "orgUnit", "type": "orgunit", "label": "组织"},
  {"key": "status", "type": "select", "label": "状态", "options": [{"value": "open", "label": "营业"}, {"value": "closed", "label": "关闭"}]}
]}`

const tasksForm = `{"title": "门店任务", "titleField": "title", "fields": [
  {"key": "title", "type": "text", "label": "任务", "required": true},
  {"key": "store", "type": "relation", "label": "门店", "form": "stores", "required": true},
  {"key": "storeUnit", "type": "orgunit", "label": "组织"},
  {"key": "dueAt", "type": "datetime", "label": "截止"},
  {"key": "status", "type": "select", "label": "状态", "default": "todo", "options": [
    {"value": "todo", "label": "待开始"}, {"value": "doing", "label": "进行中"}, {"value": "done", "label": "完成"}, {"value": "overdue", "label": "逾期"}]},
  {"key": "progress", "type": "percent", "label": "进度"},
  {"key": "assignees", "type": "user", "label": "负责人", "multiple": true}
]}`

const notesForm = `{"title": "备注", "fields": [
  {"key": "member", "type": "text", "label": "会员"},
  {"key": "text", "type": "text", "label": "内容"}
]}`

const givePoints = `{"title": "送积分",
  "input": {"type": "object", "required": ["member", "points"], "properties": {"member": {"type": "string"}, "points": {"type": "integer"}}},
  "script": "const e = ledger.post({owner: input.member, kind: 'points', unit: 'point', amount: input.points, key: 'gift:' + input.member, type: 'gift'}); return {balance: e.balanceAfter};"}`

func storeURI(t testing.TB) string {
	return testkit.StoreURI(t, "TANGRAM_TEST_AUTOMATION_STORE", "auto.db")
}

func newEnv(t testing.TB) *env { return newEnvOn(t, storeURI(t)) }

func newEnvOn(t testing.TB, uri string) *env {
	t.Helper()
	e := newBareOn(t, uri)
	e.define(meta.KindApp, "crm", `{"title": "CRM"}`)
	e.define(meta.KindForm, "stores", storesForm)
	e.define(meta.KindForm, "members", membersForm)
	e.define(meta.KindForm, "store-tasks", tasksForm)
	e.define(meta.KindForm, "notes", notesForm)
	e.define(meta.KindAction, "give-points", givePoints)
	return e
}

// newBareOn is the services over a fresh store, with no app.
func newBareOn(t testing.TB, uri string) *env {
	t.Helper()
	ctx := context.Background()
	st := testkit.Open(t, uri)
	e := &env{t: t, ctx: ctx, st: st, clk: testkit.NewClock(time.Date(2026, 3, 2, 8, 0, 0, 0, cst))}
	e.meta = testkit.Meta(t, st)
	e.auth = auth.New(st, auth.Config{Hash: auth.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	e.must(e.auth.Init(ctx))
	e.guard = access.NewGuard(e.meta)
	e.scripts = script.New(script.Options{})
	t.Cleanup(e.scripts.Close)
	e.rec = form.NewRecords(st, e.meta, e.guard, e.auth.Audit, e.scripts)
	e.ledger = ledger.New(st, ledger.Options{Now: e.clk.Now})
	e.rules = rules.New(e.meta)
	e.actions = action.New(action.Deps{Store: st, Meta: e.meta, Guard: e.guard, Records: e.rec, Scripts: e.scripts,
		Ledger: e.ledger, Rules: e.rules, Audit: e.auth.Audit, Clock: e.clk.Now})
	e.wf = workflow.New(workflow.Deps{Store: st, Meta: e.meta, Auth: e.auth, Guard: e.guard, Records: e.rec, Scripts: e.scripts,
		Actions: e.actions, Clock: e.clk.Now})
	e.must(e.wf.Init(ctx))
	e.opt = automation.Options{Workers: 8, LeaseTTL: 30 * time.Second, Retention: -1}
	e.svc = e.newService()
	e.must(e.svc.Init(ctx))
	return e
}

// newService is another automation engine over the same store and clock:
// another server instance.
func (e *env) newService(opts ...automation.Options) *automation.Service {
	e.t.Helper()
	o := e.opt
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := automation.New(automation.Deps{Store: e.st, Meta: e.meta, Auth: e.auth, Guard: e.guard, Records: e.rec, Ledger: e.ledger,
		Rules: e.rules, Actions: e.actions, Workflow: e.wf, Clock: e.clk.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, o)
	e.must(err)
	return s
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// define creates (or saves) and publishes a definition, at the clock's
// time as far as publishing goes (meta stamps with the real clock).
func (e *env) define(kind meta.Kind, key, spec string) meta.Definition {
	e.t.Helper()
	d, err := testkit.Publish(e.ctx, e.meta, "crm", kind, key, spec)
	e.must(err)
	return d
}

// create stores a record as the system.
func (e *env) create(formKey string, data map[string]any) store.Doc {
	e.t.Helper()
	doc, err := e.rec.Create(e.ctx, auth.System().Principal, "crm", formKey, data, form.WriteOptions{})
	e.must(err)
	return doc
}

// event writes an outbox event as an engine would, in its own transaction.
func (e *env) event(ev outbox.Event) string {
	e.t.Helper()
	if ev.App == "" {
		ev.App = "crm"
	}
	if ev.Actor == "" {
		ev.Actor = "system"
	}
	if ev.At.IsZero() {
		ev.At = e.clk.Now()
	}
	var id string
	e.must(e.st.Tx(e.ctx, func(tx store.Ops) error {
		var err error
		id, err = outbox.Write(e.ctx, tx, ev)
		return err
	}))
	return id
}

// created writes the record.created event of a record, as the records
// service does.
func (e *env) created(formKey string, doc store.Doc) string {
	id, _ := doc["_id"].(string)
	return e.event(outbox.Event{Type: automation.EventRecordCreated, Form: formKey, Record: id,
		Data: map[string]any{"after": plain(doc), "version": doc["_version"]}})
}

// plain turns a stored document into what an event's JSON carries.
func plain(v any) map[string]any {
	raw, _ := json.Marshal(v)
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	_ = d.Decode(&m)
	return m
}

// drain runs the engine until nothing is due at the clock's time.
func (e *env) drain(s ...*automation.Service) automation.TickResult {
	e.t.Helper()
	svc := e.svc
	if len(s) > 0 {
		svc = s[0]
	}
	r, err := svc.Drain(e.ctx)
	e.must(err)
	return r
}

// count counts a collection's documents matching field=value pairs.
func (e *env) count(coll string, kv ...string) int64 {
	e.t.Helper()
	var parts []*query.Node
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, query.Eq(query.Field{Path: kv[i], Kind: query.KindString}, query.Str(kv[i+1])))
	}
	n, err := e.st.Count(e.ctx, coll, query.And(parts...))
	e.must(err)
	return n
}

// runs lists the runs of an automation.
func (e *env) runs(key string) []*automation.Run {
	e.t.Helper()
	var out []*automation.Run
	q := automation.RunQuery{Automation: key, Limit: automation.MaxPageSize}
	for {
		page, err := e.svc.Runs(e.ctx, auth.System().Principal, "crm", q)
		e.must(err)
		out = append(out, page.Runs...)
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
}

// wantCode fails unless err has the code.
var wantCode = testkit.WantCode

// paths lists the field error paths and codes of err as "path code".
var paths = testkit.FieldErrors

func system() *auth.Principal { return auth.System().Principal }

func formWrite() form.WriteOptions { return form.WriteOptions{} }
