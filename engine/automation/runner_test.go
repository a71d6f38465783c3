package automation_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

const welcome = `{"title": {"zh-CN": "入会礼", "en": "Welcome"},
  "trigger": {"type": "record.created", "config": {"form": "members"}},
  "condition": {"tier": {"$ne": "diamond"}},
  "actions": [
    {"id": "points", "type": "ledger.post", "config": {"kind": "points", "unit": "point", "amount": 100, "type": "gift", "ref": "welcome"}},
    {"id": "hello", "type": "message.send", "config": {"to": "$record.phone",
      "text": {"zh-CN": "{{record.name}}，欢迎加入！", "en": "Welcome, {{record.name}}!"}}},
    {"id": "note", "type": "record.create", "config": {"form": "notes", "values": {"member": "$record._id", "text": "welcomed {{record.name}} ({{steps.points.amount}} points)"}}}
  ]}`

func TestRecordCreatedRunsEachActionOnce(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindAutomation, "welcome", welcome)
	m1 := e.create("members", map[string]any{"name": "李雷", "phone": "13800000001"})
	m2 := e.create("members", map[string]any{"name": "Lucy", "phone": "13800000002", "lang": "en"})
	m3 := e.create("members", map[string]any{"name": "韩梅梅", "phone": "13800000003", "tier": "diamond"})
	for _, m := range []store.Doc{m1, m2, m3} {
		e.created("members", m)
	}
	res := e.drain()
	if res.Dispatched != 3 || res.Executed != 3 {
		t.Fatalf("tick totals %+v, want 3 dispatched and executed", res)
	}
	byRecord := map[string]*automation.Run{}
	for _, r := range e.runs("welcome") {
		byRecord[r.Record] = r
	}
	if r := byRecord[m3["_id"].(string)]; r == nil || r.Status != automation.RunSkipped {
		t.Fatalf("the diamond member's run: %+v, want skipped by the condition", r)
	}
	r := byRecord[m1["_id"].(string)]
	if r == nil || r.Status != automation.RunDone || len(r.Steps) != 3 {
		t.Fatalf("run %+v, want done with 3 step results", r)
	}
	for id, st := range r.Steps {
		if st.Status != automation.StepOK || st.Key != r.ID+"/"+id {
			t.Errorf("step %s: %+v, want ok with key run/step", id, st)
		}
	}
	if n := e.count(ledger.CollEntries, "type", "gift"); n != 2 {
		t.Errorf("%d gift entries, want 2", n)
	}
	bal, err := e.ledger.Balance(e.ctx, "crm", m1["_id"].(string), "points")
	e.must(err)
	if bal != 100 {
		t.Errorf("balance %d, want 100", bal)
	}
	msgs, err := e.svc.Messages(e.ctx, system(), "crm", automation.MessageQuery{Automation: "welcome"})
	e.must(err)
	texts := map[string]string{}
	for _, m := range msgs.Messages {
		texts[m["to"].(string)] = m["text"].(string)
		if m["status"] != automation.MessageSent || m["channel"] != "outbox" {
			t.Errorf("message %v: want sent through the outbox channel", m)
		}
	}
	if texts["13800000001"] != "李雷，欢迎加入！" || texts["13800000002"] != "Welcome, Lucy!" || len(texts) != 2 {
		t.Errorf("messages %v", texts)
	}
	notes, err := e.st.Find(e.ctx, form.RecordsCollection("crm", "notes"), store.Query{})
	e.must(err)
	if len(notes) != 2 || !strings.HasSuffix(notes[0]["text"].(string), "(100 points)") {
		t.Errorf("notes %v", notes)
	}
	// Nothing is left to do, and doing it again changes nothing.
	if res := e.drain(); res != (automation.TickResult{}) {
		t.Errorf("second drain did %+v", res)
	}
	if n := e.count(automation.CollMessages); n != 2 {
		t.Errorf("%d messages after a second drain", n)
	}
	if n := e.count(outbox.Collection, "status", automation.EventDispatched); n != 3 {
		t.Errorf("%d dispatched events, want 3", n)
	}
}

