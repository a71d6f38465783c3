package workflow_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/workflow"
)

const guardFlow = `{"title": "额度审批", "form": "upgrades", "initial": "draft",
  "states": [{"key": "draft"}, {"key": "small", "type": "final"}, {"key": "big", "type": "final"}, {"key": "closed", "type": "final"}],
  "transitions": [
    {"trigger": "approve", "from": "draft", "to": "small", "guard": {"filter": {"points": {"$lte": 1000}}}},
    {"trigger": "approve", "from": "draft", "to": "big", "guard": {"formula": "record.points > 1000 && user.positions.includes('hq_admin')"}},
    {"trigger": "close", "from": "draft", "to": "closed", "roles": ["boss"]},
    {"trigger": "check", "from": "draft", "to": "draft", "guard": {"formula": "record.points.nope.deeper > 1"}}
  ]}`

func TestGuardsDecideAndRefuse(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "limits", guardFlow)
	big := e.create(e.clerk, map[string]any{"member": "大额", "points": 5000})
	before := e.record(big)["_version"]

	_, err := e.fire(e.clerk, big, "approve")
	wantCode(t, err, "workflow.guard_failed")
	_, err = e.fire(e.clerk, big, "close")
	wantCode(t, err, "access.forbidden")
	_, err = e.fire(e.clerk, big, "nope")
	wantCode(t, err, "workflow.not_allowed")
	_, err = e.fire(e.clerk, big, "check")
	wantCode(t, err, "workflow.guard_error")
	_, err = e.fire(e.outsider, big, "approve")
	if errs.ClassOf(err) != errs.Forbidden && errs.ClassOf(err) != errs.NotFound {
		t.Errorf("a user without rights: %v", err)
	}
	// Nothing of the refused attempts was written.
	v := e.view(e.clerk, big)
	if v.Started || len(v.Timeline) != 0 || e.record(big)["_version"] != before || e.record(big)["_state"] != nil {
		t.Fatalf("a refused transition left traces: %+v, record %v", v, e.record(big))
	}
	if n := e.events("workflow.transition", big); n != 0 {
		t.Errorf("%d outbox events for refused transitions", n)
	}
	// The clerk is offered nothing for this record (its guards fail); the
	// HQ admin is offered approve, to big.
	if len(v.Transitions) != 0 {
		t.Errorf("clerk offered %+v", v.Transitions)
	}
	hv := e.view(e.hqAdmin, big)
	if len(hv.Transitions) != 1 || hv.Transitions[0].To != "big" {
		t.Errorf("HQ admin offered %+v", hv.Transitions)
	}
	if _, err := e.fire(e.hqAdmin, big, "approve"); err != nil {
		t.Fatal(err)
	}
	if st := e.record(big)["_state"]; st != "big" {
		t.Errorf("state %v, want big", st)
	}
	small := e.create(e.clerk, map[string]any{"member": "小额", "points": 800})
	if _, err := e.fire(e.clerk, small, "approve"); err != nil {
		t.Fatal(err)
	}
	if st := e.record(small)["_state"]; st != "small" {
		t.Errorf("state %v, want small", st)
	}
}

func TestRecordFinishesUnderItsVersion(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "upgrade", upgradeFlow)
	old := e.create(e.clerk, map[string]any{"member": "老流程", "store": e.shop})
	_, err := e.fire(e.clerk, old, "submit")
	e.must(err)
	// Version 2 changes who approves and where approval leads.
	v2 := strings.NewReplacer(
		`{"unit": {"field": "store", "position": "store_manager"}},
       {"unit": {"field": "store", "position": "region_manager", "up": 1}}`, `{"user": "`+e.a.UserID+`"}`,
		`{"key": "approved", "type": "final", "onEnter": [{"type": "record.set", "config": {"values": {"result": "$to"}}}]}`,
		`{"key": "archived", "type": "final", "label": "已归档"}`,
		`"to": "approved"`, `"to": "archived"`).Replace(upgradeFlow)
	if d := e.define(meta.KindFlow, "upgrade", v2); d.Version != 2 {
		t.Fatalf("published version %d", d.Version)
	}
	fresh := e.create(e.clerk, map[string]any{"member": "新流程", "store": e.shop})
	v, err := e.fire(e.clerk, fresh, "submit")
	e.must(err)
	if v.Version != 2 {
		t.Errorf("a record starting now runs under version %d", v.Version)
	}
	if v := e.view(e.clerk, old); v.Version != 1 {
		t.Errorf("the old record moved to version %d", v.Version)
	}
	// The old record's approval still follows version 1: store manager, then region manager.
	for _, p := range []*struct{ name string }{{"store"}, {"region"}} {
		who := e.storeMgr
		if p.name == "region" {
			who = e.regionMgr
		}
		_, err := e.decide(who, e.onlyTask(who).ID, workflow.DecisionApprove)
		e.must(err)
	}
	if rec := e.record(old); rec["_state"] != "approved" || rec["result"] != "approved" || !sameInt(rec["_flowVersion"], 1) {
		t.Errorf("old record ended %v/%v under %v", rec["_state"], rec["result"], rec["_flowVersion"])
	}
	_, err = e.decide(e.a, e.onlyTask(e.a).ID, workflow.DecisionApprove)
	e.must(err)
	if rec := e.record(fresh); rec["_state"] != "archived" || !sameInt(rec["_flowVersion"], 2) {
		t.Errorf("new record ended %v under %v", rec["_state"], rec["_flowVersion"])
	}
}

