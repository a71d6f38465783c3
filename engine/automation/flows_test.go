package automation_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

const bonusRule = `{"title": "入会积分", "hitPolicy": "first",
  "inputs": [{"key": "tier", "type": "string"}],
  "outputs": [{"key": "points", "type": "int", "default": 0}],
  "rows": [{"when": {"tier": "gold"}, "then": {"points": 50}}]}`

const journey = `{"title": "新会员旅程",
  "trigger": {"type": "record.created", "config": {"form": "members"}},
  "actions": [
    {"id": "rule", "type": "rule.evaluate", "config": {"rule": "bonus", "inputs": {"tier": "$record.tier"}}},
    {"id": "bonus", "type": "flow.branch", "config": {"value": "$steps.rule.outputs.points", "test": {"$gt": 0},
      "then": [{"id": "credit", "type": "ledger.post", "config": {"kind": "points", "unit": "point", "amount": "$steps.rule.outputs.points", "type": "bonus"}}],
      "else": [{"id": "nobonus", "type": "message.send", "config": {"to": "$record.phone", "text": "普通会员"}}]}},
    {"id": "ab", "type": "flow.split", "config": {"variants": [
      {"key": "a", "weight": 50, "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "A"}}]},
      {"key": "b", "weight": 50, "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "B"}}]}]}},
    {"id": "later", "type": "flow.wait", "config": {"days": 3}},
    {"id": "gift", "type": "action.run", "config": {"action": "give-points", "input": {"member": "$record._id", "points": 7}}},
    {"id": "store", "type": "record.get", "config": {"form": "stores", "id": "$record.homeStore"}},
    {"id": "clerk", "type": "message.send", "config": {"toStaff": {"unit": "$steps.store.orgUnit", "position": "store_clerk"},
      "text": "{{record.name}} 入会三天了（{{steps.store.name}}）"}}
  ]}`

func TestBranchSplitWaitAndFriends(t *testing.T) {
	e := newEnv(t)
	unit, err := e.auth.CreateUnit(e.ctx, auth.System(), auth.UnitInput{Kind: "store", Name: "南京西路店", Code: "S1"})
	e.must(err)
	_, err = e.auth.CreateUser(e.ctx, auth.System(), auth.UserInput{Username: "clerk1", DisplayName: "店员", Password: "Str0ng-Pass-2026!",
		Memberships: []auth.Membership{{UnitID: unit.ID, Position: "store_clerk"}}})
	e.must(err)
	shop := e.create("stores", map[string]any{"code": "S1", "name": "南京西路店", "region": "east", "orgUnit": unit.ID, "status": "open"})
	e.define(meta.KindRule, "bonus", bonusRule)
	e.define(meta.KindAutomation, "journey", journey)
	var ids []string
	for i := range 20 {
		tier := "normal"
		if i%2 == 0 {
			tier = "gold"
		}
		m := e.create("members", map[string]any{"name": fmt.Sprintf("会员%02d", i), "phone": fmt.Sprintf("1380000%04d", i), "tier": tier, "homeStore": shop["_id"]})
		ids = append(ids, m["_id"].(string))
		e.created("members", m)
	}
	e.drain()
	for _, r := range e.runs("journey") {
		if r.Status != automation.RunWaiting || r.Steps["later"].Status != automation.StepOK {
			t.Fatalf("run %s: %s %+v, want waiting after flow.wait", r.ID, r.Status, r.Error)
		}
	}
	if n := e.count(ledger.CollEntries, "type", "bonus"); n != 10 {
		t.Errorf("%d bonus entries, want 10 (gold members)", n)
	}
	if n := e.count(automation.CollMessages, "text", "普通会员"); n != 10 {
		t.Errorf("%d else-branch messages, want 10", n)
	}
	a, b := e.count(automation.CollMessages, "text", "A"), e.count(automation.CollMessages, "text", "B")
	vc, err := e.svc.Variants(e.ctx, system(), "crm", "journey")
	e.must(err)
	if a+b != 20 || a == 0 || b == 0 || len(vc) != 2 || vc[0].Count != a || vc[1].Count != b {
		t.Errorf("A %d, B %d, report %+v", a, b, vc)
	}
	// Three days later the runs go on, on any runner.
	e.clk.Add(72*time.Hour + time.Minute)
	e.drain(e.newService())
	for _, r := range e.runs("journey") {
		if r.Status != automation.RunDone {
			t.Fatalf("run %s: %s %+v", r.ID, r.Status, r.Error)
		}
	}
	if n := e.count(ledger.CollEntries, "type", "gift"); n != 20 {
		t.Errorf("%d gift entries, want 20", n)
	}
	if n := e.count(automation.CollMessages, "to", "clerk1"); n != 20 {
		t.Errorf("%d messages to the clerk, want 20", n)
	}
	// A member keeps its variant when the automation runs for it again.
	first := e.runs("journey")[0]
	before := first.Steps["ab"].Output.(map[string]any)["variant"]
	doc, err := e.rec.Get(e.ctx, system(), "crm", "members", first.Record)
	e.must(err)
	e.created("members", doc)
	e.drain()
	var again *automation.Run
	for _, r := range e.runs("journey") {
		if r.Record == first.Record && r.ID != first.ID {
			again = r
		}
	}
	if again == nil {
		t.Fatal("no second run")
	}
	out := again.Steps["ab"].Output.(map[string]any)
	if out["variant"] != before || out["assigned"] != false {
		t.Errorf("second run's split %v, first %v", out, before)
	}
}

