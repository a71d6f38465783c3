package action

import (
	"fmt"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Speculative runs (spec.go, speculate.go). Every test here holds on any
// store; the counts of how speculations ended are checked on the embedded
// store only, where runs speculate.

// stats is how the env's speculations ended so far.
func (e *env) stats() map[string]int64 {
	s := &e.svc.spec
	return map[string]int64{"committed": s.committed.Load(), "final": s.final.Load(), "abandoned": s.abandoned.Load(),
		"stale": s.stale.Load(), "diverged": s.diverged.Load()}
}

// wantStats fails unless the named counts are as given (embedded store).
func (e *env) wantStats(want map[string]int64) {
	e.t.Helper()
	if !e.svc.speculate {
		return
	}
	got := e.stats()
	for k, v := range want {
		if got[k] != v {
			e.t.Fatalf("speculations %v, want %s = %d", got, k, v)
		}
	}
}

// once makes fn run between the next speculation and its commit (where
// runs do not speculate, now: its effect on the run is then the same).
func (e *env) once(fn func()) {
	if !e.svc.speculate {
		fn()
		return
	}
	var done sync.Once
	e.svc.afterSpeculate = func() { done.Do(fn) }
}

func (e *env) checkout(receipt, member string, amount int) (map[string]any, error) {
	e.t.Helper()
	res, err := e.run(e.admin, "checkout", fmt.Sprintf(`{"receiptId": %q, "member": %q, "amount": %d}`, receipt, member, amount), Options{Lang: "en"})
	if err != nil {
		return nil, err
	}
	return output(e.t, res), nil
}

// TestSpecStaleRead: a member changes between the speculation that read
// it and its commit; the run is done again inside the writer and counts
// the visit on top of the other change, at the new version.
func TestSpecStaleRead(t *testing.T) {
	e := newEnv(t)
	m := e.member("周一", "gold")
	e.once(func() {
		if _, err := e.rec.Patch(e.ctx, e.admin, "shop", "members", m, map[string]any{"visits": 5}, 0, form.WriteOptions{}); err != nil {
			t.Error(err)
		}
	})
	if _, err := e.checkout("S1", m, 1000); err != nil {
		t.Fatal(err)
	}
	mem, err := e.rec.Get(e.ctx, e.admin, "shop", "members", m)
	if err != nil || str(mem["visits"]) != "6" || str(mem[form.SysVersion]) != "3" {
		t.Fatalf("member %v %v", mem, err)
	}
	e.wantStats(map[string]int64{"stale": 1, "committed": 0})
	// Without interference the next run commits its speculation.
	if _, err := e.checkout("S2", m, 1000); err != nil {
		t.Fatal(err)
	}
	e.wantStats(map[string]int64{"stale": 1, "committed": 1})
}

// TestSpecDivergedWrite: the points account moves between speculation and
// commit. The speculation never read it (the post's increment did), so
// the replayed increment returns another balance than the run saw: that
// turn rolls back and the run is done inside the next one, reporting the
// true balance.
func TestSpecDivergedWrite(t *testing.T) {
	e := newEnv(t)
	m := e.member("吴二", "normal")
	if _, err := e.checkout("D0", m, 1000); err != nil { // creates the account
		t.Fatal(err)
	}
	e.once(func() {
		if _, err := e.led.PostTx(e.ctx, ledger.Posting{App: "shop", Owner: m, Kind: "points", Unit: ledger.UnitPoint, Amount: 100, Key: "gift", Type: "adjust"}); err != nil {
			t.Error(err)
		}
	})
	out, err := e.checkout("D1", m, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if str(out["balance"]) != "120" {
		t.Fatalf("output %v, want balance 10+100+10", out)
	}
	e.wantStats(map[string]int64{"diverged": 1, "committed": 1})
	if got := e.effects(); got != [4]int64{2, 3, 0, 2} {
		t.Fatalf("effects %v", got)
	}
	e.reconciled()
}

// reconciled fails unless every ledger account equals the sum of its
// entries.
func (e *env) reconciled() {
	e.t.Helper()
	rep, err := e.led.Reconcile(e.ctx, "shop")
	if err != nil || len(rep.Mismatches) != 0 {
		e.t.Fatalf("reconcile %+v %v", rep, err)
	}
}

// TestSpecReadsOwnWrites: a script reads back what it wrote — a record
// created then read, updated and read again, a balance after its own
// posts — and the speculation commits with exactly what the script saw.
func TestSpecReadsOwnWrites(t *testing.T) {
	e := newEnv(t)
	m := e.member("郑三", "normal")
	e.publish(meta.KindAction, "own", `{"title": "x", "input": {}, "script": `+jsonString(`
const s = records.create('sales', {receipt: 'O1', member: input.member, amount: 500});
const again = records.get('sales', s._id);
const u = records.update('sales', s._id, {points: 7}, {ifVersion: again._version});
const after = records.get('sales', s._id);
ledger.post({owner: input.member, kind: 'points', unit: 'point', amount: 30, key: 'own1', type: 'earn'});
ledger.post({owner: input.member, kind: 'points', unit: 'point', amount: -12, key: 'own2', type: 'redeem'});
const mem = records.get('members', input.member);
records.update('members', input.member, {visits: 1}, {ifVersion: mem._version});
const mem2 = records.get('members', input.member);
return {same: again.receipt === 'O1' && again.amount === 500, v1: again._version, v2: u._version, p: after.points,
  v3: after._version, balance: ledger.balance(input.member, 'points'), visits: mem2.visits, mv: mem2._version};`)+`}`)
	res, err := e.run(e.admin, "own", fmt.Sprintf(`{"member": %q}`, m), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Output); got != `{"balance":18,"mv":2,"p":7,"same":true,"v1":1,"v2":2,"v3":2,"visits":1}` {
		t.Fatalf("output %s", got)
	}
	e.wantStats(map[string]int64{"committed": 1, "abandoned": 0, "stale": 0, "diverged": 0})
	sales, err := e.st.Find(e.ctx, form.RecordsCollection("shop", "sales"), storeQueryAll())
	if err != nil || len(sales) != 1 || str(sales[0]["points"]) != "7" || str(sales[0][form.SysVersion]) != "2" {
		t.Fatalf("sales %v %v", sales, err)
	}
	if bal, _ := e.led.Balance(e.ctx, "shop", m, "points"); bal != 18 {
		t.Fatalf("balance %d", bal)
	}
	e.reconciled()
}

// TestSpecQueryOverOwnWrite: a find that would see the run's own new
// record gives the speculation up; the run done inside the writer finds
// it. A find of other records speculates on.
func TestSpecQueryOverOwnWrite(t *testing.T) {
	e := newEnv(t)
	e.member("王四", "gold")
	e.publish(meta.KindAction, "see", `{"title": "x", "input": {}, "script": `+jsonString(`
records.create('sales', {receipt: input.r, amount: 100});
return records.find('sales', {receipt: input.r}).length;`)+`}`)
	e.publish(meta.KindAction, "other", `{"title": "x", "input": {}, "script": `+jsonString(`
records.create('sales', {receipt: input.r, amount: 100});
return records.find('sales', {receipt: 'nope'}).length + records.find('members', {tier: 'gold'}).length;`)+`}`)
	res, err := e.run(e.admin, "see", `{"r": "F1"}`, Options{})
	if err != nil || string(res.Output) != "1" {
		t.Fatalf("see: %s %v", res.Output, err)
	}
	e.wantStats(map[string]int64{"abandoned": 1, "committed": 0})
	res, err = e.run(e.admin, "other", `{"r": "F2"}`, Options{})
	if err != nil || string(res.Output) != "1" {
		t.Fatalf("other: %s %v", res.Output, err)
	}
	e.wantStats(map[string]int64{"abandoned": 1, "committed": 1})
	if got := e.effects(); got != [4]int64{2, 0, 0, 2} {
		t.Fatalf("effects %v", got)
	}
}

// TestSpecConcurrentDebits: 100 runs at once each pay 100 fen from one
// stored-value balance of 5,000: exactly 50 succeed, the others are
// declined, the balance ends at 0 and the ledger reconciles.
func TestSpecConcurrentDebits(t *testing.T) {
	e := newEnv(t)
	m := e.member("冯五", "normal")
	if _, err := e.led.PostTx(e.ctx, ledger.Posting{App: "shop", Owner: m, Kind: "sv", Unit: ledger.UnitFen, Amount: 5000, Key: "topup", Type: "topup"}); err != nil {
		t.Fatal(err)
	}
	e.publish(meta.KindAction, "pay", `{"title": "x", "input": {}, "script": `+jsonString(`
const before = ledger.balance(input.member, 'sv');
const e = ledger.post({owner: input.member, kind: 'sv', unit: 'fen', amount: -100, key: 'pay:' + input.r, type: 'pay'});
if (e.balanceAfter < 0 || e.balanceAfter !== before - 100) { throw new Error('inconsistent balance'); }
return e.balanceAfter;`)+`}`)
	const n = 100
	outs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var res Result
			res, errs[i] = e.run(e.admin, "pay", fmt.Sprintf(`{"member": %q, "r": "P%d"}`, m, i), Options{})
			outs[i] = string(res.Output)
		})
	}
	wg.Wait()
	ok, seen := 0, map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			wantCode(t, errs[i], "ledger.insufficient_balance")
			continue
		}
		ok++
		if seen[outs[i]] {
			t.Fatalf("two payments saw the balance %s after them", outs[i])
		}
		seen[outs[i]] = true
	}
	if ok != 50 {
		t.Fatalf("%d payments succeeded, want 50", ok)
	}
	if bal, _ := e.led.Balance(e.ctx, "shop", m, "sv"); bal != 0 {
		t.Fatalf("balance %d, want 0", bal)
	}
	if got := e.effects(); got[1] != 51 || got[3] != 50 {
		t.Fatalf("effects %v", got)
	}
	e.reconciled()
}