func sameInt(v any, want int64) bool {
	n, ok := query.ToInt(v)
	return ok && n == want
}

func TestActionStepRunsInTheTransition(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindAction, "grant", `{"title": "发放", "input": {"type": "object", "required": ["id", "tier"],
	  "properties": {"id": {"type": "string"}, "tier": {"type": "string"}}},
	  "script": "records.update('upgrades', input.id, {result: 'granted:' + input.tier}); return {ok: true};"}`)
	e.define(meta.KindAction, "explode", `{"title": "失败", "input": {"type": "object"},
	  "script": "records.update('upgrades', input.id, {result: 'half-done'}); throw new Error('库存不足');"}`)
	e.define(meta.KindFlow, "grants", `{"title": "发放", "form": "upgrades", "initial": "draft",
	  "states": [{"key": "draft"},
	    {"key": "granted", "type": "final", "onEnter": [{"type": "action.run", "config": {"action": "grant", "input": {"id": "$record._id", "tier": "$record.tier"}}}]},
	    {"key": "failed", "type": "final", "onEnter": [{"type": "action.run", "config": {"action": "explode", "input": {"id": "$record._id"}}}]}],
	  "transitions": [{"trigger": "grant", "from": "draft", "to": "granted"}, {"trigger": "fail", "from": "draft", "to": "failed"}]}`)
	id := e.create(e.clerk, map[string]any{"member": "动作", "tier": "gold"})
	_, err := e.fire(e.clerk, id, "fail")
	if err == nil || !strings.Contains(err.Error(), "库存不足") {
		t.Fatalf("err = %v, want the action's error", err)
	}
	if rec := e.record(id); rec["_state"] != nil || rec["result"] != nil {
		t.Fatalf("the failed transition left %v / %v", rec["_state"], rec["result"])
	}
	_, err = e.fire(e.clerk, id, "grant")
	e.must(err)
	if rec := e.record(id); rec["_state"] != "granted" || rec["result"] != "granted:gold" {
		t.Fatalf("after grant: %v / %v", rec["_state"], rec["result"])
	}
}

