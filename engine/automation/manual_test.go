package automation_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
)

const careRole = `{"title": "客服", "permissions": [
  {"kind": "form", "key": "members", "actions": ["read"], "scope": {"tier": "gold"}},
  {"kind": "automation", "key": "care", "actions": ["run"]}
]}`

func TestManualTrigger(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindRole, "care", careRole)
	e.define(meta.KindAutomation, "care", `{"title": "关怀券", "trigger": {"type": "manual.button", "config": {"form": "members", "maxRecords": 5,
	  "label": {"zh-CN": "发关怀消息", "en": "Send care"}}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "{{payload.note}}：{{record.name}}"}}]}`)
	e.define(meta.KindAutomation, "other", `{"title": "其他", "trigger": {"type": "manual.button", "config": {"form": "members"}},
	  "actions": [{"type": "message.send", "config": {"to": "x", "text": "x"}}]}`)
	var gold, normal []string
	for i := range 6 {
		tier := "gold"
		if i >= 4 {
			tier = "normal"
		}
		id := e.create("members", map[string]any{"name": fmt.Sprintf("会员%d", i), "phone": fmt.Sprintf("139%08d", i), "tier": tier})["_id"].(string)
		if tier == "gold" {
			gold = append(gold, id)
		} else {
			normal = append(normal, id)
		}
	}
	u, err := e.auth.CreateUser(e.ctx, auth.System(), auth.UserInput{Username: "care1", DisplayName: "客服", Password: "Str0ng-Pass-2026!",
		Roles: []auth.RoleRef{{App: "crm", Role: "care"}}})
	e.must(err)
	p := &auth.Principal{UserID: u.ID, Username: u.Username, Roles: u.Roles}

	// Not the run right on "other"; a record outside the caller's scope; a
	// selection over the limit; neither records nor view: refused, nothing
	// written.
	_, err = e.svc.Trigger(e.ctx, p, "crm", "other", automation.ManualRequest{Records: gold[:1]})
	wantCode(t, err, "access.forbidden")
	_, err = e.svc.Trigger(e.ctx, p, "crm", "care", automation.ManualRequest{Records: []string{gold[0], normal[0]}})
	if got := fmt.Sprint(paths(err)); got != "[records[1] automation.record_not_found]" {
		t.Errorf("out-of-scope record: %v", err)
	}
	_, err = e.svc.Trigger(e.ctx, p, "crm", "care", automation.ManualRequest{})
	wantCode(t, err, "automation.manual_target")
	_, err = e.svc.Trigger(e.ctx, system(), "crm", "care", automation.ManualRequest{View: "-", Filter: json.RawMessage(`{}`)})
	if err == nil {
		t.Error("an unknown view was accepted")
	}
	_, err = e.svc.Trigger(e.ctx, system(), "crm", "care", automation.ManualRequest{Records: append(append([]string{}, gold...), normal...)})
	wantCode(t, err, "automation.too_many_records")
	if n := e.count(outbox.Collection); n != 0 {
		t.Fatalf("%d events written by refused triggers", n)
	}

	// A selection the caller may read, and "all matching" (scoped).
	res, err := e.svc.Trigger(e.ctx, p, "crm", "care", automation.ManualRequest{Records: gold[:2], Input: map[string]any{"note": "生日快乐"}})
	e.must(err)
	if res.Events != 2 {
		t.Errorf("events %d", res.Events)
	}
	// "All matching" a view and a filter, within the caller's scope: the
	// normal members stay out whatever the filter says.
	e.define(meta.KindView, "named", `{"title": "按姓名", "form": "members", "type": "table", "columns": [{"field": "name"}],
	  "filter": {"name": {"$startsWith": "会员"}}}`)
	res, err = e.svc.Trigger(e.ctx, p, "crm", "care", automation.ManualRequest{View: "named",
		Filter: json.RawMessage(`{"phone": {"$gte": "13900000002"}}`), Input: map[string]any{"note": "回访"}})
	e.must(err)
	if res.Events != 2 {
		t.Errorf("view selection: %d events, want the 2 gold members matching", res.Events)
	}
	e.drain()
	for text, want := range map[string]int64{"生日快乐：会员0": 1, "生日快乐：会员1": 1, "回访：会员2": 1, "回访：会员3": 1} {
		if n := e.count(automation.CollMessages, "text", text); n != want {
			t.Errorf("%d messages %q", n, text)
		}
	}
	runs, err := e.svc.Runs(e.ctx, system(), "crm", automation.RunQuery{Automation: "care", Status: automation.RunDone})
	e.must(err)
	if len(runs.Runs) != 4 || runs.Runs[0].Actor != u.ID {
		t.Errorf("runs %d, actor %q", len(runs.Runs), runs.Runs[0].Actor)
	}
}
