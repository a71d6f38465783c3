package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

var (
	appSpec  = map[string]any{"spec": map[string]any{"title": map[string]any{"zh-CN": "会员中心", "en": "Membership"}}}
	formSpec = func(title string) map[string]any {
		return map[string]any{"spec": map[string]any{
			"title": title,
			"fields": []any{
				map[string]any{"key": "name", "type": "text", "label": map[string]any{"zh-CN": "姓名", "en": "Name"}, "required": true},
				map[string]any{"key": "phone", "type": "phone", "label": "手机号"},
			},
		}}
	}
)

func num(v any) string { return fmt.Sprint(v) }

// TestMetaLifecycle drives a definition through create, save, publish,
// versions and rollback over HTTP, checking optimistic locking on the way.
func TestMetaLifecycle(t *testing.T) {
	h := apitest.New(t)
	base := "/api/apps/crm/meta/form/member"

	h.Expect(h.Do("POST", base, formSpec("会员")), 404, "")
	app := h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	if app["status"] != "draft" || num(app["version"]) != "1" {
		t.Fatalf("app: %v", app)
	}
	r := h.Do("POST", base, formSpec("会员"))
	d := h.Expect(r, 201, "")
	if num(d["version"]) != "1" || d["status"] != "draft" || d["kind"] != "form" || r.Header.Get("ETag") != `"1"` {
		t.Fatalf("create: %v etag %s", d, r.Header.Get("ETag"))
	}
	h.Expect(h.Do("POST", base, formSpec("again")), 409, "meta.exists")

	h.Expect(h.Do("PUT", base, formSpec("v2")), 412, "")
	h.Expect(h.Do("PUT", base, formSpec("v2"), "If-Match: \"7\""), 412, "meta.stale")
	d = h.Expect(h.Do("PUT", base, formSpec("v2"), "If-Match: \"1\""), 200, "")
	if num(d["version"]) != "2" || d["status"] != "draft" {
		t.Fatalf("save: %v", d)
	}
	h.Expect(h.Do("GET", base+"?status=published", nil), 404, "")
	d = h.Expect(h.Do("POST", base+"/publish", nil, "If-Match: 2"), 200, "")
	if num(d["version"]) != "2" || d["status"] != "published" || d["publishedAt"] == "" {
		t.Fatalf("publish: %v", d)
	}
	d = h.Expect(h.Do("PUT", base, formSpec("v3"), "If-Match: 2"), 200, "")
	if num(d["version"]) != "3" {
		t.Fatalf("save v3: %v", d)
	}
	pub := h.Expect(h.Do("GET", base+"?status=published", nil), 200, "")
	if num(pub["version"]) != "2" || pub["spec"].(map[string]any)["title"] != "v2" {
		t.Fatalf("published should stay v2: %v", pub)
	}
	latest := h.Expect(h.Do("GET", base, nil), 200, "")
	if num(latest["version"]) != "3" || latest["status"] != "draft" {
		t.Fatalf("latest: %v", latest)
	}
	old := h.Expect(h.Do("GET", base+"?version=1", nil), 200, "")
	if old["spec"].(map[string]any)["title"] != "会员" {
		t.Fatalf("v1: %v", old)
	}
	vs := h.Do("GET", base+"/versions", nil)
	list, _ := vs.JSON().([]any)
	if len(list) != 3 || num(list[0].(map[string]any)["version"]) != "3" {
		t.Fatalf("versions: %s", vs.Body)
	}
	d = h.Expect(h.Do("POST", base+"/rollback", map[string]any{"version": 1}, "If-Match: 3"), 200, "")
	if num(d["version"]) != "4" || d["status"] != "published" || d["spec"].(map[string]any)["title"] != "会员" {
		t.Fatalf("rollback: %v", d)
	}
	pub = h.Expect(h.Do("GET", base+"?status=published", nil), 200, "")
	if num(pub["version"]) != "4" {
		t.Fatalf("published after rollback: %v", pub)
	}
	forms := h.Do("GET", "/api/apps/crm/meta/form", nil).JSON().([]any)
	if len(forms) != 1 {
		t.Fatalf("list forms: %v", forms)
	}
	apps := h.Do("GET", "/api/apps", nil).JSON().([]any)
	if len(apps) != 1 || apps[0].(map[string]any)["key"] != "crm" {
		t.Fatalf("apps: %v", apps)
	}
}

