package api_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
	"github.com/tangram/tangram/server/openapi"
)

// TestOpenAPICoversEveryRoute keeps /api/openapi.json true: every route fiber
// serves is documented with the same method and path, and every documented
// operation is served.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	h := apitest.New(t)
	r := h.Do("GET", "/api/openapi.json", nil)
	doc := h.Expect(r, 200, "")
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatalf("no paths in document: %s", r.Body)
	}
	documented := map[string]bool{}
	for p, ops := range paths {
		for m := range ops.(map[string]any) {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range h.Server.App.GetRoutes(true) {
		if rt.Method == "HEAD" || rt.Method == "USE" || rt.Path == "/" {
			continue
		}
		served[rt.Method+" "+openapi.PathOf(rt.Path)] = true
	}
	var missing, stale []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("undocumented routes: %v\ndocumented but not served: %v", missing, stale)
	}
	// Every $ref resolves to a component.
	comps := doc["components"].(map[string]any)["schemas"].(map[string]any)
	raw, _ := json.Marshal(doc)
	for _, part := range strings.Split(string(raw), `"$ref":"#/components/schemas/`)[1:] {
		name := part[:strings.IndexByte(part, '"')]
		if _, ok := comps[name]; !ok {
			t.Errorf("dangling $ref to %q", name)
		}
	}
	for _, k := range []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/apps",
		"PUT /api/apps/{app}/meta/{kind}/{key}", "POST /api/apps/{app}/meta/{kind}/{key}/publish",
		"GET /api/apps/{app}/meta/{kind}/{key}/versions",
		"GET /api/apps/{app}/rights", "GET /api/apps/{app}/forms/{form}/rights",
		"GET /api/apps/{app}/forms/{form}/saved-views", "PUT /api/apps/{app}/forms/{form}/saved-views/{id}",
		"POST /api/apps/{app}/actions/{action}/test"} {
		if !documented[k] {
			t.Errorf("contract route %s is missing", k)
		}
	}
}