const notesFlow = `{"title": "备注审核", "form": "notes", "initial": "draft",
  "states": [{"key": "draft"}, {"key": "review"}, {"key": "done", "type": "final"}],
  "transitions": [{"trigger": "submit", "from": "draft", "to": "review"}, {"trigger": "approve", "from": "review", "to": "done"}]}`

func TestWorkflowTriggerAndActions(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "notes-flow", notesFlow)
	e.define(meta.KindAutomation, "auto-submit", `{"title": "自动提交",
	  "trigger": {"type": "record.created", "config": {"form": "notes"}},
	  "actions": [{"id": "start", "type": "workflow.start", "config": {"trigger": "submit", "comment": "自动提交"}}]}`)
	e.define(meta.KindAutomation, "on-review", `{"title": "进入审核",
	  "trigger": {"type": "workflow.state_entered", "config": {"form": "notes", "state": "review"}},
	  "actions": [
	    {"id": "tell", "type": "message.send", "config": {"to": "reviewer", "text": "{{record.text}} 待审核"}},
	    {"id": "approve", "type": "workflow.fire", "config": {"trigger": "approve"}}]}`)
	note := e.create("notes", map[string]any{"text": "第一条"})
	id := note["_id"].(string)
	e.created("notes", note)
	e.drain()
	v, err := e.wf.View(e.ctx, system(), "crm", "notes", id)
	e.must(err)
	if v.State != "done" || len(v.Timeline) != 2 {
		t.Fatalf("workflow %s with %d entries, want done after submit and approve", v.State, len(v.Timeline))
	}
	if n := e.count(automation.CollMessages, "text", "第一条 待审核"); n != 1 {
		t.Errorf("%d messages", n)
	}
	// A runner that fired the transition but died before recording it:
	// the run is retried from that action, which finds its mark in the
	// timeline and does not fire again.
	r := e.runs("on-review")[0]
	_, err = e.st.Update(e.ctx, automation.CollRuns, r.ID, store.Patch{Set: map[string]any{"pc": 1, "status": automation.RunRetry,
		"due": query.FormatTime(e.clk.Now())}, Unset: []string{"steps.approve"}}, nil)
	e.must(err)
	e.drain()
	got, err := e.svc.GetRun(e.ctx, system(), "crm", r.ID)
	e.must(err)
	if got.Status != automation.RunDone || got.Steps["approve"].Output.(map[string]any)["repeated"] != true {
		t.Fatalf("retried run %+v", got)
	}
	v, err = e.wf.View(e.ctx, system(), "crm", "notes", id)
	e.must(err)
	if len(v.Timeline) != 2 {
		t.Errorf("%d timeline entries after the retry, want 2", len(v.Timeline))
	}
	if n := e.count(outbox.Collection, "type", automation.EventWorkflowTransition); n != 2 {
		t.Errorf("%d transition events", n)
	}
}
