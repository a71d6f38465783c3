package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// pointsRule is the CRM's points multiplier: tier × store × category × day
// under a priority policy, a new-store promotion with effective dates and a
// National Day double-points row above everything. gold is the 金卡 rate.
func pointsRule(gold string, extraRows ...map[string]any) map[string]any {
	rows := []any{
		map[string]any{"when": map[string]any{"tier": "钻石"}, "then": map[string]any{"multiplier": "1.5", "reason": "钻石会员"}, "priority": 10},
		map[string]any{"when": map[string]any{"tier": "金卡"}, "then": map[string]any{"multiplier": gold, "reason": "金卡会员"}, "priority": 10},
		map[string]any{"when": map[string]any{"tier": map[string]any{"$in": []any{"普通", "银卡"}}}, "then": map[string]any{"multiplier": "1"}, "priority": 10},
		map[string]any{"when": map[string]any{"store": "S001", "categories": map[string]any{"$contains": "生鲜"}},
			"then": map[string]any{"multiplier": "1.8", "reason": "新店生鲜"}, "priority": 50,
			"validFrom": "2026-06-01T00:00:00+08:00", "validTo": "2026-07-01T00:00:00+08:00"},
		map[string]any{"when": map[string]any{"day": map[string]any{"$gte": "2026-10-01", "$lte": "2026-10-07"}},
			"then": map[string]any{"multiplier": "2", "reason": "国庆双倍积分"}, "priority": 100, "note": "节假日双倍积分"},
	}
	for _, r := range extraRows {
		rows = append(rows, r)
	}
	return map[string]any{"spec": map[string]any{
		"title":     map[string]any{"zh-CN": "积分倍率", "en": "Points multiplier"},
		"hitPolicy": "priority",
		"inputs": []any{
			map[string]any{"key": "tier", "type": "string", "label": map[string]any{"zh-CN": "会员等级", "en": "Tier"}, "options": []any{"普通", "银卡", "金卡", "钻石"}, "required": true},
			map[string]any{"key": "store", "type": "string", "label": "门店"},
			map[string]any{"key": "categories", "type": "list", "label": "品类"},
			map[string]any{"key": "day", "type": "date", "label": "消费日期"},
			map[string]any{"key": "amount", "type": "decimal", "label": "消费金额"},
		},
		"outputs": []any{
			map[string]any{"key": "multiplier", "type": "decimal", "label": "倍率", "default": "1"},
			map[string]any{"key": "reason", "type": "string", "default": ""},
		},
		"rows": rows,
	}}
}

const evalPath = "/api/apps/crm/rules/points/evaluate"

// evalRule evaluates as h's caller and returns "multiplier rows reason".
func evalRule(t *testing.T, h *apitest.Harness, body map[string]any) string {
	t.Helper()
	m := h.Expect(h.Do("POST", evalPath, body), 200, "")
	out, _ := m["outputs"].(map[string]any)
	rows, _ := json.Marshal(m["rows"])
	return jsonStr(out, "multiplier") + " " + string(rows) + " " + jsonStr(out, "reason")
}

