package automation_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// TestRecordsServiceWritesEvents: with the engine attached, the records
// service writes the events of the forms automations listen to, with the
// change, through every write path; other forms' writes write none.
func TestRecordsServiceWritesEvents(t *testing.T) {
	e := newEnv(t)
	e.rec.SetEvents(e.svc)
	e.clk.Set(time.Time{}) // the records service stamps events with the real clock
	e.define(meta.KindAutomation, "hello", `{"title": "欢迎", "trigger": {"type": "record.created", "config": {"form": "members"}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "hi {{record.name}}"}}]}`)
	e.define(meta.KindAutomation, "tier", `{"title": "等级", "trigger": {"type": "record.updated", "config": {"form": "members", "changes": [{"field": "tier", "to": "gold"}]}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "{{before.tier}} -> {{record.tier}}"}}]}`)
	e.define(meta.KindAutomation, "bye", `{"title": "注销", "trigger": {"type": "record.deleted", "config": {"form": "members"}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "bye {{record.name}}"}}]}`)

	m, err := e.rec.Create(e.ctx, system(), "crm", "members", map[string]any{"name": "甲", "phone": "13800000001"}, formWrite())
	e.must(err)
	id := m["_id"].(string)
	_, err = e.rec.Patch(e.ctx, system(), "crm", "members", id, map[string]any{"tier": "gold"}, 0, formWrite())
	e.must(err)
	_, err = e.rec.Patch(e.ctx, system(), "crm", "members", id, map[string]any{"note": "x"}, 0, formWrite())
	e.must(err)
	e.must(e.rec.Delete(e.ctx, system(), "crm", "members", id, 0, formWrite()))
	many, err := e.rec.CreateMany(e.ctx, system(), "crm", "members", []map[string]any{{"name": "乙", "phone": "2"}, {"name": "丙", "phone": "3"}}, formWrite())
	e.must(err)
	// A write that fails writes no event; writes marked as history none.
	_, err = e.rec.Create(e.ctx, system(), "crm", "members", map[string]any{"phone": "4"}, formWrite())
	wantCode(t, err, "record.validation")
	_, err = e.rec.Create(form.WithoutEvents(e.ctx), system(), "crm", "members", map[string]any{"name": "旧", "phone": "5"}, formWrite())
	e.must(err)
	// Nobody listens to notes: their writes pay nothing.
	e.create("notes", map[string]any{"text": "n"})
	if n := e.count(outbox.Collection, "form", "notes"); n != 0 {
		t.Errorf("%d events for a form nobody listens to", n)
	}
	for typ, want := range map[string]int64{automation.EventRecordCreated: 3, automation.EventRecordUpdated: 2, automation.EventRecordDeleted: 1} {
		if n := e.count(outbox.Collection, "type", typ); n != want {
			t.Errorf("%d %s events, want %d", n, typ, want)
		}
	}
	e.drain()
	for text, want := range map[string]int64{"hi 甲": 1, "hi 乙": 1, "hi 丙": 1, "normal -> gold": 1, "bye 甲": 1} {
		if n := e.count(automation.CollMessages, "text", text); n != want {
			t.Errorf("%d messages %q, want %d", n, text, want)
		}
	}
	if n := e.count(automation.CollMessages); n != 5 {
		t.Errorf("%d messages, want 5", n)
	}
	_ = many
}

// TestAutomationsCannotFireThemselvesForEver: an automation that updates
// the record whose update fires it stops at MaxChainDepth.
func TestAutomationsCannotFireThemselvesForEver(t *testing.T) {
	e := newEnv(t)
	e.rec.SetEvents(e.svc)
	e.clk.Set(time.Time{}) // the records service stamps events with the real clock
	e.define(meta.KindAutomation, "echo", `{"title": "回声", "trigger": {"type": "record.updated", "config": {"form": "members", "fields": ["note"]}},
	  "actions": [{"type": "record.update", "config": {"values": {"note": "{{record.note}}+"}}}]}`)
	m := e.create("members", map[string]any{"name": "甲"})
	_, err := e.rec.Patch(e.ctx, system(), "crm", "members", m["_id"].(string), map[string]any{"note": "x"}, 0, formWrite())
	e.must(err)
	for range 20 {
		if res := e.drain(); res.Dispatched == 0 {
			break
		}
	}
	runs := e.runs("echo")
	if len(runs) != automation.MaxChainDepth+1 {
		t.Errorf("%d runs, want %d", len(runs), automation.MaxChainDepth+1)
	}
	docs, err := e.st.Find(e.ctx, outbox.Collection, store.Query{Filter: query.Eq(query.Field{Path: "status", Kind: query.KindString}, query.Str(outbox.StatusPending))})
	e.must(err)
	if len(docs) != 0 {
		t.Errorf("%d events left pending", len(docs))
	}
	rec, err := e.rec.Get(e.ctx, system(), "crm", "members", m["_id"].(string))
	e.must(err)
	if want := "x" + fmt.Sprintf("%s", "+++++++++")[:automation.MaxChainDepth+1]; rec["note"] != want {
		t.Errorf("note %q, want %q", rec["note"], want)
	}
}
