package automation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// pointsAndMessage is an automation with two effects per event: a ledger
// entry and a message.
const pointsAndMessage = `{"title": "积分加消息",
  "trigger": {"type": "record.created", "config": {"form": "members"}},
  "actions": [
    {"id": "points", "type": "ledger.post", "config": {"kind": "points", "unit": "point", "amount": 10, "type": "gift"}},
    {"id": "msg", "type": "message.send", "config": {"to": "$record.phone", "text": "+10 {{record.name}}"}}
  ]}`

// writeEvents writes n record.created events of synthetic members, 500 per
// transaction.
func (e *env) writeEvents(n int) {
	e.t.Helper()
	for done := 0; done < n; {
		k := min(500, n-done)
		e.must(e.st.Tx(e.ctx, func(tx store.Ops) error {
			for i := done; i < done+k; i++ {
				id := fmt.Sprintf("m%06d", i)
				_, err := outbox.Write(e.ctx, tx, outbox.Event{Type: automation.EventRecordCreated, App: "crm", Form: "members", Record: id,
					Actor: "system", At: e.clk.Now(), Data: map[string]any{"after": map[string]any{"_id": id, "name": "会员" + id, "phone": "139" + id[1:]}}})
				if err != nil {
					return err
				}
			}
			return nil
		}))
		done += k
	}
}

// TestExactlyOnceAcrossRunners: three runners on one store process the
// same events at once, a fourth is killed in the middle of its work; every
// effect is applied exactly once.
func TestExactlyOnceAcrossRunners(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	exactlyOnce(t, newEnv(t), n)
}

func TestExactlyOnceOnLungo(t *testing.T) {
	exactlyOnce(t, newEnvOn(t, "lungo://memory"), 120)
}

func exactlyOnce(t *testing.T, e *env, n int) {
	e.define(meta.KindAutomation, "gift", pointsAndMessage)
	e.writeEvents(n)

	// The doomed runner starts alone and is stopped once it has done part
	// of the work: its claims stay behind with their leases.
	doomed := e.newService(automation.Options{Workers: 4, Batch: 50, LeaseTTL: 30 * time.Second, Retention: -1})
	ctx, kill := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); doomed.Run(ctx) }()
	for e.count(ledger.CollEntries) < int64(min(n/10, 40)) {
		time.Sleep(time.Millisecond)
	}
	kill()
	<-done

	runners := []*automation.Service{e.newService(), e.newService(), e.newService()}
	stranded := e.count(automation.CollRuns, "holder", doomed.Holder())
	e.tickAll(runners)
	// What the doomed runner held stays with it until its leases end...
	if left := int64(n) - e.count(automation.CollRuns, "status", automation.RunDone); left != stranded {
		t.Errorf("%d runs left after the live runners drained, want the %d the killed runner held", left, stranded)
	}
	// ...and then the others take it over.
	e.clk.Add(31 * time.Second)
	e.tickAll(runners)
	t.Logf("%d events; the killed runner left %d runs behind", n, stranded)

	if got := e.count(automation.CollRuns, "status", automation.RunDone); got != int64(n) {
		t.Fatalf("%d runs done, want %d (statuses: %v)", got, n, statuses(e))
	}
	entries, err := e.st.Count(e.ctx, ledger.CollEntries, nil)
	e.must(err)
	msgs, err := e.st.Count(e.ctx, automation.CollMessages, nil)
	e.must(err)
	if entries != int64(n) || msgs != int64(n) {
		t.Fatalf("%d ledger entries and %d messages for %d events: want exactly one of each per event", entries, msgs, n)
	}
	// One entry per member, each of 10 points.
	for _, id := range []string{"m000000", fmt.Sprintf("m%06d", n/2), fmt.Sprintf("m%06d", n-1)} {
		bal, err := e.ledger.Balance(e.ctx, "crm", id, "points")
		e.must(err)
		if bal != 10 {
			t.Errorf("%s has %d points, want 10", id, bal)
		}
	}
	if pending := e.count(outbox.Collection, "status", outbox.StatusPending); pending != 0 {
		t.Errorf("%d events still pending", pending)
	}
}

func statuses(e *env) map[string]int64 {
	out := map[string]int64{}
	for _, s := range []string{automation.RunPending, automation.RunRunning, automation.RunRetry, automation.RunDead, automation.RunDone} {
		n, _ := e.st.Count(e.ctx, automation.CollRuns, query.Eq(query.Field{Path: "status", Kind: query.KindString}, query.Str(s)))
		out[s] = n
	}
	return out
}