func TestRecordUpdatedFieldChanges(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindAutomation, "upgraded", `{"title": "升级通知",
	  "trigger": {"type": "record.updated", "config": {"form": "members", "changes": [{"field": "tier", "from": ["normal", "silver"], "to": ["gold", "diamond"]}]}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "{{record.name}}：{{before.tier}} → {{record.tier}}"}}]}`)
	e.define(meta.KindAutomation, "any-change", `{"title": "任一变化",
	  "trigger": {"type": "record.updated", "config": {"form": "members", "fields": ["phone", "note"]}},
	  "actions": [{"type": "message.send", "config": {"to": "audit", "text": "{{changed}}"}}]}`)
	m := e.create("members", map[string]any{"name": "王芳", "phone": "13900000001"})
	id := m["_id"].(string)
	up := func(before, after map[string]any, changed ...any) {
		a := plain(m)
		for k, v := range after {
			a[k] = v
		}
		e.event(outbox.Event{Type: automation.EventRecordUpdated, Form: "members", Record: id,
			Data: map[string]any{"before": before, "after": a, "changed": changed}})
	}
	up(map[string]any{"tier": "silver"}, map[string]any{"tier": "gold"}, "tier")                                         // fires upgraded
	up(map[string]any{"tier": "gold"}, map[string]any{"tier": "diamond"}, "tier")                                        // from does not hold
	up(map[string]any{"tier": "normal"}, map[string]any{"tier": "silver"}, "tier")                                       // to does not hold
	up(map[string]any{"note": "a"}, map[string]any{"note": "b"}, "note")                                                 // fires any-change
	up(map[string]any{"phone": "1", "tier": "normal"}, map[string]any{"phone": "2", "tier": "diamond"}, "phone", "tier") // both
	e.drain()
	if n := len(e.runs("upgraded")); n != 2 {
		t.Errorf("upgraded ran %d times, want 2", n)
	}
	if n := len(e.runs("any-change")); n != 2 {
		t.Errorf("any-change ran %d times, want 2", n)
	}
	msgs, err := e.svc.Messages(e.ctx, system(), "crm", automation.MessageQuery{Automation: "upgraded"})
	e.must(err)
	var texts []string
	for _, m := range msgs.Messages {
		texts = append(texts, m["text"].(string))
	}
	if strings.Join(texts, "|") != "王芳：normal → diamond|王芳：silver → gold" && strings.Join(texts, "|") != "王芳：silver → gold|王芳：normal → diamond" {
		t.Errorf("texts %q", texts)
	}
}

func TestDisabledAndUnpublishedAutomationsDoNotFire(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindAutomation, "off", strings.Replace(welcome, `"trigger"`, `"enabled": false, "trigger"`, 1))
	draft := meta.Definition{Kind: meta.KindAutomation, App: "crm", Key: "draft", Spec: []byte(welcome)}
	_, err := e.meta.Create(e.ctx, draft, "admin")
	e.must(err)
	e.created("members", e.create("members", map[string]any{"name": "甲"}))
	res := e.drain()
	if res.Dispatched != 1 || res.Executed != 0 {
		t.Errorf("tick %+v: the event is dispatched to no automation", res)
	}
	doc, err := e.st.Find(e.ctx, outbox.Collection, store.Query{Filter: query.Eq(query.Field{Path: "type", Kind: query.KindString}, query.Str("record.created"))})
	e.must(err)
	if n, _ := query.ToInt(doc[0]["runs"]); n != 0 || doc[0]["status"] != automation.EventDispatched {
		t.Errorf("event %v", doc[0])
	}
}

// TestRetentionDeletesFinishedWork: finished runs, dispatched events and
// sent messages older than the retention go; dead runs stay.
func TestRetentionDeletesFinishedWork(t *testing.T) {
	e := newEnv(t)
	e.opt.Retention = time.Hour
	e.svc = e.newService()
	e.define(meta.KindAutomation, "welcome", welcome)
	e.define(meta.KindAutomation, "broken", `{"title": "坏", "retry": {"maxAttempts": 1},
	  "trigger": {"type": "record.created", "config": {"form": "members"}},
	  "actions": [{"type": "action.run", "config": {"action": "no-such-action"}}]}`)
	for i := range 3 {
		e.created("members", e.create("members", map[string]any{"name": fmt.Sprintf("甲%d", i), "phone": fmt.Sprint(i)}))
	}
	e.drain()
	if e.count(automation.CollRuns) != 6 || e.count(automation.CollMessages) != 3 || e.count(outbox.Collection) != 3 {
		t.Fatalf("before: %d runs, %d messages, %d events", e.count(automation.CollRuns), e.count(automation.CollMessages), e.count(outbox.Collection))
	}
	e.clk.Add(2 * time.Hour)
	e.drain()
	if e.count(automation.CollRuns) != 3 || e.count(automation.CollRuns, "status", automation.RunDead) != 3 ||
		e.count(automation.CollMessages) != 0 || e.count(outbox.Collection) != 0 {
		t.Errorf("after: %d runs (%d dead), %d messages, %d events", e.count(automation.CollRuns),
			e.count(automation.CollRuns, "status", automation.RunDead), e.count(automation.CollMessages), e.count(outbox.Collection))
	}
}
