package automation_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
)

const hookSecret = "pos-hook-secret-0123456789"

const posHook = `{"title": "POS 回调",
  "trigger": {"type": "webhook.inbound", "config": {"secret": "` + hookSecret + `",
    "schema": {"type": "object", "required": ["receiptId", "points"], "properties": {"receiptId": {"type": "string"}, "points": {"type": "integer", "minimum": 1}}}}},
  "actions": [{"id": "points", "type": "ledger.post", "config": {"owner": "$payload.member", "kind": "points", "unit": "point", "amount": "$payload.points", "type": "gift", "ref": "$payload.receiptId"}}]}`

// hook calls the webhook endpoint's engine side.
func (e *env) hook(key string, body string, headers map[string]string) (automation.WebhookResult, error) {
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	return e.svc.Webhook(e.ctx, automation.WebhookRequest{App: "crm", Automation: key, Body: []byte(body), Header: h.Get, Lang: "en"})
}

func (e *env) signed(body string, skew int64) map[string]string {
	ts := e.clk.Now().Unix() + skew
	return map[string]string{automation.HeaderTimestamp: strconv.FormatInt(ts, 10),
		automation.HeaderSignature: automation.Sign([]byte(hookSecret), ts, []byte(body))}
}

func TestWebhookVerification(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindAutomation, "pos", posHook)
	good := `{"receiptId": "R1", "points": 20, "member": "m1"}`
	for _, c := range []struct {
		name    string
		body    string
		headers map[string]string
		class   errs.Class
		code    string
	}{
		{"no signature", good, nil, errs.Unauthorized, "automation.webhook_timestamp"},
		{"stale timestamp", good, e.signed(good, -600), errs.Unauthorized, "automation.webhook_timestamp"},
		{"wrong secret", good, map[string]string{automation.HeaderTimestamp: fmt.Sprint(e.clk.Now().Unix()),
			automation.HeaderSignature: automation.Sign([]byte("another-secret-0123456789"), e.clk.Now().Unix(), []byte(good))}, errs.Unauthorized, "automation.webhook_signature"},
		{"body changed", `{"receiptId": "R1", "points": 2000, "member": "m1"}`, e.signed(good, 0), errs.Unauthorized, "automation.webhook_signature"},
		{"not JSON", `{"receiptId"`, e.signed(`{"receiptId"`, 0), errs.Invalid, "automation.webhook_body"},
		{"not an object", `[1]`, e.signed(`[1]`, 0), errs.Invalid, "automation.webhook_body"},
		{"schema", `{"receiptId": 7}`, e.signed(`{"receiptId": 7}`, 0), errs.Unprocessable, "automation.webhook_schema"},
	} {
		_, err := e.hook("pos", c.body, c.headers)
		if ee := wantCode(t, err, c.code); ee.Class != c.class {
			t.Errorf("%s: class %v, want %v", c.name, ee.Class, c.class)
		}
	}
	_, err := e.hook("pos", `{"receiptId": 7}`, e.signed(`{"receiptId": 7}`, 0))
	if got := fmt.Sprint(paths(err)); got != "[points automation.webhook_schema receiptId automation.webhook_schema]" {
		t.Errorf("schema paths %s", got)
	}
	_, err = e.hook("nope", good, e.signed(good, 0))
	wantCode(t, err, "automation.not_found")
	if n := e.count(outbox.Collection); n != 0 {
		t.Fatalf("%d events written by refused calls", n)
	}
	// A good call, twice with the same delivery id: one event, one entry.
	h := e.signed(good, 0)
	h[automation.HeaderDelivery] = "d-1"
	r1, err := e.hook("pos", good, h)
	e.must(err)
	r2, err := e.hook("pos", good, h)
	e.must(err)
	if r1.Event != r2.Event || !r2.Duplicate || r1.Duplicate {
		t.Errorf("results %+v %+v", r1, r2)
	}
	e.drain()
	bal, err := e.ledger.Balance(e.ctx, "crm", "m1", "points")
	e.must(err)
	if bal != 20 {
		t.Errorf("balance %d, want 20", bal)
	}
}

func TestWebhookSecretModeAndEnvironment(t *testing.T) {
	e := newEnv(t)
	t.Setenv("TANGRAM_TEST_HOOK", "env-secret-0123456789abc")
	e.define(meta.KindAutomation, "plain", `{"title": "明文密钥", "trigger": {"type": "webhook.inbound", "config": {"signature": "secret", "secretEnv": "TANGRAM_TEST_HOOK"}},
	  "actions": [{"type": "message.send", "config": {"to": "ops", "text": "{{payload.msg}}"}}]}`)
	_, err := e.hook("plain", `{"msg": "hi"}`, map[string]string{automation.HeaderSecret: "wrong"})
	wantCode(t, err, "automation.webhook_signature")
	_, err = e.hook("plain", `{"msg": "hi"}`, map[string]string{automation.HeaderSecret: "env-secret-0123456789abc"})
	e.must(err)
	t.Setenv("TANGRAM_TEST_HOOK", "")
	_, err = e.hook("plain", `{"msg": "hi"}`, map[string]string{automation.HeaderSecret: ""})
	wantCode(t, err, "automation.webhook_unconfigured")
	e.drain()
	if n := e.count(automation.CollMessages, "text", "hi"); n != 1 {
		t.Errorf("%d messages", n)
	}
}