// TestRulesOverHTTP publishes the points table, evaluates it, previews a
// draft by version, publishes the draft and sees the answer change; bad
// inputs, bad tables and missing rights get problems with paths.
func TestRulesOverHTTP(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/rule/points", pointsRule("1.2")), 201, "")
	h.Expect(h.Do("POST", evalPath, map[string]any{"inputs": map[string]any{"tier": "金卡"}}), 404, "meta.not_published")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/rule/points/publish", nil), 200, "")

	basket := func(tier, store, day, at string, cats ...string) map[string]any {
		return map[string]any{"inputs": map[string]any{"tier": tier, "store": store, "day": day, "categories": cats, "amount": "88.50"}, "at": at}
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"gold member", basket("金卡", "S002", "2026-09-30", "2026-09-30T12:00:00+08:00", "日用"), `1.2 [1] 金卡会员`},
		{"national day beats tier", basket("金卡", "S002", "2026-10-03", "2026-10-03T12:00:00+08:00", "日用"), `2 [4] 国庆双倍积分`},
		{"new store fresh food in June", basket("普通", "S001", "2026-06-15", "2026-06-15T10:00:00+08:00", "生鲜", "日用"), `1.8 [3] 新店生鲜`},
		{"promotion expired in July", basket("普通", "S001", "2026-07-02", "2026-07-02T10:00:00+08:00", "生鲜"), `1 [2] `},
		{"diamond", basket("钻石", "S003", "2026-05-01", "2026-05-01T10:00:00+08:00"), `1.5 [0] 钻石会员`},
	} {
		if got := evalRule(t, h, tc.body); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}

	// The trace says why each row did or did not apply.
	b := basket("普通", "S001", "2026-07-02", "2026-07-02T10:00:00+08:00", "生鲜")
	b["trace"] = true
	res := h.Expect(h.Do("POST", evalPath, b), 200, "")
	trace, _ := json.Marshal(res["trace"])
	if want := `[{"failedColumn":"tier","matched":false,"row":0,"used":false},{"failedColumn":"tier","matched":false,"row":1,"used":false},` +
		`{"matched":true,"row":2,"used":true},{"inactive":"expired","matched":false,"row":3,"used":false},` +
		`{"failedColumn":"day","matched":false,"row":4,"used":false}]`; string(trace) != want {
		t.Errorf("trace %s\nwant  %s", trace, want)
	}
	if res["matched"] != true || res["hitPolicy"] != "priority" || num(res["version"]) != "1" || res["at"] != "2026-07-02T02:00:00.000Z" {
		t.Errorf("result %v", res)
	}

	// Inputs that do not fit: 422 with a path per input.
	p := h.Expect(h.Do("POST", evalPath, map[string]any{"inputs": map[string]any{"tier": "黑卡", "amount": "12,50", "categories": "生鲜", "ghost": 1}}),
		422, "rule.invalid_input")
	for _, path := range []string{"inputs.tier", "inputs.amount", "inputs.categories", "inputs.ghost"} {
		expectPath(t, p, path)
	}
	expectPath(t, h.Expect(h.Do("POST", evalPath, map[string]any{"inputs": map[string]any{}}), 422, "rule.invalid_input"), "inputs.tier")
	expectPath(t, h.Expect(h.Do("POST", evalPath, map[string]any{"inputs": map[string]any{"tier": "金卡"}, "at": "tomorrow"}), 400, ""), "at")
	expectPath(t, h.Expect(h.Do("POST", evalPath, map[string]any{"at": "2026-01-01T00:00:00Z"}), 400, ""), "inputs")
	expectPath(t, h.Expect(h.Do("POST", evalPath, map[string]any{"inputs": map[string]any{}, "input": 1}), 400, "request.unknown_field"), "input")
	h.Expect(h.Do("POST", "/api/apps/crm/rules/nope/evaluate", map[string]any{"inputs": map[string]any{}}), 404, "meta.not_found")

	// A new draft: previewed by version, the published answer unchanged
	// until it is published.
	gold := map[string]any{"inputs": map[string]any{"tier": "金卡", "day": "2026-09-30"}, "at": "2026-09-30T12:00:00+08:00"}
	h.Expect(h.Do("PUT", "/api/apps/crm/meta/rule/points", pointsRule("1.3"), "If-Match: 1"), 200, "")
	if got := evalRule(t, h, gold); got != "1.2 [1] 金卡会员" {
		t.Fatalf("published answer changed by a draft: %s", got)
	}
	preview := map[string]any{"inputs": gold["inputs"], "at": gold["at"], "version": 2}
	if got := evalRule(t, h, preview); got != "1.3 [1] 金卡会员" {
		t.Fatalf("draft preview: %s", got)
	}
	h.Expect(h.Do("POST", evalPath, map[string]any{"inputs": gold["inputs"], "version": 9}), 404, "meta.version_not_found")

	// Access: readers evaluate what is published, designers preview drafts.
	publishRole(t, h, "designer", []any{map[string]any{"kind": "app", "key": "*", "actions": []any{"design"}}})
	publishRole(t, h, "clerk", []any{map[string]any{"kind": "rule", "key": "points", "actions": []any{"read"}}})
	designer := h.As(userWithRoles(t, h, "designer1", "designer"))
	clerk := h.As(userWithRoles(t, h, "clerk1", "clerk"))
	nobody := h.As(userWithRoles(t, h, "nobody1"))
	anon := h.As("")
	if got := evalRule(t, clerk, gold); got != "1.2 [1] 金卡会员" {
		t.Fatalf("clerk: %s", got)
	}
	clerk.Expect(clerk.Do("POST", evalPath, preview), 403, "access.forbidden")
	published := map[string]any{"inputs": gold["inputs"], "at": gold["at"], "version": 1}
	if got := evalRule(t, clerk, published); got != "1.2 [1] 金卡会员" {
		t.Fatalf("clerk, published version: %s", got)
	}
	if got := evalRule(t, designer, preview); got != "1.3 [1] 金卡会员" {
		t.Fatalf("designer preview: %s", got)
	}
	nobody.Expect(nobody.Do("POST", evalPath, gold), 403, "access.forbidden")
	anon.Expect(anon.Do("POST", evalPath, gold), 401, "auth.unauthenticated")
	anon.Expect(anon.Do("POST", "/api/apps/crm/rules/points/analyze", nil), 401, "")
	clerk.Expect(clerk.Do("POST", "/api/apps/crm/rules/points/analyze", nil), 403, "access.forbidden")

	// Publishing the draft changes the answer; the old version is no
	// longer the published one, so readers cannot pick it any more.
	designer.Expect(designer.Do("POST", "/api/apps/crm/meta/rule/points/publish", nil, "If-Match: 2"), 200, "")
	if got := evalRule(t, clerk, gold); got != "1.3 [1] 金卡会员" {
		t.Fatalf("after publish: %s", got)
	}
	clerk.Expect(clerk.Do("POST", evalPath, published), 403, "access.forbidden")

	// A table with overlapping rows of one priority is refused on save and
	// on a publishing import, with the row's path.
	overlap := map[string]any{"when": map[string]any{"categories": map[string]any{"$contains": "酒水"}},
		"then": map[string]any{"multiplier": "1.1", "reason": "酒水"}, "priority": 50}
	p = h.Expect(h.Do("PUT", "/api/apps/crm/meta/rule/points", pointsRule("1.3", overlap), "If-Match: 2"), 422, "meta.invalid")
	expectPath(t, p, "spec.rows[5]")
	if errsList := p["errors"].([]any); len(errsList) != 1 || !strings.Contains(jsonStr(errsList[0].(map[string]any), "message"),
		`can match the same inputs as rows[3] (for example store="S001", categories=[生鲜, 酒水], at `) {
		t.Fatalf("overlap problem: %v", p)
	}
	bundle := map[string]any{"format": "tangram.app", "formatVersion": 1, "app": "crm", "definitions": []any{
		map[string]any{"kind": "rule", "key": "points", "status": "published", "spec": pointsRule("1.3", overlap)["spec"]}}}
	p = h.Expect(h.Do("POST", "/api/apps/crm/import?publish=true&overwrite=true", bundle), 422, "meta.invalid")
	expectPath(t, p, "definitions[0].spec.rows[5]")
	if got := evalRule(t, h, gold); got != "1.3 [1] 金卡会员" {
		t.Fatalf("a refused table changed the answer: %s", got)
	}

	// The analysis: errors of the latest revision (none) and gap warnings.
	rep := designer.Expect(designer.Do("POST", "/api/apps/crm/rules/points/analyze", nil), 200, "")
	if got, _ := json.Marshal(rep); string(got) != `{"errors":[],"version":2,"warnings":[]}` {
		t.Fatalf("report %s", got)
	}
	tiers := map[string]any{"spec": map[string]any{"title": "会员等级", "hitPolicy": "first",
		"inputs":  []any{map[string]any{"key": "points", "type": "int", "required": true}},
		"outputs": []any{map[string]any{"key": "tier", "type": "string", "options": []any{"普通", "银卡", "金卡"}}},
		"rows": []any{
			map[string]any{"when": map[string]any{"points": map[string]any{"$gte": 0, "$lt": 1000}}, "then": map[string]any{"tier": "普通"}},
			map[string]any{"when": map[string]any{"points": map[string]any{"$gte": 2000, "$lt": 5000}}, "then": map[string]any{"tier": "银卡"}},
			map[string]any{"when": map[string]any{"points": map[string]any{"$gte": 5000}}, "then": map[string]any{"tier": "金卡"}},
		}}}
	h.Expect(h.Do("POST", "/api/apps/crm/meta/rule/tiers", tiers), 201, "")
	rep = h.Expect(h.Do("POST", "/api/apps/crm/rules/tiers/analyze", map[string]any{"version": 1}), 200, "")
	w, _ := rep["warnings"].([]any)
	if len(w) != 1 || jsonStr(w[0].(map[string]any), "path") != "spec.rows[1].when.points" ||
		jsonStr(w[0].(map[string]any), "message") != "no row covers points from 1000 to 1999; such inputs match no row (matched=false)" {
		t.Fatalf("tier gaps: %v", rep)
	}
	// A draft evaluates through version; a gap answers matched=false.
	m := h.Expect(h.Do("POST", "/api/apps/crm/rules/tiers/evaluate", map[string]any{"inputs": map[string]any{"points": 1500}, "version": 1}), 200, "")
	if m["matched"] != false || len(m["outputs"].(map[string]any)) != 0 {
		t.Fatalf("gap evaluation: %v", m)
	}
	h.Expect(h.Do("POST", "/api/apps/crm/rules/tiers/analyze", map[string]any{"version": 3}), 404, "")
}
