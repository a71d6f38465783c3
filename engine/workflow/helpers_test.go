package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
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

// clock is the settable clock of the services under test.
type clock = testkit.Clock

// env is a workflow engine over a fresh store with app "crm": an org tree
// (HQ > East region > store S1), its people, a staff role, and the forms
// upgrades (member upgrade requests) and points (a ledger-free log).
type env struct {
	t       testing.TB
	ctx     context.Context
	st      store.Store
	meta    *meta.Service
	auth    *auth.Service
	rec     *form.Records
	scripts *script.Engine
	actions *action.Service
	guard   *access.Guard
	clk     *clock
	wf      *workflow.Service

	hq, region, shop           string // unit ids
	clerk, storeMgr, regionMgr *auth.Principal
	hqAdmin, a, b, c, outsider *auth.Principal
	admin                      *auth.Principal
}

const upgradesForm = `{"title": "会员升级申请", "titleField": "member", "fields": [
  {"key": "member", "type": "text", "label": "会员", "required": true},
  {"key": "store", "type": "orgunit", "label": "门店"},
  {"key": "points", "type": "number", "label": "积分"},
  {"key": "tier", "type": "select", "label": "目标等级", "options": [{"value": "gold", "label": "金卡"}, {"value": "diamond", "label": "钻石"}]},
  {"key": "reviewer", "type": "user", "label": "指定审批人"},
  {"key": "result", "type": "text", "label": "结果"}
]}`

const staffRole = `{"title": "员工", "permissions": [
  {"kind": "form", "key": "*", "actions": ["read", "create", "update"]},
  {"kind": "flow", "key": "*", "actions": ["transition"]},
  {"kind": "action", "key": "*", "actions": ["run"]}
]}`

// storeURI selects the store: the embedded one, or lungo when
// TANGRAM_TEST_WORKFLOW_STORE=lungo://memory.
func storeURI(t testing.TB) string {
	return testkit.StoreURI(t, "TANGRAM_TEST_WORKFLOW_STORE", "wf.db")
}

func newEnv(t testing.TB) *env { return newEnvOn(t, storeURI(t)) }