// TestMetaBadInput checks that bad requests get a precise problem and leave
// the store untouched.
func TestMetaBadInput(t *testing.T) {
	h := apitest.New(t, apitest.Options{BodyLimit: 64 << 10})
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	base := "/api/apps/crm/meta/form/member"
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	cases := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		code, errPath      string
	}{
		{"malformed json", "POST", base, `{"spec": {`, nil, 400, "request.malformed", ""},
		{"trailing data", "POST", base, `{"spec": {}} {}`, nil, 400, "request.malformed", ""},
		{"unknown body field", "POST", base, `{"spec": {}, "sneaky": 1}`, nil, 400, "request.unknown_field", "sneaky"},
		{"wrong type", "POST", base, `{"spec": {}, "schemaVersion": "one"}`, nil, 400, "request.type", "schemaVersion"},
		{"empty body", "POST", base, ``, nil, 400, "request.empty", ""},
		{"not json content type", "POST", base, `spec=1`, []string{"Content-Type: text/plain"}, 400, "request.content_type", ""},
		{"deep nesting", "POST", base, `{"spec": ` + deep + `}`, nil, 400, "request.too_deep", ""},
		{"oversized body", "POST", base, `{"spec": {"title": "` + strings.Repeat("x", 70<<10) + `"}}`, nil, 413, "http.body_too_large", ""},
		{"invalid spec", "POST", base, map[string]any{"spec": map[string]any{"title": "x", "fields": []any{map[string]any{"key": "9bad", "type": "text"}}}}, nil, 422, "meta.invalid", "spec.fields[0].key"},
		{"unknown kind", "POST", "/api/apps/crm/meta/gizmo/x", formSpec("x"), nil, 0, "", ""},
		{"bad key", "POST", "/api/apps/crm/meta/form/Bad%20Key", formSpec("x"), nil, 422, "", "key"},
		{"bad if-match", "PUT", base, formSpec("x"), []string{"If-Match: soon"}, 400, "request.if_match", ""},
		{"bad version query", "GET", base + "?version=-1", nil, nil, 400, "request.query", "version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.Do(c.method, c.path, c.body, c.headers...)
			if c.status == 0 {
				if r.Status != 404 && r.Status != 422 {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				return
			}
			m := h.Expect(r, c.status, c.code)
			if c.errPath != "" {
				raw, _ := json.Marshal(m["errors"])
				if !strings.Contains(string(raw), `"path":"`+c.errPath+`"`) {
					t.Fatalf("errors lack path %q: %s", c.errPath, r.Body)
				}
			}
		})
	}
	// Nothing was written by any of the bad requests.
	h.Expect(h.Do("GET", base, nil), 404, "")
	if forms := h.Do("GET", "/api/apps/crm/meta/form", nil).JSON().([]any); len(forms) != 0 {
		t.Fatalf("bad input left definitions behind: %v", forms)
	}
}

// TestExportImport moves an app to a new name through its export file.
func TestExportImport(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/member", formSpec("会员")), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/member/publish", nil), 200, "")
	exp := h.Do("GET", "/api/apps/crm/export", nil)
	bundle := h.Expect(exp, 200, "")
	if bundle["format"] != "tangram.app" || len(bundle["definitions"].([]any)) != 2 {
		t.Fatalf("export: %s", exp.Body)
	}
	h.Expect(h.Do("POST", "/api/apps/crm2/import?dryRun=true", exp.Body), 200, "")
	h.Expect(h.Do("GET", "/api/apps/crm2/meta/form/member", nil), 404, "")
	h.Expect(h.Do("POST", "/api/apps/crm2/import?publish=true", exp.Body), 200, "")
	d := h.Expect(h.Do("GET", "/api/apps/crm2/meta/form/member?status=published", nil), 200, "")
	if d["app"] != "crm2" || d["spec"].(map[string]any)["title"] != "会员" {
		t.Fatalf("imported: %v", d)
	}
	h.Expect(h.Do("POST", "/api/apps/crm2/import", exp.Body), 409, "")
	h.Expect(h.Do("POST", "/api/apps/crm2/import", `{"format":"zip","formatVersion":1,"app":"x","definitions":[]}`), 422, "")
}
