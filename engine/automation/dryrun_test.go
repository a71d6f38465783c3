package automation_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/store"
)

// testJourney is journey with a record write, an HTTP call and a workflow
// transition added: every kind of step a test run reports.
var testJourney = strings.Replace(journey, `{"id": "later"`,
	`{"id": "touch", "type": "record.update", "config": {"values": {"note": "旅程中"}}},
    {"id": "erp", "type": "http.call", "config": {"method": "POST", "url": "https://erp.example.com/members/{{record._id}}", "body": {"phone": "$record.phone"}}},
    {"id": "later"`, 1)

// snapshot counts everything a run could write.
func (e *env) snapshot() map[string]int64 {
	return map[string]int64{
		"members":     e.count(form.RecordsCollection("crm", "members")),
		"entries":     e.count(ledger.CollEntries),
		"messages":    e.count(automation.CollMessages),
		"assignments": e.count(automation.CollAssignments),
		"runs":        e.count(automation.CollRuns),
		"outbox":      e.count(outbox.Collection),
	}
}

func stepsByID(res *automation.TestResult) map[string]automation.TestStep {
	out := map[string]automation.TestStep{}
	for _, s := range res.Steps {
		out[s.Step] = s
	}
	return out
}

// setUpJourney defines the journey (testJourney) with its rule, a store
// with a clerk, and returns a gold member of the store.
func (e *env) setUpJourney() store.Doc {
	e.t.Helper()
	unit, err := e.auth.CreateUnit(e.ctx, auth.System(), auth.UnitInput{Kind: "store", Name: "南京西路店", Code: "S1"})
	e.must(err)
	_, err = e.auth.CreateUser(e.ctx, auth.System(), auth.UserInput{Username: "clerk1", DisplayName: "店员", Password: "Str0ng-Pass-2026!",
		Memberships: []auth.Membership{{UnitID: unit.ID, Position: "store_clerk"}}})
	e.must(err)
	shop := e.create("stores", map[string]any{"code": "S1", "name": "南京西路店", "region": "east", "orgUnit": unit.ID, "status": "open"})
	e.define(meta.KindRule, "bonus", bonusRule)
	e.define(meta.KindAutomation, "journey", testJourney)
	return e.create("members", map[string]any{"name": "金卡会员", "phone": "13800000001", "tier": "gold", "homeStore": shop["_id"]})
}

