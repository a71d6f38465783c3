package automation_test

import (
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/meta"
)

// A test run of the journey (a rule, a branch, a ledger post, an A/B
// split, a record write, a described HTTP call, a wait, an app action, a
// record read and a rendered message) on one member, rolled back: what
// the designer's "test run" button costs the server.
func BenchmarkTestRun(b *testing.B) {
	e := newEnv(b)
	unit, err := e.auth.CreateUnit(e.ctx, auth.System(), auth.UnitInput{Kind: "store", Name: "南京西路店", Code: "S1"})
	e.must(err)
	shop := e.create("stores", map[string]any{"code": "S1", "name": "南京西路店", "region": "east", "orgUnit": unit.ID, "status": "open"})
	e.define(meta.KindRule, "bonus", bonusRule)
	e.define(meta.KindAutomation, "journey", testJourney)
	gold := e.create("members", map[string]any{"name": "金卡会员", "phone": "13800000001", "tier": "gold", "homeStore": shop["_id"]})
	req := automation.TestRequest{RecordID: gold["_id"].(string)}
	b.ReportAllocs()
	for b.Loop() {
		res, err := e.svc.Test(e.ctx, system(), "crm", "journey", req)
		if err != nil || res.Failed != "" {
			b.Fatal(err, res.Failed)
		}
	}
}
