package action

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tangram/tangram/engine/ledger"
)

// benchCheckoutScript is a checkout's shape: the member, the points rule,
// points earned and a stored-value payment (two ledger posts), the visit
// counted on the member's version as read (an update with a condition)
// and the sale written.
const benchCheckoutScript = `const m = records.get('members', input.member);
if (!m) { throw new Error('会员不存在'); }
const r = rules.evaluate('points_rate', {tier: m.tier});
const points = Math.floor(input.amount / 100) * r.outputs.rate;
const earn = ledger.post({owner: m._id, kind: 'points', unit: 'point', amount: points,
  key: 'earn:' + input.receiptId, type: 'earn', ref: input.receiptId});
const pay = ledger.post({owner: m._id, kind: 'sv', unit: 'fen', amount: -input.amount,
  key: 'pay:' + input.receiptId, type: 'pay', ref: input.receiptId});
records.update('members', m._id, {visits: (m.visits || 0) + 1}, {ifVersion: m._version});
const sale = records.create('sales', {receipt: input.receiptId, member: m._id, amount: input.amount, points: points});
return {sale: sale._id, points: points, balance: earn.balanceAfter, sv: pay.balanceAfter};`

// benchAction runs the action script src with an Idempotency-Key from 32
// clients over 1,000 members (a third gold), with stored value when fund;
// speculate false keeps every script inside the writer's turn (the
// behaviour before speculation).
func benchAction(b *testing.B, src string, fund, speculate bool) {
	e := newEnv(b)
	e.svc.speculate = e.svc.speculate && speculate
	e.action("bench", src, "")
	const members = 1000
	ids := make([]string, members)
	for i := range ids {
		tier := "normal"
		if i%3 == 0 {
			tier = "gold"
		}
		ids[i] = e.member(fmt.Sprintf("m%d", i), tier)
		if !fund {
			continue
		}
		if _, err := e.led.PostTx(e.ctx, ledger.Posting{App: "shop", Owner: ids[i], Kind: "sv", Unit: ledger.UnitFen,
			Amount: 1_000_000_000, Key: "topup:" + ids[i], Type: "topup"}); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	run := func() error {
		i := n.Add(1)
		r := fmt.Sprintf("R%d", i)
		in, _ := json.Marshal(map[string]any{"receiptId": r, "member": ids[int(i)%members], "amount": 1999})
		_, err := e.svc.Run(e.ctx, e.admin, "shop", "bench", in, Options{IdempotencyKey: r})
		return err
	}
	if err := run(); err != nil { // compile, indexes, caches
		b.Fatal(err)
	}
	c0, r0 := writerStats(e)
	measure(b, benchClients, run)
	e.reportSpec(b)
	if c1, r1 := writerStats(e); c1 > c0 {
		b.ReportMetric(float64(r1-r0)/float64(c1-c0), "tx/commit")
	}
}

// writerStats are the embedded store's group commits and the requests
// they held so far (zeros on other stores).
func writerStats(e *env) (commits, requests int64) {
	if w, ok := e.st.(interface{ WriterStats() (int64, int64) }); ok {
		return w.WriterStats()
	}
	return 0, 0
}

// reportSpec reports how the env's speculations ended, per run.
func (e *env) reportSpec(b *testing.B) {
	if !e.svc.speculate || b.N == 0 {
		return
	}
	per := func(v int64) float64 { return float64(v) / float64(b.N) }
	b.ReportMetric(per(e.svc.spec.stale.Load()), "stale/op")
	b.ReportMetric(per(e.svc.spec.diverged.Load()), "diverged/op")
	b.ReportMetric(per(e.svc.spec.abandoned.Load()), "abandoned/op")
	b.ReportMetric(per(e.svc.spec.turn.Load())/1000, "commit-µs/op")
}
