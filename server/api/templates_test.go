package api_test

import (
	"fmt"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// TestTemplatesHTTP: the list names each template in zh-CN and en; an
// install (platform admins only) creates and publishes the app; installing
// again changes nothing; an app edited since is a 409 listing the edited
// definition unless overwrite; bad bodies and names are coded errors.
func TestTemplatesHTTP(t *testing.T) {
	h := apitest.New(t)
	list := jsonArray(t, h.Do("GET", "/api/templates", nil))
	if len(list) != 1 || list[0]["name"] != "crm-retail" || i64(list[0]["definitions"]) < 30 {
		t.Fatalf("templates %v", list)
	}
	title := list[0]["title"].(map[string]any)
	if title["zh-CN"] != "零售会员 CRM" || title["en"] != "Retail CRM" {
		t.Fatalf("title %v", title)
	}

	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "designer", "password": apitest.AdminPassword}), 201, "")
	other := h.As(h.Login("designer", apitest.AdminPassword))
	other.Expect(other.Do("POST", "/api/templates/crm-retail/install", nil), 403, "")
	if apps := jsonArray(t, h.Do("GET", "/api/apps", nil)); len(apps) != 0 {
		t.Fatalf("a refused install wrote %v", apps)
	}

	dry := h.Expect(h.Do("POST", "/api/templates/crm-retail/install", map[string]any{"dryRun": true}), 200, "")
	if dry["dryRun"] != true || len(dry["created"].([]any)) != int(i64(list[0]["definitions"])) {
		t.Fatalf("dry run %v", dry)
	}
	res := h.Expect(h.Do("POST", "/api/templates/crm-retail/install", nil), 200, "")
	if res["app"] != "crm" || res["template"] != "crm-retail" || len(res["created"].([]any)) != int(i64(list[0]["definitions"])) {
		t.Fatalf("install %v", res)
	}
	h.Expect(h.Do("GET", "/api/apps/crm/meta/action/checkout", nil), 200, "")
	if d := h.Expect(h.Do("GET", "/api/apps/crm/meta/rule/tier-levels", nil), 200, ""); d["status"] != "published" {
		t.Fatalf("not published: %v", d)
	}
	// The install built the report rollups: dashboards read them at once.
	if kpi := h.Expect(h.Do("POST", "/api/apps/crm/reports/sales-kpi/run", map[string]any{"noCache": true}), 200, ""); kpi["source"] != "rollup" {
		t.Fatalf("sales-kpi after install reads %v, want the rollup", kpi["source"])
	}
	again := h.Expect(h.Do("POST", "/api/templates/crm-retail/install", map[string]any{"app": "crm", "publish": true}), 200, "")
	if len(again["created"].([]any))+len(again["updated"].([]any)) != 0 {
		t.Fatalf("reinstall changed something: %v", again)
	}

	// An edited definition: a conflict, then an overwrite.
	view := h.Expect(h.Do("GET", "/api/apps/crm/meta/view/members-all", nil), 200, "")
	spec := view["spec"].(map[string]any)
	spec["pageSize"] = 20
	h.Expect(h.Do("PUT", "/api/apps/crm/meta/view/members-all", map[string]any{"spec": spec}, "If-Match: "+fmt.Sprint(view["version"])), 200, "")
	p := h.Expect(h.Do("POST", "/api/templates/crm-retail/install", nil), 409, "template.conflict")
	expectPath(t, p, "view/members-all")
	over := h.Expect(h.Do("POST", "/api/templates/crm-retail/install", map[string]any{"overwrite": true}), 200, "")
	if u := over["updated"].([]any); len(u) != 1 || u[0] != "view/members-all" {
		t.Fatalf("overwrite %v", over)
	}

	// Into another app, unpublished: drafts only.
	h.Expect(h.Do("POST", "/api/templates/crm-retail/install", map[string]any{"app": "crm2", "publish": false}), 200, "")
	if d := h.Expect(h.Do("GET", "/api/apps/crm2/meta/form/members", nil), 200, ""); d["status"] != "draft" {
		t.Fatalf("published without publish: %v", d)
	}

	h.Expect(h.Do("POST", "/api/templates/nosuch/install", nil), 404, "template.not_found")
	h.Expect(h.Do("POST", "/api/templates/crm-retail/install", map[string]any{"app": "Not An App"}), 422, "template.app")
	h.Expect(h.Do("POST", "/api/templates/crm-retail/install", map[string]any{"ap": "crm"}), 400, "request.unknown_field")
	h.Expect(h.Do("POST", "/api/templates/crm-retail/install", map[string]any{"publish": "yes"}), 400, "request.type")
	h.Expect(h.Do("POST", "/api/templates/crm-retail/install", "{"), 400, "request.malformed")
	h.Expect(h.Do("GET", "/api/templates", nil, "Authorization:"), 401, "")
}
