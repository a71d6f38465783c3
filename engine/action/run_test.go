package action

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
)

// TestCheckoutCommitsEverything: one run reads a member, evaluates the
// points rule, posts points, updates the member conditionally and writes
// the sale; all of it is there afterwards, with its history and audit.
func TestCheckoutCommitsEverything(t *testing.T) {
	e := newEnv(t)
	m := e.member("张三", "gold")
	res, err := e.run(e.admin, "checkout", fmt.Sprintf(`{"receiptId": "R1", "member": %q, "amount": 12345}`, m), Options{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	out := output(t, res)
	// 123 yuan at the gold rate 2: 246 points; the sale's money is fen both ways.
	if str(out["points"]) != "246" || str(out["balance"]) != "246" || str(out["amount"]) != "12345" {
		t.Fatalf("output %s", res.Output)
	}
	if len(res.Logs) != 1 || res.Logs[0] != "points 246" {
		t.Fatalf("logs %q", res.Logs)
	}
	sale, err := e.rec.Get(e.ctx, e.admin, "shop", "sales", out["sale"].(string))
	if err != nil || str(sale["amount"]) != "12345" || sale["member"] != m {
		t.Fatalf("sale %v %v", sale, err)
	}
	mem, err := e.rec.Get(e.ctx, e.admin, "shop", "members", m)
	if err != nil || str(mem["visits"]) != "1" || str(mem[form.SysVersion]) != "2" {
		t.Fatalf("member %v %v", mem, err)
	}
	if bal, err := e.led.Balance(e.ctx, "shop", m, "points"); err != nil || bal != 246 {
		t.Fatalf("balance %d %v", bal, err)
	}
	if got := e.effects(); got != [4]int64{1, 1, 0, 1} {
		t.Fatalf("effects %v", got)
	}
	hist, err := e.rec.History(e.ctx, e.admin, "shop", "members", m)
	if err != nil || len(hist) != 2 || hist[0].By != "admin" {
		t.Fatalf("history %v %v", hist, err)
	}
}

// TestFailureLeavesNothing: whatever ends a run badly — a throw after the
// writes, a host error, an output breaking the output schema — no record,
// ledger entry, idempotency row or audit entry remains.
func TestFailureLeavesNothing(t *testing.T) {
	e := newEnv(t)
	m := e.member("李四", "normal")
	src := strings.Replace(checkoutScript, "log('points', points);", "log('about to fail');\nthrow new Error('库存不足');", 1)
	e.action("throws", src, "")
	e.action("overdraw", `ledger.post({owner: input.member, kind: 'points', unit: 'point', amount: 10, key: 'k1', type: 'earn'});
records.create('sales', {receipt: input.receiptId, amount: input.amount});
ledger.post({owner: input.member, kind: 'points', unit: 'point', amount: -100, key: 'k2', type: 'redeem'});`, "")
	e.publish(meta.KindAction, "badout", `{"title": "x", "input": {}, "output": {"type": "object", "required": ["ok"]},
	  "script": "records.create('sales', {receipt: 'X1'}); return {nope: true};"}`)
	in := fmt.Sprintf(`{"receiptId": "R9", "member": %q, "amount": 5000}`, m)
	for _, c := range []struct{ action, code, lang, detail string }{
		{"throws", script.CodeError, "zh-CN", "动作脚本出错（第 10 行第 7 列）：Error: 库存不足"},
		{"throws", script.CodeError, "en", "the action script failed at line 10, column 7: Error: 库存不足"},
		{"overdraw", "ledger.insufficient_balance", "en", ""},
		{"badout", "action.output", "en", "the action's result does not match its output schema"},
	} {
		res, err := e.run(e.admin, c.action, in, Options{Lang: c.lang, IdempotencyKey: "key-" + c.action})
		ee := wantCode(t, err, c.code)
		if c.detail != "" && ee.Msg != c.detail {
			t.Errorf("%s %s: message %q, want %q", c.action, c.lang, ee.Msg, c.detail)
		}
		if c.action == "throws" && (len(res.Logs) != 1 || res.Logs[0] != "about to fail") {
			t.Errorf("logs of a failed run: %q", res.Logs)
		}
		if got := e.effects(); got != [4]int64{} {
			t.Fatalf("%s left %v (sales, entries, idempotency rows, audit)", c.action, got)
		}
	}
	if mem, _ := e.rec.Get(e.ctx, e.admin, "shop", "members", m); mem["visits"] != nil {
		t.Fatalf("the member's update survived: %v", mem)
	}
	// The key of a failed run is free: the retry runs.
	e.action("throws", checkoutScript, "")
	if _, err := e.run(e.admin, "throws", in, Options{IdempotencyKey: "key-throws"}); err != nil {
		t.Fatal(err)
	}
}

// TestInputSchemaErrors: every input error is reported at once, each at
// its JSON path, in the caller's language, before anything runs.
func TestInputSchemaErrors(t *testing.T) {
	e := newEnv(t)
	_, err := e.run(e.admin, "checkout", `{"receiptId": "", "amount": -1, "extra": 1, "lines": [{"sku": "a", "qty": 0}, {"qty": 1}]}`, Options{Lang: "en"})
	ee := wantCode(t, err, "action.input")
	if ee.Class != errs.Unprocessable || ee.Msg != "the input does not match the action's input schema" {
		t.Fatalf("error %v", ee)
	}
	var got []string
	for _, f := range ee.Fields {
		got = append(got, f.Path+" "+f.Code)
	}
	want := []string{"amount input.minimum", "extra input.unknown_property", "lines[0].qty input.minimum",
		"lines[1].sku input.required", "member input.required", "receiptId input.min_length"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("paths\n got %v\nwant %v", got, want)
	}
	_, err = e.run(e.admin, "checkout", `[1]`, Options{})
	ee = wantCode(t, err, "action.input")
	if len(ee.Fields) != 1 || ee.Fields[0].Path != "$" || ee.Fields[0].Message != "类型应为 对象" || ee.Msg != "输入不符合该动作的要求" {
		t.Fatalf("root error %v", ee.Fields)
	}
	_, err = e.run(e.admin, "checkout", `{"receiptId": `, Options{})
	wantCode(t, err, "action.malformed")
}

// TestPermissions: the run right decides; an API key also needs the action
// in its scope; the host API acts with the caller's rights, or with the
// runAs role's.
func TestPermissions(t *testing.T) {
	e := newEnv(t)
	m := e.member("王五", "gold")
	e.publish(meta.KindRole, "cashier", `{"title": "收银", "permissions": [{"kind": "action", "key": "*", "actions": ["run"]}]}`)
	e.publish(meta.KindRole, "clerk", `{"title": "店员", "permissions": [
	  {"kind": "action", "key": "checkout", "actions": ["run"]},
	  {"kind": "form", "key": "members", "actions": ["read", "update"], "scope": {"storeId": {"$in": "$user.unitSubtree"}}},
	  {"kind": "form", "key": "sales", "actions": ["read", "create"]},
	  {"kind": "rule", "key": "*", "actions": ["read"]}]}`)
	e.publish(meta.KindRole, "pos_service", `{"title": "收银服务", "permissions": [
	  {"kind": "form", "key": "members", "actions": ["read", "update"]},
	  {"kind": "form", "key": "sales", "actions": ["read", "create"]},
	  {"kind": "rule", "key": "points_rate", "actions": ["read"]}]}`)
	e.action("checkout_svc", checkoutScript, `, "runAs": "pos_service"`)
	user := func(id string, units []string, roles ...string) *auth.Principal {
		p := &auth.Principal{UserID: id, Username: id, Units: units, UnitSubtree: units}
		for _, r := range roles {
			p.Roles = append(p.Roles, auth.RoleRef{App: "shop", Role: r})
		}
		return p
	}
	in := func(r string) string { return fmt.Sprintf(`{"receiptId": %q, "member": %q, "amount": 100}`, r, m) }

	_, err := e.run(user("nobody", nil), "checkout", in("P1"), Options{})
	wantCode(t, err, "access.forbidden")
	// The cashier may run checkout but may not read members: the host
	// call is refused with its own code and nothing is written.
	_, err = e.run(user("c1", nil, "cashier"), "checkout", in("P2"), Options{})
	wantCode(t, err, "access.forbidden")
	// The clerk's row scope applies inside the action: a member of another
	// store is not found.
	_, err = e.run(user("k2", []string{"s2"}, "clerk"), "checkout", in("P3"), Options{Lang: "en"})
	if ee := wantCode(t, err, script.CodeError); !strings.Contains(ee.Msg, "会员不存在") {
		t.Fatalf("message %q", ee.Msg)
	}
	if _, err := e.run(user("k1", []string{"s1"}, "clerk"), "checkout", in("P4"), Options{}); err != nil {
		t.Fatal(err)
	}
	// runAs: the cashier runs the service action with the role's rights;
	// the records still name the cashier.
	res, err := e.run(user("c1", nil, "cashier"), "checkout_svc", in("P5"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sale, err := e.rec.Get(e.ctx, e.admin, "shop", "sales", output(t, res)["sale"].(string))
	if err != nil || sale[form.SysCreatedBy] != "c1" {
		t.Fatalf("sale by %v (%v)", sale[form.SysCreatedBy], err)
	}
	// API keys: the key's action scope narrows even an admin owner.
	key := func(actions ...string) *auth.Principal {
		return &auth.Principal{UserID: "admin", Admin: true, APIKey: &auth.KeyScope{ID: "k", Apps: []string{"shop"}, Actions: actions}}
	}
	_, err = e.run(key("shop/other"), "checkout", in("P6"), Options{})
	wantCode(t, err, "access.forbidden")
	if _, err := e.run(key("shop/checkout"), "checkout", in("P7"), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.run(nil, "checkout", in("P8"), Options{}); errs.ClassOf(err) != errs.Unauthorized {
		t.Fatalf("no principal: %v", err)
	}
	if got := e.effects()[0]; got != 3 {
		t.Fatalf("%d sales, want 3", got)
	}
}

// TestRunAsMustNameARole: saving an action whose runAs names no role, or
// whose script does not compile, is refused with the paths.
func TestRunAsMustNameARole(t *testing.T) {
	e := newEnv(t)
	err := e.tryPublish(meta.KindAction, "bad", `{"title": "x", "input": {}, "script": "return (;", "runAs": "ghost"}`)
	ee, ok := errs.As(err)
	if !ok || len(ee.Fields) != 2 || ee.Fields[0].Path != "spec.runAs" || ee.Fields[1].Path != "spec.script" ||
		!strings.Contains(ee.Fields[1].Message, "line 1") {
		t.Fatalf("error %v", err)
	}
}

// TestTimeoutReleasesTheWriter: a script that never ends is stopped at its
// deadline, writes nothing, and the store keeps working.
func TestTimeoutReleasesTheWriter(t *testing.T) {
	e := newEnv(t)
	m := e.member("赵六", "normal")
	e.publish(meta.KindAction, "spin", `{"title": "x", "input": {}, "timeoutMs": 200,
	  "script": "records.create('sales', {receipt: 'S1'});\nwhile (true) {}"}`)
	// The timeout code, the message naming the limit and the empty effects
	// below are the behaviour; how late a busy machine's watchdog fires is
	// not asserted (the script engine's tests count its ticks).
	_, err := e.run(e.admin, "spin", `{}`, Options{Lang: "en"})
	ee := wantCode(t, err, script.CodeTimeout)
	if !strings.Contains(ee.Msg, "time limit of 200ms") || ee.Class != errs.Unprocessable || ee.Fields[0].Path != "script" {
		t.Fatalf("message %q", ee.Msg)
	}
	if got := e.effects(); got != [4]int64{} {
		t.Fatalf("a timed out run left %v", got)
	}
	if _, err := e.run(e.admin, "checkout", fmt.Sprintf(`{"receiptId": "R1", "member": %q, "amount": 100}`, m), Options{}); err != nil {
		t.Fatalf("the store after a timeout: %v", err)
	}
}

// TestCaughtErrors: a host error that wrote nothing (an insufficient
// balance) can be caught and the run goes on; ledger.balance sees the
// run's own posts and reversals; now() reads the service's clock.
func TestCaughtErrors(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindAction, "try", `{"title": "x", "input": {}, "script": `+jsonString(`let code = null;
try { ledger.post({owner: 'm1', kind: 'sv', unit: 'fen', amount: -100, key: 'd1', type: 'pay'}); }
catch (err) { code = err.code; }
const id = ids.new();
const c = ledger.post({owner: 'm2', kind: 'points', unit: 'point', amount: 50, key: 'c1', type: 'earn'});
const before = ledger.balance('m2', 'points');
const rv = ledger.reverse(c.id, 'r1');
return {code: code, balance: ledger.balance('m1', 'sv'), idLen: id.length, now: now(),
  before: before, reversed: rv.amount, after: ledger.balance('m2', 'points')};`)+`}`)
	e.svc.now = func() time.Time { return time.Date(2026, 11, 23, 14, 30, 0, 0, time.FixedZone("CST", 8*3600)) }
	res, err := e.run(e.admin, "try", `{}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := output(t, res)
	if out["code"] != "ledger.insufficient_balance" || str(out["balance"]) != "0" || str(out["idLen"]) != "20" ||
		out["now"] != "2026-11-23T06:30:00.000Z" || str(out["before"]) != "50" || str(out["reversed"]) != "-50" || str(out["after"]) != "0" {
		t.Fatalf("output %s", res.Output)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func str(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// TestRecordsFind: records.find takes a filter of the query language, a
// sort and a limit, under the principal's rights; a misspelt option or a
// wrong argument is a clear 422 naming the function.
func TestRecordsFind(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"甲", "乙", "丙"} {
		e.member(n, "gold")
	}
	e.member("丁", "normal")
	e.publish(meta.KindAction, "find", `{"title": "x", "input": {}, "script": `+jsonString(
		`return records.find('members', {tier: 'gold'}, {sort: ['-name'], limit: 2}).map(m => m.name);`)+`}`)
	res, err := e.run(e.admin, "find", `{}`, Options{})
	if err != nil || string(res.Output) != `["甲","乙"]` {
		t.Fatalf("find: %s %v", res.Output, err)
	}
	for src, want := range map[string]string{
		`records.find('members', null, {limt: 1})`:    "records.find: unknown property limt",
		`records.get('members')`:                      "records.get: argument 2 (id) is missing",
		`records.create('sales', 'x')`:                "records.create: argument 2 (data) must be an object",
		`records.find('members', {tier: {$near: 1}})`: "",
	} {
		e.publish(meta.KindAction, "bad", `{"title": "x", "input": {}, "script": `+jsonString(src)+`}`)
		_, err := e.run(e.admin, "bad", `{}`, Options{Lang: "en"})
		if want == "" {
			if ee, ok := errs.As(err); !ok || ee.Class != errs.Invalid {
				t.Errorf("%s: %v, want the filter's 400", src, err)
			}
			continue
		}
		if ee := wantCode(t, err, "action.host_args"); ee.Msg != want {
			t.Errorf("%s: %q, want %q", src, ee.Msg, want)
		}
	}
}
