package api_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/server/api/apitest"
)

// autoWorld is app "shop" over HTTP with a members form and automations;
// the runner is off, so the test drains it by hand.
type autoWorld struct {
	h   *apitest.Harness
	svc *automation.Service
}

const hookKey = "pos-hook-secret-0123456789"

func autoSetup(t *testing.T) *autoWorld {
	t.Helper()
	t.Setenv("TANGRAM_AUTOMATION_RUNNER", "off")
	h := apitest.New(t)
	w := &autoWorld{h: h, svc: h.Server.Automation()}
	h.Expect(h.Do("POST", "/api/apps/shop/meta/app/shop", map[string]any{"spec": map[string]any{"title": "门店"}}), 201, "")
	w.define("form", "members", map[string]any{"title": "会员", "titleField": "name", "fields": []any{
		map[string]any{"key": "name", "type": "text", "label": "姓名", "required": true},
		map[string]any{"key": "phone", "type": "text", "label": "手机"},
	}})
	w.define("automation", "pos", map[string]any{"title": "POS 积分",
		"trigger": map[string]any{"type": "webhook.inbound", "config": map[string]any{"secret": hookKey,
			"schema": map[string]any{"type": "object", "required": []any{"member", "points"}}}},
		"actions": []any{map[string]any{"id": "points", "type": "ledger.post", "config": map[string]any{"owner": "$payload.member",
			"kind": "points", "unit": "point", "amount": "$payload.points", "type": "earn", "ref": "$payload.receipt"}}}})
	w.define("automation", "sync", map[string]any{"title": "同步", "retry": map[string]any{"maxAttempts": 1},
		"trigger": map[string]any{"type": "manual.button", "config": map[string]any{"form": "members"}},
		"actions": []any{
			map[string]any{"id": "hello", "type": "message.send", "config": map[string]any{"to": "$record.phone", "text": "您好 {{record.name}}"}},
			map[string]any{"id": "erp", "type": "http.call", "config": map[string]any{"url": "http://127.0.0.1:9/members", "retries": 0}}}})
	return w
}

func (w *autoWorld) define(kind, key string, spec any) {
	w.h.T.Helper()
	w.h.Expect(w.h.Do("POST", "/api/apps/shop/meta/"+kind+"/"+key, map[string]any{"spec": spec}), 201, "")
	w.h.Expect(w.h.Do("POST", "/api/apps/shop/meta/"+kind+"/"+key+"/publish", nil), 200, "")
}

func (w *autoWorld) drain() {
	w.h.T.Helper()
	if _, err := w.svc.Drain(w.h.T.Context()); err != nil {
		w.h.T.Fatal(err)
	}
}

// signed is a webhook call signed now.
func signed(body string) []string {
	ts := time.Now().Unix()
	return []string{automation.HeaderTimestamp + ": " + strconv.FormatInt(ts, 10),
		automation.HeaderSignature + ": " + automation.Sign([]byte(hookKey), ts, []byte(body)), "Authorization:"}
}