// couponSpec is a single-use coupon form.
const couponSpec = `{"title": "优惠券", "fields": [
  {"key": "code", "type": "text", "label": "券码", "required": true, "unique": true},
  {"key": "status", "type": "select", "label": "状态", "default": "active", "options": [
    {"value": "active", "label": "可用"}, {"value": "used", "label": "已用"}]},
  {"key": "usedBy", "type": "text", "label": "使用小票"}]}`

// TestSpecSingleUse: 100 runs at once redeem one single-use coupon, with
// a version condition and without one (the script reads the status and
// then sets it): exactly one redemption each time.
func TestSpecSingleUse(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindForm, "coupons", couponSpec)
	for _, c := range []struct{ name, cond string }{{"versioned", "{ifVersion: c._version}"}, {"read", "undefined"}} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := e.rec.Create(e.ctx, e.admin, "shop", "coupons", map[string]any{"code": "C-" + c.name}, form.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			id := doc[form.SysID].(string)
			key := "redeem_" + c.name
			e.publish(meta.KindAction, key, `{"title": "x", "input": {}, "script": `+jsonString(`
const c = records.get('coupons', input.coupon);
if (c.status !== 'active') { throw new Error('used'); }
records.update('coupons', c._id, {status: 'used', usedBy: input.r}, `+c.cond+`);
records.create('sales', {receipt: input.r, amount: 100});
return input.r;`)+`}`)
			const n = 100
			var wg sync.WaitGroup
			var mu sync.Mutex
			var winners []string
			for i := range n {
				wg.Go(func() {
					res, err := e.run(e.admin, key, fmt.Sprintf(`{"coupon": %q, "r": "%s-%d"}`, id, c.name, i), Options{})
					if err == nil {
						mu.Lock()
						winners = append(winners, string(res.Output))
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(winners) != 1 {
				t.Fatalf("%d redemptions, want 1", len(winners))
			}
			cur, err := e.rec.Get(e.ctx, e.admin, "shop", "coupons", id)
			if err != nil || cur["status"] != "used" || `"`+str(cur["usedBy"])+`"` != winners[0] {
				t.Fatalf("coupon %v %v, winner %s", cur, err, winners[0])
			}
			sales, err := e.st.Count(e.ctx, form.RecordsCollection("shop", "sales"), receiptPrefix(c.name))
			if err != nil || sales != 1 {
				t.Fatalf("%d sales %v", sales, err)
			}
		})
	}
}

// TestSpecFailures: a script failing before it touched the store is
// answered from its speculation; one failing after its reads and writes
// is confirmed in the writer; neither leaves anything, and both keys stay
// free.
func TestSpecFailures(t *testing.T) {
	e := newEnv(t)
	m := e.member("陈六", "normal")
	e.publish(meta.KindAction, "early", `{"title": "x", "input": {}, "script": "if (!input.ok) { throw new Error('bad input'); } return 1;"}`)
	e.publish(meta.KindAction, "late", `{"title": "x", "input": {}, "script": `+jsonString(`
const m = records.get('members', input.member);
records.create('sales', {receipt: 'L1', member: m._id, amount: 100});
ledger.post({owner: m._id, kind: 'points', unit: 'point', amount: 10, key: 'late1', type: 'earn'});
records.update('members', m._id, {visits: 9});
throw new Error('after writing');`)+`}`)
	_, err := e.run(e.admin, "early", `{}`, Options{IdempotencyKey: "k1"})
	wantCode(t, err, "script.error")
	e.wantStats(map[string]int64{"final": 1})
	_, err = e.run(e.admin, "late", fmt.Sprintf(`{"member": %q}`, m), Options{IdempotencyKey: "k2"})
	wantCode(t, err, "script.error")
	e.wantStats(map[string]int64{"final": 1, "committed": 1})
	if got := e.effects(); got != [4]int64{} {
		t.Fatalf("failed runs left %v", got)
	}
	if mem, _ := e.rec.Get(e.ctx, e.admin, "shop", "members", m); mem["visits"] != nil {
		t.Fatalf("the member's update survived: %v", mem)
	}
	if res, err := e.run(e.admin, "early", `{"ok": true}`, Options{IdempotencyKey: "k1"}); err != nil || res.Replayed {
		t.Fatalf("the key of a failed run: %+v %v", res, err)
	}
}

// storeQueryAll selects every document.
func storeQueryAll() store.Query { return store.Query{} }

// receiptPrefix selects the sales of one test case.
func receiptPrefix(name string) *query.Node {
	return query.Cmp(query.Field{Path: "receipt", Kind: query.KindString}, query.OpStartsWith, query.Str(name+"-"))
}

// TestSpecSameKeyWithoutReads: fifty runs with one key whose script reads
// nothing (so every speculation stays fresh) have one effect: the commits
// after the first fail on the key's insert, roll back and replay the
// first response.
func TestSpecSameKeyWithoutReads(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindAction, "join", `{"title": "x", "input": {}, "script": "return records.create('members', {name: input.name})._id;"}`)
	before := e.count(form.RecordsCollection("shop", "members"), nil)
	const n = 50
	outs := make([]Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			outs[i], errs[i] = e.run(e.admin, "join", `{"name": "林七"}`, Options{IdempotencyKey: "join-1"})
		})
	}
	wg.Wait()
	replayed := 0
	for i := range n {
		if errs[i] != nil || string(outs[i].Output) != string(outs[0].Output) {
			t.Fatalf("run %d: %s %v (run 0: %s)", i, outs[i].Output, errs[i], outs[0].Output)
		}
		if outs[i].Replayed {
			replayed++
		}
	}
	if replayed != n-1 {
		t.Fatalf("%d replays, want %d", replayed, n-1)
	}
	if got := e.count(form.RecordsCollection("shop", "members"), nil); got != before+1 {
		t.Fatalf("%d members, want %d", got, before+1)
	}
	if got := e.effects(); got[2] != 1 || got[3] != 1 {
		t.Fatalf("effects %v", got)
	}
}

