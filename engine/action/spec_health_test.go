package action

import (
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/ledger"
)

// An action whose speculations keep being wasted runs inside the writer,
// probing one run in specProbe, and speculates again once the probes
// commit.
func TestSpecHealth(t *testing.T) {
	var h specHealth
	if !h.try() {
		t.Fatal("a new action does not speculate")
	}
	h.record(true) // one wasted speculation among committed ones is no reason to stop
	for range 20 {
		h.record(false)
	}
	if !h.try() {
		t.Fatal("an action with an occasional wasted speculation stopped speculating")
	}
	for range 6 {
		h.record(true)
	}
	tries := 0
	for range 3 * specProbe {
		if h.try() {
			tries++
		}
	}
	if tries != 3 {
		t.Fatalf("after six wasted speculations %d runs of %d speculated, want one probe in %d", tries, 3*specProbe, specProbe)
	}
	for range 6 {
		h.record(false) // the probes committed
	}
	if !h.try() || !h.try() {
		t.Fatal("an action whose probes commit does not speculate again")
	}
}

// TestSpecWastedRunsInWriter: every checkout's speculation is made to
// diverge (another posting moves the points account before its commit);
// after a few the action stops speculating and runs inside the writer,
// with the same, exact results.
func TestSpecWastedRunsInWriter(t *testing.T) {
	e := newEnv(t)
	if !e.svc.speculate {
		t.Skip("runs speculate on the embedded store only")
	}
	m := e.member("郑三", "normal")
	if _, err := e.checkout("W0", m, 1000); err != nil { // creates the account
		t.Fatal(err)
	}
	var gifts int
	e.svc.afterSpeculate = func() {
		gifts++
		if _, err := e.led.PostTx(e.ctx, ledger.Posting{App: "shop", Owner: m, Kind: "points", Unit: ledger.UnitPoint, Amount: 100,
			Key: fmt.Sprintf("gift%d", gifts), Type: "adjust"}); err != nil {
			t.Error(err)
		}
	}
	const runs = 20
	for i := 1; i <= runs; i++ {
		out, err := e.checkout(fmt.Sprintf("W%d", i), m, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint(10*(i+1) + 100*gifts); str(out["balance"]) != want {
			t.Fatalf("run %d: balance %v, want %s", i, out["balance"], want)
		}
	}
	// Six wasted speculations make the action run inside the writer; the
	// probes (one run in 32) are beyond these 20 runs.
	if gifts != 6 || e.svc.spec.skipped.Load() != runs-6 {
		t.Fatalf("%d speculations, %d runs inside the writer; want 6 and %d", gifts, e.svc.spec.skipped.Load(), runs-6)
	}
	e.reconciled()
}