func newEnvOn(t testing.TB, uri string) *env {
	t.Helper()
	ctx := context.Background()
	st := testkit.Open(t, uri)
	e := &env{t: t, ctx: ctx, st: st, clk: testkit.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))}
	e.meta = testkit.Meta(t, st)
	e.auth = auth.New(st, auth.Config{Hash: auth.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	e.must(e.auth.Init(ctx))
	e.guard = access.NewGuard(e.meta)
	e.scripts = script.New(script.Options{})
	t.Cleanup(e.scripts.Close)
	e.rec = form.NewRecords(st, e.meta, e.guard, e.auth.Audit, e.scripts)
	e.actions = action.New(action.Deps{Store: st, Meta: e.meta, Guard: e.guard, Records: e.rec, Scripts: e.scripts,
		Ledger: ledger.New(st, ledger.Options{}), Rules: rules.New(e.meta), Audit: e.auth.Audit, Clock: e.clk.Now})
	e.wf = e.newService()
	e.must(e.wf.Init(ctx))
	e.admin = auth.System().Principal

	e.define(meta.KindApp, "crm", `{"title": "CRM"}`)
	e.define(meta.KindForm, "upgrades", upgradesForm)
	e.define(meta.KindRole, "staff", staffRole)
	e.hq = e.unit("hq", "总部", "HQ", "")
	e.region = e.unit("region", "华东区", "EAST", e.hq)
	e.shop = e.unit("store", "南京西路店", "SH001", e.region)
	e.clerk = e.user("clerk", e.shop, "store_clerk", "staff")
	e.storeMgr = e.user("store.mgr", e.shop, "store_manager", "staff")
	e.regionMgr = e.user("region.mgr", e.region, "region_manager", "staff")
	e.hqAdmin = e.user("hq.admin", e.hq, "hq_admin", "staff")
	e.a = e.user("signer.a", e.hq, "store_clerk", "staff")
	e.b = e.user("signer.b", e.hq, "store_clerk", "staff")
	e.c = e.user("signer.c", e.hq, "store_clerk", "staff")
	e.outsider = e.user("outsider", "", "", "")
	return e
}

// newService is another workflow engine over the same store and clock: a
// second server instance.
func (e *env) newService() *workflow.Service {
	return workflow.New(workflow.Deps{Store: e.st, Meta: e.meta, Auth: e.auth, Guard: e.guard, Records: e.rec,
		Scripts: e.scripts, Actions: e.actions, Audit: e.auth.Audit, Clock: e.clk.Now})
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// define creates (or saves) and publishes a definition.
func (e *env) define(kind meta.Kind, key, spec string) meta.Definition {
	e.t.Helper()
	d, err := testkit.Publish(e.ctx, e.meta, "crm", kind, key, spec)
	e.must(err)
	return d
}

func (e *env) unit(kind, name, code, parent string) string {
	e.t.Helper()
	u, err := e.auth.CreateUnit(e.ctx, auth.System(), auth.UnitInput{Kind: kind, Name: name, Code: code, ParentID: parent})
	e.must(err)
	return u.ID
}

// user creates a user and returns the principal its sign-in would give.
func (e *env) user(username, unit, position, role string) *auth.Principal {
	e.t.Helper()
	in := auth.UserInput{Username: username, DisplayName: username, Password: "Str0ng-Pass-2026!"}
	if unit != "" {
		in.Memberships = []auth.Membership{{UnitID: unit, Position: position}}
	}
	if role != "" {
		in.Roles = []auth.RoleRef{{App: "crm", Role: role}}
	}
	u, err := e.auth.CreateUser(e.ctx, auth.System(), in)
	e.must(err)
	p := &auth.Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Memberships: u.Memberships, Roles: u.Roles}
	if unit != "" {
		p.Units, p.Positions, p.UnitSubtree = []string{unit}, []string{position}, []string{unit}
	}
	return p
}

// create stores an upgrade request as p.
func (e *env) create(p *auth.Principal, data map[string]any) string {
	e.t.Helper()
	doc, err := e.rec.Create(e.ctx, p, "crm", "upgrades", data, form.WriteOptions{})
	e.must(err)
	return doc["_id"].(string)
}

func (e *env) fire(p *auth.Principal, id, trigger string, in ...workflow.Input) (*workflow.View, error) {
	var i workflow.Input
	if len(in) > 0 {
		i = in[0]
	}
	return e.wf.Fire(e.ctx, p, "crm", "upgrades", id, trigger, i)
}

func (e *env) view(p *auth.Principal, id string) *workflow.View {
	e.t.Helper()
	v, err := e.wf.View(e.ctx, p, "crm", "upgrades", id)
	e.must(err)
	return v
}

// pending returns p's pending tasks.
func (e *env) pending(p *auth.Principal) []*workflow.Task {
	e.t.Helper()
	page, err := e.wf.Inbox(e.ctx, p, workflow.InboxQuery{})
	e.must(err)
	return page.Tasks
}

// onlyTask returns p's one pending task.
func (e *env) onlyTask(p *auth.Principal) *workflow.Task {
	e.t.Helper()
	ts := e.pending(p)
	if len(ts) != 1 {
		e.t.Fatalf("%s has %d pending tasks, want 1: %+v", p.Username, len(ts), ts)
	}
	return ts[0]
}

func (e *env) decide(p *auth.Principal, task, action string, d ...workflow.Decision) (*workflow.Task, error) {
	dec := workflow.Decision{Action: action}
	if len(d) > 0 {
		dec = d[0]
		dec.Action = action
	}
	return e.wf.Decide(e.ctx, p, task, dec)
}

// record reads a record as the system.
func (e *env) record(id string) store.Doc {
	e.t.Helper()
	doc, err := e.rec.Get(e.ctx, e.admin, "crm", "upgrades", id)
	e.must(err)
	return doc
}

// events counts the outbox events of a type about a record.
func (e *env) events(typ, record string) int64 {
	e.t.Helper()
	f := outbox.Fields()
	n, err := e.st.Count(e.ctx, outbox.Collection, query.And(query.Eq(f["type"], query.Str(typ)), query.Eq(f["record"], query.Str(record))))
	e.must(err)
	return n
}

// wantCode fails unless err has the code.
var wantCode = testkit.WantCode

// kinds lists the kinds of a timeline.
func kinds(v *workflow.View) []string {
	var out []string
	for _, e := range v.Timeline {
		out = append(out, e.Kind)
	}
	return out
}