// TestSpecFoundThenWritten: a member found by a query, then read by id,
// pointed at by a new record and updated (a checkout's shape), is the
// version the find gave: the speculation commits with it when nothing
// changed, and when the member changes between the speculation and its
// commit the find's verification catches it and the run is done again
// on the new version.
func TestSpecFoundThenWritten(t *testing.T) {
	e := newEnv(t)
	m := e.member("冯五", "gold")
	e.publish(meta.KindAction, "found", `{"title": "x", "input": {}, "script": `+jsonString(`
const mem = records.find('members', {name: '冯五'}, {limit: 1})[0];
const again = records.get('members', mem._id);
const sale = records.create('sales', {receipt: input.r, member: mem._id, amount: 100});
const u = records.update('members', mem._id, {visits: (again.visits || 0) + 1}, {ifVersion: again._version});
return {same: again._version === mem._version, visits: u.visits, v: u._version};`)+`}`)
	res, err := e.run(e.admin, "found", `{"r": "K1"}`, Options{})
	if err != nil || string(res.Output) != `{"same":true,"v":2,"visits":1}` {
		t.Fatalf("first: %s %v", res.Output, err)
	}
	e.wantStats(map[string]int64{"committed": 1, "stale": 0, "diverged": 0, "abandoned": 0})
	e.once(func() {
		if _, err := e.rec.Patch(e.ctx, e.admin, "shop", "members", m, map[string]any{"visits": 10}, 0, form.WriteOptions{}); err != nil {
			t.Error(err)
		}
	})
	res, err = e.run(e.admin, "found", `{"r": "K2"}`, Options{})
	if err != nil || string(res.Output) != `{"same":true,"v":4,"visits":11}` {
		t.Fatalf("after a concurrent change: %s %v", res.Output, err)
	}
	e.wantStats(map[string]int64{"committed": 1, "stale": 1})
	mem, err := e.rec.Get(e.ctx, e.admin, "shop", "members", m)
	if err != nil || str(mem["visits"]) != "11" || str(mem[form.SysVersion]) != "4" {
		t.Fatalf("member %v %v", mem, err)
	}
	if got := e.count(form.RecordsCollection("shop", "sales"), nil); got != 2 {
		t.Fatalf("%d sales", got)
	}
}