func TestWebhookOverHTTP(t *testing.T) {
	w := autoSetup(t)
	h := w.h
	body := `{"member": "m1", "points": 30, "receipt": "R-1"}`
	// Refusals: public route, problem+json, nothing written.
	h.Expect(h.Do("POST", "/api/hooks/shop/pos", body, "Authorization:"), 401, "automation.webhook_timestamp")
	bad := signed(body)
	bad[1] = automation.HeaderSignature + ": sha256=00"
	h.Expect(h.Do("POST", "/api/hooks/shop/pos", body, bad...), 401, "automation.webhook_signature")
	h.Expect(h.Do("POST", "/api/hooks/shop/pos", `{"member": "m1"}`, signed(`{"member": "m1"}`)...), 422, "automation.webhook_schema")
	h.Expect(h.Do("POST", "/api/hooks/shop/pos", `nope`, signed(`nope`)...), 400, "automation.webhook_body")
	big := `{"member": "m1", "points": 1, "pad": "` + strings.Repeat("x", 70<<10) + `"}`
	h.Expect(h.Do("POST", "/api/hooks/shop/pos", big, signed(big)...), 413, "automation.webhook_too_large")
	h.Expect(h.Do("POST", "/api/hooks/shop/sync", body, signed(body)...), 404, "automation.not_found")
	h.Expect(h.Do("POST", "/api/hooks/other/pos", body, signed(body)...), 404, "automation.not_found")
	w.drain()
	entries := h.Expect(h.Do("GET", "/api/apps/shop/ledger/entries", nil), 200, "")
	if n := len(entries["items"].([]any)); n != 0 {
		t.Fatalf("%d ledger entries after refused calls", n)
	}
	// A good call, delivered twice.
	hdr := append(signed(body), automation.HeaderDelivery+": pos-R-1")
	first := h.Expect(h.Do("POST", "/api/hooks/shop/pos", body, hdr...), 202, "")
	again := h.Expect(h.Do("POST", "/api/hooks/shop/pos", body, hdr...), 200, "")
	if first["event"] != again["event"] || again["duplicate"] != true {
		t.Errorf("first %v, again %v", first, again)
	}
	w.drain()
	entries = h.Expect(h.Do("GET", "/api/apps/shop/ledger/entries?owner=m1", nil), 200, "")
	items := entries["items"].([]any)
	if len(items) != 1 || fmt.Sprint(items[0].(map[string]any)["amount"]) != "30" {
		t.Fatalf("entries %v", items)
	}
	runs := h.Expect(h.Do("GET", "/api/apps/shop/automation-runs?automation=pos", nil), 200, "")["runs"].([]any)
	if len(runs) != 1 || runs[0].(map[string]any)["status"] != automation.RunDone {
		t.Errorf("runs %v", runs)
	}
}

func TestRunsDeadLettersAndManualOverHTTP(t *testing.T) {
	w := autoSetup(t)
	h := w.h
	m := h.Expect(h.Do("POST", "/api/apps/shop/forms/members/records", map[string]any{"name": "李雷", "phone": "13800000001"}), 201, "")
	id := m["_id"].(string)
	// Bad bodies and targets first.
	h.Expect(h.Do("POST", "/api/apps/shop/automations/sync/trigger", `{"records": [`), 400, "request.malformed")
	h.Expect(h.Do("POST", "/api/apps/shop/automations/sync/trigger", map[string]any{"records": []any{id}, "extra": 1}), 400, "request.unknown_field")
	p := h.Expect(h.Do("POST", "/api/apps/shop/automations/sync/trigger", map[string]any{"records": []any{id, "ghost"}}), 422, "automation.record_not_found")
	if errs := p["errors"].([]any); errs[0].(map[string]any)["path"] != "records[1]" {
		t.Errorf("problem %v", p)
	}
	h.Expect(h.Do("POST", "/api/apps/shop/automations/pos/trigger", map[string]any{"records": []any{id}}), 409, "automation.not_manual")
	h.Expect(h.Do("POST", "/api/apps/shop/automations/sync/trigger", map[string]any{"records": []any{id}}), 202, "")
	w.drain()
	// The HTTP call to a private address fails its only attempt.
	dead := h.Expect(h.Do("GET", "/api/apps/shop/dead-letters", nil), 200, "")["runs"].([]any)
	if len(dead) != 1 {
		t.Fatalf("dead letters %v", dead)
	}
	run := dead[0].(map[string]any)
	if e := run["error"].(map[string]any); e["code"] != "automation.http_blocked" || e["step"] != "erp" {
		t.Errorf("error %v", e)
	}
	got := h.Expect(h.Do("GET", "/api/apps/shop/automation-runs/"+run["id"].(string), nil), 200, "")
	steps := got["steps"].(map[string]any)
	if steps["hello"].(map[string]any)["status"] != automation.StepOK || steps["erp"].(map[string]any)["status"] != automation.StepFailed {
		t.Errorf("steps %v", steps)
	}
	msgs := h.Expect(h.Do("GET", "/api/apps/shop/automation-messages?automation=sync", nil), 200, "")["messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["text"] != "您好 李雷" {
		t.Errorf("messages %v", msgs)
	}
	h.Expect(h.Do("GET", "/api/apps/shop/automation-runs?status=exploded", nil), 400, "automation.bad_status")
	h.Expect(h.Do("GET", "/api/apps/shop/automation-runs?cursor=%%%", nil), 400, "automation.bad_cursor")
	h.Expect(h.Do("GET", "/api/apps/shop/automation-runs?limit=100000", nil), 400, "request.query")
	h.Expect(h.Do("GET", "/api/apps/shop/automation-runs/nope", nil), 404, "automation.run_not_found")

	// Someone without rights sees nothing and replays nothing.
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "guest", "displayName": "guest", "password": apitest.AdminPassword}), 201, "")
	guest := h.As(h.Login("guest", apitest.AdminPassword))
	guest.Expect(guest.Do("GET", "/api/apps/shop/dead-letters", nil), 403, "access.forbidden")
	guest.Expect(guest.Do("GET", "/api/apps/shop/automation-runs", nil), 403, "access.forbidden")
	guest.Expect(guest.Do("POST", "/api/apps/shop/automation-runs/"+run["id"].(string)+"/replay", nil), 403, "access.forbidden")
	guest.Expect(guest.Do("POST", "/api/apps/shop/automations/sync/trigger", map[string]any{"records": []any{id}}), 403, "access.forbidden")
	h.As("").Expect(h.As("").Do("GET", "/api/apps/shop/dead-letters", nil), 401, "")

	// Replay: the message is not sent again; the call fails again (still
	// private), so the run is dead again with two failures counted.
	h.Expect(h.Do("POST", "/api/apps/shop/automation-runs/"+run["id"].(string)+"/replay", nil), 200, "")
	h.Expect(h.Do("POST", "/api/apps/shop/automation-runs/"+run["id"].(string)+"/replay", nil), 409, "automation.not_dead")
	w.drain()
	msgs = h.Expect(h.Do("GET", "/api/apps/shop/automation-messages?automation=sync", nil), 200, "")["messages"].([]any)
	if len(msgs) != 1 {
		t.Errorf("%d messages after replay, want the first one only", len(msgs))
	}
	got = h.Expect(h.Do("GET", "/api/apps/shop/automation-runs/"+run["id"].(string), nil), 200, "")
	if got["status"] != automation.RunDead {
		t.Errorf("after replay %v", got["status"])
	}
	ext := h.Expect(h.Do("GET", "/api/automation/extensions", nil), 200, "")
	if len(ext["triggers"].([]any)) < 8 || len(ext["actions"].([]any)) < 15 || fmt.Sprint(ext["channels"]) != "[outbox]" {
		t.Errorf("extensions %v", ext["channels"])
	}
	h.Expect(h.Do("GET", "/api/apps/shop/store-tasks/progress", nil), 404, "")
}

