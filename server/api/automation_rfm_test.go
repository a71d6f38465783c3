package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// An admin runs the template's RFM scoring by hand: the buyer is scored
// and tagged, its hand-set tag kept; a user without the run right, an
// unknown automation and one without the step are refused with codes.
func TestScoreRFMByHand(t *testing.T) {
	c := newCRM(t)
	h := c.h
	buyer, other := c.register("13800000001", "张三"), c.register("13800000002", "李四")
	h.Expect(h.Do("PATCH", "/api/apps/crm/forms/members/records/"+buyer, map[string]any{"tags": []any{"vip"}}), 200, "")
	c.ok("checkout", map[string]any{"receiptId": "RFM-1", "store": "S0001", "member": map[string]any{"id": buyer},
		"lines": []any{line("A", "食品", 2, "35.50")}})
	res := h.Expect(h.Do("POST", "/api/apps/crm/automations/rfm-daily/rfm-score", nil), 200, "")
	cuts, _ := res["cuts"].(map[string]any)
	if res["method"] != "quintiles" || fmt.Sprint(res["scored"]) != "1" || fmt.Sprint(res["segments"]) != "map[sleeping:1]" ||
		fmt.Sprint(cuts["f"]) != "[1 1 1 1]" || fmt.Sprint(cuts["m"]) != "[71 71 71 71]" {
		t.Fatalf("by-hand run %v", res)
	}
	m := c.record("members", buyer)
	if tags, _ := m["tags"].([]any); m["rfmSegment"] != "sleeping" || !slices.Equal(tags, []any{"vip", "rfm-sleeping"}) {
		t.Errorf("buyer after scoring: segment %v tags %v", m["rfmSegment"], m["tags"])
	}
	if o := c.record("members", other); o["rfmSegment"] != nil || o["tags"] != nil {
		t.Errorf("non-buyer after scoring: %v %v", o["rfmSegment"], o["tags"])
	}
	// Again: nothing changes.
	if again := h.Expect(h.Do("POST", "/api/apps/crm/automations/rfm-daily/rfm-score", nil), 200, ""); fmt.Sprint(again["changed"]) != "0" {
		t.Errorf("second run %v", again)
	}
	h.Expect(h.Do("POST", "/api/apps/crm/automations/nope/rfm-score", nil), 404, "automation.not_found")
	h.Expect(h.Do("POST", "/api/apps/crm/automations/welcome-coupon/rfm-score", nil, "Accept-Language: en"), 409, "automation.not_rfm")
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "plain1", "password": apitest.AdminPassword}), 201, "")
	plain := h.As(h.Login("plain1", apitest.AdminPassword))
	plain.Expect(plain.Do("POST", "/api/apps/crm/automations/rfm-daily/rfm-score", nil), 403, "")
}
