package automation_test

import (
	"testing"

	"github.com/tangram/tangram/engine/automation"
)

// A test run of the journey (a rule, a branch, a ledger post, an A/B
// split, a record write, a described HTTP call, a wait, an app action, a
// record read and a rendered message) on one member, rolled back: what
// the designer's "test run" button costs the server.
func BenchmarkTestRun(b *testing.B) {
	e := newEnv(b)
	gold := e.setUpJourney()
	req := automation.TestRequest{RecordID: gold["_id"].(string)}
	b.ReportAllocs()
	for b.Loop() {
		res, err := e.svc.Test(e.ctx, system(), "crm", "journey", req)
		if err != nil || res.Failed != "" {
			b.Fatal(err, res.Failed)
		}
	}
}