// TestCRMAutomationsOverHTTP: the retail template's automations fire from
// real writes: registering a member (the register-member action) issues
// the welcome coupon and, with consent, a welcome message; an HQ edit of
// the tier sends the tier notice with the tiers' labels.
func TestCRMAutomationsOverHTTP(t *testing.T) {
	t.Setenv("TANGRAM_AUTOMATION_RUNNER", "off")
	c := newCRM(t)
	au := c.h.Server.Automation()
	drain := func() {
		if _, err := au.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	c.create("coupon-templates", map[string]any{"name": "新人礼 满30减10", "type": "amount", "value": "10", "minSpend": "30", "validDays": 30, "status": "active"})
	out := c.ok("register-member", map[string]any{"phone": "13812345678", "name": "韩梅梅", "homeStore": "S0001", "consent": true})
	id := jsonStr(out["member"].(map[string]any), "id")
	drain()
	coupons := c.find("coupons", map[string]any{"member": id})
	if len(coupons) != 1 || coupons[0]["status"] != "issued" {
		t.Fatalf("coupons of the new member: %v", coupons)
	}
	// Registering again is a lookup, not a creation: no second coupon.
	c.ok("register-member", map[string]any{"phone": "13812345678", "name": "韩梅梅"})
	drain()
	if n := len(c.find("coupons", map[string]any{"member": id})); n != 1 {
		t.Errorf("%d coupons after registering twice", n)
	}
	c.h.Expect(c.h.Do("PATCH", "/api/apps/crm/forms/members/records/"+id, map[string]any{"tier": "gold"}), 200, "")
	drain()
	msgs := c.h.Expect(c.h.Do("GET", "/api/apps/crm/automation-messages?limit=10", nil), 200, "")["messages"].([]any)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.(map[string]any)["text"].(string))
	}
	want := "韩梅梅，您的会员等级已由普通变更为金卡。|韩梅梅，欢迎加入会员！新人礼券（满30减10）已放入您的账户，30 天内有效。"
	if strings.Join(texts, "|") != want {
		t.Errorf("messages %q", texts)
	}
}
