package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/server/api/apitest"
)

// TestAutomationTestRunOverHTTP: the CRM welcome automation test-run on a
// member shows each step's result (the coupon, the branch, the rendered
// text) and keeps nothing; errors come per step; bad requests and
// non-designers are refused.
func TestAutomationTestRunOverHTTP(t *testing.T) {
	t.Setenv("TANGRAM_AUTOMATION_RUNNER", "off")
	c := newCRM(t)
	h := c.h
	if _, err := h.Server.Automation().Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.create("coupon-templates", map[string]any{"name": "新人礼 满30减10", "type": "amount", "value": "10", "minSpend": "30", "validDays": 30, "status": "active"})
	out := c.ok("register-member", map[string]any{"phone": "13812345678", "name": "韩梅梅", "homeStore": "S0001", "consent": true})
	id := jsonStr(out["member"].(map[string]any), "id")
	if _, err := h.Server.Automation().Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	counts := func() string {
		var b strings.Builder
		for _, coll := range []string{form.RecordsCollection("crm", "coupons"), form.RecordsCollection("crm", "members"), ledger.CollEntries,
			automation.CollMessages, automation.CollRuns, automation.CollAssignments, outbox.Collection} {
			n, err := h.Store.Count(t.Context(), coll, nil)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s=%d ", coll, n)
		}
		return b.String()
	}
	before := counts()
	base := "/api/apps/crm/automations/welcome-coupon/test"

	res := h.Expect(h.Do("POST", base, map[string]any{"recordId": id}), 200, "")
	steps := map[string]map[string]any{}
	for _, s := range res["steps"].([]any) {
		steps[jsonStr(s.(map[string]any), "step")] = s.(map[string]any)
	}
	raw := func(id string) string { b, _ := json.Marshal(steps[id]["result"]); return string(b) }
	if res["matched"] != true || steps["coupon"]["error"] != nil || !strings.Contains(raw("coupon"), `"issued":1`) {
		t.Fatalf("coupon step %v", steps["coupon"])
	}
	if !strings.Contains(raw("hello"), "韩梅梅，欢迎加入会员！") || steps["hello"]["skipped"] != nil {
		t.Errorf("hello step %v", steps["hello"])
	}
	if after := counts(); after != before {
		t.Fatalf("the test run wrote:\n before %s\n after  %s", before, after)
	}

	// A draft whose coupon template does not exist: the error on its step,
	// the later steps not reached; the published version still passes.
	def := h.Expect(h.Do("GET", "/api/apps/crm/meta/automation/welcome-coupon", nil), 200, "")
	spec, _ := json.Marshal(def["spec"])
	broken := strings.Replace(string(spec), "新人礼 满30减10", "不存在的券", 1)
	h.Expect(h.Do("PUT", "/api/apps/crm/meta/automation/welcome-coupon", map[string]any{"spec": json.RawMessage(broken)},
		"If-Match: "+fmt.Sprint(def["version"])), 200, "")
	d := h.Expect(h.Do("POST", base, map[string]any{"recordId": id, "version": "draft"}), 200, "")
	if d["failed"] != "coupon" || fmt.Sprint(d["version"]) == fmt.Sprint(def["version"]) {
		t.Errorf("draft run %v", d)
	}
	for _, s := range d["steps"].([]any) {
		st := s.(map[string]any)
		switch st["step"] {
		case "coupon":
			if e, _ := st["error"].(map[string]any); e == nil || e["code"] == "" {
				t.Errorf("no error on the failing step: %v", st)
			}
		case "hello":
			if st["reason"] != automation.SkipAfterError {
				t.Errorf("step after the error: %v", st)
			}
		}
	}
	h.Expect(h.Do("POST", base+"?version=published", map[string]any{"recordId": id}), 200, "")
	h.Expect(h.Do("POST", base, map[string]any{"recordId": id, "version": json.Number(fmt.Sprint(def["version"]))}), 200, "")

	// A hypothetical record that does not consent: the else side.
	hyp := h.Expect(h.Do("POST", base, map[string]any{"record": map[string]any{"_id": id, "name": "李雷", "phone": "13900000000", "consent": false}}), 200, "")
	for _, s := range hyp["steps"].([]any) {
		if st := s.(map[string]any); st["step"] == "hello" && st["reason"] != automation.SkipNotChosen {
			t.Errorf("hello without consent: %v", st)
		}
	}
	if after := counts(); after != before {
		t.Fatalf("test runs wrote:\n before %s\n after  %s", before, after)
	}

	// Bad requests: problem+json, nothing written.
	h.Expect(h.Do("POST", base, map[string]any{"recordId": "no-such-member"}), 404, "automation.test_missing")
	h.Expect(h.Do("POST", "/api/apps/crm/automations/ghost/test", map[string]any{"recordId": id}), 404, "")
	h.Expect(h.Do("POST", base, `{"recordId": `), 400, "request.malformed")
	h.Expect(h.Do("POST", base, map[string]any{"recordId": id, "commit": true}), 400, "request.unknown_field")
	h.Expect(h.Do("POST", base, map[string]any{"recordId": 12}), 400, "request.type")
	h.Expect(h.Do("POST", base, map[string]any{"recordId": id, "record": map[string]any{}}), 400, "automation.test_target")
	h.Expect(h.Do("POST", base, map[string]any{"recordId": id, "version": "newest"}), 400, "automation.test_version")
	h.Expect(h.Do("POST", base, map[string]any{"recordId": id, "version": []any{1}}), 400, "request.query")
	h.Expect(h.Do("POST", base, map[string]any{}), 422, "automation.test_record")
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	h.Expect(h.Do("POST", base, `{"record": `+deep+`}`), 400, "")

	// Someone who may read automations but not design them: 403.
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/auto-reader", map[string]any{"spec": map[string]any{"title": "只读", "permissions": []any{
		map[string]any{"kind": "automation", "key": "*", "actions": []any{"read", "run"}},
		map[string]any{"kind": "form", "key": "*", "actions": []any{"read"}}}}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/auto-reader/publish", nil), 200, "")
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "olga", "password": apitest.AdminPassword,
		"roles": []any{map[string]any{"app": "crm", "role": "auto-reader"}}}), 201, "")
	olga := h.As(h.Login("olga", apitest.AdminPassword))
	olga.Expect(olga.Do("POST", base, map[string]any{"recordId": id}), 403, "")
	if after := counts(); after != before {
		t.Fatalf("refused requests wrote:\n before %s\n after  %s", before, after)
	}
}
