package action

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// env is an action service over a fresh SQLite file with app "shop":
// members, sales, a points rule and the checkout actions.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    store.Store
	meta  *meta.Service
	rec   *form.Records
	led   *ledger.Ledger
	svc   *Service
	admin *auth.Principal
}

const (
	membersSpec = `{"title": "会员", "titleField": "name", "fields": [
	  {"key": "name", "type": "text", "label": "姓名", "required": true},
	  {"key": "phone", "type": "phone", "label": "手机号", "unique": true},
	  {"key": "tier", "type": "select", "label": "等级", "default": "normal", "options": [
	    {"value": "normal", "label": "普通"}, {"value": "gold", "label": "金卡"}]},
	  {"key": "storeId", "type": "text", "label": "门店"},
	  {"key": "visits", "type": "number", "label": "到店次数"}
	]}`
	salesSpec = `{"title": "销售", "fields": [
	  {"key": "receipt", "type": "text", "label": "小票号", "required": true, "unique": true},
	  {"key": "member", "type": "relation", "label": "会员", "form": "members"},
	  {"key": "amount", "type": "money", "label": "金额"},
	  {"key": "points", "type": "number", "label": "积分"}
	]}`
	ruleSpec = `{"title": "积分倍率", "hitPolicy": "first",
	  "inputs": [{"key": "tier", "type": "string"}],
	  "outputs": [{"key": "rate", "type": "int", "default": 1}],
	  "rows": [{"when": {"tier": "gold"}, "then": {"rate": 2}}]}`

	// checkoutScript reads the member, evaluates the points rule, posts
	// the points, counts the visit (conditional on the version read) and
	// writes the sale.
	checkoutScript = `const m = records.get('members', input.member);
if (!m) { throw new Error('会员不存在'); }
const r = rules.evaluate('points_rate', {tier: m.tier});
const points = Math.floor(input.amount / 100) * r.outputs.rate;
const e = ledger.post({owner: m._id, kind: 'points', unit: 'point', amount: points,
  key: 'earn:' + input.receiptId, type: 'earn', ref: input.receiptId});
records.update('members', m._id, {visits: (m.visits || 0) + 1}, {ifVersion: m._version});
const sale = records.create('sales', {receipt: input.receiptId, member: m._id, amount: input.amount, points: points});
log('points', points);
return {sale: sale._id, amount: sale.amount, points: points, balance: e.balanceAfter, at: now()};`

	checkoutInput = `{"type": "object", "required": ["receiptId", "member", "amount"], "additionalProperties": false,
	  "properties": {"receiptId": {"type": "string", "minLength": 1}, "member": {"type": "string"},
	    "amount": {"type": "integer", "minimum": 0},
	    "lines": {"type": "array", "items": {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}}}}}`
)

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	// The embedded store by default; TANGRAM_TEST_ACTION_STORE=lungo://memory
	// runs the same tests on the Mongo adapter over lungo.
	st := testkit.Open(t, testkit.StoreURI(t, "TANGRAM_TEST_ACTION_STORE", "actions.db"))
	ms := testkit.Meta(t, st)
	scripts := script.New(script.Options{})
	t.Cleanup(scripts.Close)
	audit := auth.NewAuditLog(st, nil)
	guard := access.NewGuard(ms)
	rec := form.NewRecords(st, ms, guard, audit, scripts)
	led := ledger.New(st, ledger.Options{})
	e := &env{t: t, ctx: ctx, st: st, meta: ms, rec: rec, led: led,
		admin: &auth.Principal{UserID: "admin", Username: "admin", Admin: true}}
	e.svc = New(Deps{Store: st, Meta: ms, Guard: guard, Records: rec, Scripts: scripts, Ledger: led,
		Rules: rules.New(ms), Audit: audit})
	e.publish(meta.KindApp, "shop", `{"title": "Shop"}`)
	e.publish(meta.KindForm, "members", membersSpec)
	e.publish(meta.KindForm, "sales", salesSpec)
	e.publish(meta.KindRule, "points_rate", ruleSpec)
	e.action("checkout", checkoutScript, "")
	return e
}

// publish creates (or saves a new revision of) a definition and publishes it.
func (e *env) publish(kind meta.Kind, key, spec string) {
	e.t.Helper()
	if err := e.tryPublish(kind, key, spec); err != nil {
		e.t.Fatalf("publish %s %s: %v", kind, key, err)
	}
}

func (e *env) tryPublish(kind meta.Kind, key, spec string) error {
	_, err := testkit.Publish(e.ctx, e.meta, "shop", kind, key, spec)
	return err
}

// action publishes an action with the checkout input schema; extra is
// more JSON properties of its spec (",\"runAs\": ...").
func (e *env) action(key, src, extra string) {
	e.t.Helper()
	b, _ := json.Marshal(src)
	e.publish(meta.KindAction, key, `{"title": "结算", "input": `+checkoutInput+`, "script": `+string(b)+extra+`}`)
}

// member creates a member and returns its id.
func (e *env) member(name, tier string) string {
	e.t.Helper()
	doc, err := e.rec.Create(e.ctx, e.admin, "shop", "members", map[string]any{"name": name, "tier": tier, "storeId": "s1"}, form.WriteOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return doc[form.SysID].(string)
}

// count counts the documents of a collection matching filter (nil: all).
func (e *env) count(coll string, filter *query.Node) int64 {
	e.t.Helper()
	n, err := e.st.Count(e.ctx, coll, filter)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// effects counts what runs leave behind: sales, ledger entries, stored
// idempotent responses and run audit entries.
func (e *env) effects() [4]int64 {
	e.t.Helper()
	return [4]int64{
		e.count(form.RecordsCollection("shop", "sales"), nil),
		e.count(ledger.CollEntries, nil),
		e.count(CollIdempotency, nil),
		e.count(auth.CollAudit, query.Eq(query.Field{Path: "action", Kind: query.KindString}, query.Str("action.run"))),
	}
}

// run runs an action with input (a JSON text).
func (e *env) run(p *auth.Principal, key, input string, o Options) (Result, error) {
	return e.svc.Run(e.ctx, p, "shop", key, json.RawMessage(input), o)
}

// wantCode fails unless err carries code.
var wantCode = testkit.WantCode

// output decodes a run's output object.
func output(t testing.TB, r Result) map[string]any {
	t.Helper()
	v, err := decodeJSON(r.Output)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		t.Fatalf("output %s: %v", r.Output, err)
	}
	return m
}