func TestBadDefinitionsAreRefusedWithPaths(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "upgrade", upgradeFlow)
	e.define(meta.KindForm, "other", `{"title": "其他", "fields": [{"key": "name", "type": "text", "label": "名称"}]}`)
	base := func(states, transitions string) string {
		return `{"title": "x", "form": "other", "initial": "draft", "states": [` + states + `], "transitions": [` + transitions + `]}`
	}
	for name, tc := range map[string]struct {
		spec string
		want map[string]string // path -> code
	}{
		"unreachable": {base(`{"key": "draft"}, {"key": "orphan"}, {"key": "done", "type": "final"}`,
			`{"trigger": "go", "from": "draft", "to": "done"}, {"trigger": "go", "from": "orphan", "to": "done"}`),
			map[string]string{"spec.states[1].key": "flow.unreachable_state"}},
		"cycle without exit": {base(`{"key": "draft"}, {"key": "a"}, {"key": "b"}, {"key": "done", "type": "final"}`,
			`{"trigger": "go", "from": "draft", "to": "a"}, {"trigger": "next", "from": "a", "to": "b"}, {"trigger": "back", "from": "b", "to": "a"}, {"trigger": "end", "from": "draft", "to": "done"}`),
			map[string]string{"spec.states[1].key": "flow.no_exit", "spec.states[2].key": "flow.no_exit"}},
		"guard on unknown field": {base(`{"key": "draft"}, {"key": "done", "type": "final"}`,
			`{"trigger": "go", "from": "draft", "to": "done", "guard": {"filter": {"nope": 1}}}`),
			map[string]string{"spec.transitions[0].guard.filter.nope": "query.unknown_field"}},
		"bad formula": {base(`{"key": "draft"}, {"key": "done", "type": "final"}`,
			`{"trigger": "go", "from": "draft", "to": "done", "guard": {"formula": "record.x >"}}`),
			map[string]string{"spec.transitions[0].guard.formula": "script.syntax"}},
		"approval without reject": {base(`{"key": "draft"}, {"key": "review", "type": "approval", "approval": {"assignees": [{"role": "staff"}]}}, {"key": "done", "type": "final"}`,
			`{"trigger": "submit", "from": "draft", "to": "review"}, {"trigger": "approve", "from": "review", "to": "done"}`),
			map[string]string{"spec.states[1].approval.reject": "flow.missing_trigger"}},
		"unknown step and calendar": {base(`{"key": "draft"}, {"key": "review", "type": "approval", "approval": {"assignees": [{"role": "staff"}]}, "sla": {"hours": 8, "calendar": "mars"}, "onEnter": [{"type": "sms.blast"}]}, {"key": "done", "type": "final"}`,
			`{"trigger": "submit", "from": "draft", "to": "review"}, {"trigger": "approve", "from": "review", "to": "done"}, {"trigger": "reject", "from": "review", "to": "draft"}`),
			map[string]string{"spec.states[1].sla.calendar": "flow.unknown_calendar", "spec.states[1].onEnter[0].type": "flow.unknown_step"}},
		"initial approval": {`{"title": "x", "form": "other", "initial": "review", "states": [{"key": "review", "type": "approval", "approval": {"assignees": [{"role": "staff"}]}}, {"key": "done", "type": "final"}],
			"transitions": [{"trigger": "approve", "from": "review", "to": "done"}, {"trigger": "reject", "from": "review", "to": "done"}]}`,
			map[string]string{"spec.initial": "flow.initial_approval"}},
		"unknown form": {strings.Replace(base(`{"key": "draft"}, {"key": "done", "type": "final"}`, `{"trigger": "go", "from": "draft", "to": "done"}`), `"other"`, `"ghost"`, 1),
			map[string]string{"spec.form": "flow.unknown_form"}},
		"second flow on a form": {strings.Replace(base(`{"key": "draft"}, {"key": "done", "type": "final"}`, `{"trigger": "go", "from": "draft", "to": "done"}`), `"other"`, `"upgrades"`, 1),
			map[string]string{"spec.form": "flow.form_taken"}},
		"assignee field of the wrong type": {base(`{"key": "draft"}, {"key": "review", "type": "approval", "approval": {"assignees": [{"field": "name"}, {"unit": {"field": "ghost", "position": "store_manager"}}]}}, {"key": "done", "type": "final"}`,
			`{"trigger": "submit", "from": "draft", "to": "review"}, {"trigger": "approve", "from": "review", "to": "done"}, {"trigger": "reject", "from": "review", "to": "draft"}`),
			map[string]string{"spec.states[1].approval.assignees[0].field": "flow.field_type", "spec.states[1].approval.assignees[1].unit.field": "flow.unknown_field"}},
		"unit named twice": {base(`{"key": "draft"}, {"key": "review", "type": "approval", "approval": {"assignees": [{"unit": {"position": "store_manager"}}]}}, {"key": "done", "type": "final"}`,
			`{"trigger": "submit", "from": "draft", "to": "review"}, {"trigger": "approve", "from": "review", "to": "done"}, {"trigger": "reject", "from": "review", "to": "draft"}`),
			map[string]string{"spec.states[1].approval.assignees[0].unit": "flow.unit_source"}},
		"record.set of a computed or unknown field": {base(`{"key": "draft"}, {"key": "done", "type": "final", "onEnter": [{"type": "record.set", "config": {"values": {"ghost": 1}}}]}`,
			`{"trigger": "go", "from": "draft", "to": "done"}`),
			map[string]string{"spec.states[1].onEnter[0].config.values.ghost": "flow.unknown_field"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.meta.Create(e.ctx, meta.Definition{Kind: meta.KindFlow, App: "crm", Key: "bad", Spec: json.RawMessage(tc.spec)}, "admin")
			ee, ok := errs.As(err)
			if !ok || ee.Class != errs.Unprocessable {
				t.Fatalf("err = %v, want 422", err)
			}
			got := map[string]string{}
			for _, f := range ee.Fields {
				got[f.Path] = f.Code
			}
			for path, code := range tc.want {
				if got[path] != code {
					t.Errorf("want %s at %s; got %v", code, path, ee.Fields)
				}
			}
		})
	}
	if _, err := e.meta.Get(e.ctx, "crm", meta.KindFlow, "bad"); errs.ClassOf(err) != errs.NotFound {
		t.Errorf("a refused definition was stored: %v", err)
	}
	if !slices.Contains(workflow.StepTypes(), "action.run") {
		t.Errorf("step types %v", workflow.StepTypes())
	}
}