func TestTestRunKeepsNothing(t *testing.T) {
	e := newEnv(t)
	gold := e.setUpJourney()
	before := e.snapshot()

	res, err := e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{RecordID: gold["_id"].(string)})
	e.must(err)
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a test run wrote: before %v, after %v", before, after)
	}
	if rec, _ := e.rec.Get(e.ctx, system(), "crm", "members", gold["_id"].(string)); rec["note"] != nil {
		t.Errorf("the record update was kept: %v", rec["note"])
	}
	if !res.Matched || res.Failed != "" || res.Version != 1 {
		t.Fatalf("result %+v", res)
	}
	st := stepsByID(res)
	out := func(id string) string { raw, _ := json.Marshal(st[id].Result); return string(raw) }
	if s := st["credit"]; s.Skipped || s.Error != nil || !strings.Contains(out("credit"), "50") {
		t.Errorf("credit %+v", s)
	}
	if s := st["nobonus"]; !s.Skipped || s.Reason != automation.SkipNotChosen {
		t.Errorf("else branch %+v", s)
	}
	if !strings.Contains(out("touch"), "旅程中") {
		t.Errorf("touch %s", out("touch"))
	}
	if s := st["erp"]; !s.Skipped || s.Reason != automation.SkipOutside ||
		!strings.Contains(out("erp"), "https://erp.example.com/members/"+gold["_id"].(string)) || !strings.Contains(out("erp"), "13800000001") {
		t.Errorf("http call %+v %s", s, out("erp"))
	}
	if !strings.Contains(out("later"), "wouldWaitUntil") || !strings.Contains(out("later"), `"waitSeconds":259200`) {
		t.Errorf("wait %s", out("later"))
	}
	// The split picked one variant; the other's step is not chosen.
	variant := st["ab"].Result.(map[string]any)["variant"]
	chosen, other := "ab_variants0_1", "ab_variants1_1"
	if variant == "b" {
		chosen, other = other, chosen
	}
	if _, ok := st[chosen]; !ok {
		ids := []string{}
		for _, s := range res.Steps {
			ids = append(ids, s.Step)
		}
		t.Fatalf("steps %v", ids)
	}
	if st[chosen].Skipped || !st[other].Skipped {
		t.Errorf("variant %v: %+v / %+v", variant, st[chosen], st[other])
	}
	// The messages are rendered, not sent.
	if !strings.Contains(out("clerk"), "金卡会员 入会三天了（南京西路店）") || !strings.Contains(out("clerk"), "clerk1") {
		t.Errorf("clerk message %s", out("clerk"))
	}
	if st["gift"].Error != nil || !strings.Contains(out("gift"), "balance") {
		t.Errorf("gift %+v %s", st["gift"], out("gift"))
	}

	// A draft: its own steps, the published version untouched.
	draft := strings.Replace(testJourney, "入会三天了", "加入三天啦", 1)
	cur, err := e.meta.Get(e.ctx, "crm", meta.KindAutomation, "journey")
	e.must(err)
	_, err = e.meta.Save(e.ctx, meta.Definition{Kind: meta.KindAutomation, App: "crm", Key: "journey", Spec: json.RawMessage(draft)}, cur.Version, "admin")
	e.must(err)
	d, err := e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{RecordID: gold["_id"].(string), Version: "draft"})
	e.must(err)
	if raw, _ := json.Marshal(stepsByID(d)["clerk"].Result); d.Version != 2 || !strings.Contains(string(raw), "加入三天啦") {
		t.Errorf("draft %d %s", d.Version, raw)
	}
	p, err := e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{RecordID: gold["_id"].(string), Version: "1"})
	e.must(err)
	if p.Version != 1 {
		t.Errorf("version 1 ran %d", p.Version)
	}

	// A hypothetical record; the condition; errors per step.
	e.define(meta.KindAutomation, "fails", `{"title": "坏", "trigger": {"type": "record.created", "config": {"form": "members"}},
	  "condition": {"tier": "gold"},
	  "actions": [{"id": "ok", "type": "record.update", "config": {"values": {"note": "x"}}},
	    {"id": "bad", "type": "action.run", "config": {"action": "give-points", "input": {"member": "$record._id"}}},
	    {"id": "never", "type": "message.send", "config": {"to": "$record.phone", "text": "hi"}}]}`)
	f, err := e.svc.Test(e.ctx, system(), "crm", "fails", automation.TestRequest{RecordID: gold["_id"].(string)})
	e.must(err)
	fs := stepsByID(f)
	if f.Failed != "bad" || fs["bad"].Error == nil || fs["ok"].Error != nil || fs["never"].Reason != automation.SkipAfterError {
		t.Errorf("failing run %+v", f)
	}
	n, err := e.svc.Test(e.ctx, system(), "crm", "fails", automation.TestRequest{Record: map[string]any{"name": "假想", "tier": "normal"}})
	e.must(err)
	if n.Matched || stepsByID(n)["ok"].Reason != automation.SkipCondition {
		t.Errorf("condition: %+v", n)
	}
	if after := e.snapshot(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("test runs wrote: before %v, after %v", before, after)
	}

	// Bad requests.
	_, err = e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{RecordID: "nope"})
	wantCode(t, err, "automation.test_missing")
	_, err = e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{})
	wantCode(t, err, "automation.test_record")
	_, err = e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{RecordID: "x", Record: map[string]any{}})
	wantCode(t, err, "automation.test_target")
	_, err = e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{RecordID: gold["_id"].(string), Version: "newest"})
	wantCode(t, err, "automation.test_version")
}

// TestTestRunOnLungo runs the test run on the Mongo adapter over lungo.
func TestTestRunOnLungo(t *testing.T) {
	t.Setenv("TANGRAM_TEST_AUTOMATION_STORE", "lungo://memory")
	TestTestRunKeepsNothing(t)
}

// TestTestRunsConcurrently: test runs beside each other and beside real
// writes each see their own rolled-back world; only the real writes stay.
func TestTestRunsConcurrently(t *testing.T) {
	e := newEnv(t)
	gold := e.setUpJourney()
	before := e.snapshot()
	const n = 6
	errc := make(chan error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			res, err := e.svc.Test(e.ctx, system(), "crm", "journey", automation.TestRequest{RecordID: gold["_id"].(string)})
			if err == nil && (res.Failed != "" || len(stepsByID(res)["clerk"].Result.(map[string]any)["messages"].([]any)) != 1) {
				err = fmt.Errorf("test run %d: %+v", i, res)
			}
			errc <- err
		}()
		go func() {
			defer wg.Done()
			_, err := e.rec.Create(e.ctx, system(), "crm", "members", map[string]any{"name": fmt.Sprintf("真实%d", i)}, formWrite())
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	after := e.snapshot()
	if after["members"] != before["members"]+n || after["entries"] != before["entries"] || after["messages"] != before["messages"] ||
		after["assignments"] != before["assignments"] || after["runs"] != before["runs"] {
		t.Errorf("before %v, after %v (want only %d members more)", before, after, n)
	}
}
