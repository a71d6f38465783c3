package api_test

import (
	"strings"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// TestMigrationScenario is the designer's path through a type change
// that needs converting: the save is refused with the field's path and
// the way out, a dry run counts, the migration converts, the save passes.
func TestMigrationScenario(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	spec := func(codeType string) map[string]any {
		return map[string]any{"spec": map[string]any{"title": "货品", "fields": []any{
			map[string]any{"key": "name", "type": "text", "label": "品名"},
			map[string]any{"key": "code", "type": codeType, "label": "编码"},
		}}}
	}
	base := "/api/apps/crm/meta/form/goods"
	h.Expect(h.Do("POST", base, spec("text")), 201, "")
	h.Expect(h.Do("POST", base+"/publish", nil), 200, "")
	recs := "/api/apps/crm/forms/goods/records"
	for _, code := range []string{"12", "007", "n/a"} {
		h.Expect(h.Do("POST", recs, map[string]any{"name": "x", "code": code}), 201, "")
	}

	p := h.Expect(h.Do("PUT", base, spec("number"), "If-Match: 1"), 422, "meta.invalid")
	errs, _ := p["errors"].([]any)
	first, _ := errs[0].(map[string]any)
	msg, _ := first["message"].(string)
	if first["path"] != "spec.fields[1].type" || first["code"] != "form.type_change_needs_migration" ||
		!strings.Contains(msg, "POST /api/apps/crm/forms/goods/migrations") || !strings.Contains(msg, "3 of the 3") {
		t.Fatalf("refusal: %v", p)
	}

	mig := "/api/apps/crm/forms/goods/migrations"
	dry := h.Expect(h.Do("POST", mig+"?dryRun=true", map[string]any{"field": "code", "toType": "number"}), 200, "")
	if num(dry["changed"]) != "2" || num(dry["failed"]) != "1" || dry["status"] != "dry-run" {
		t.Fatalf("dry run: %v", dry)
	}
	samples, _ := dry["samples"].([]any)
	if len(samples) != 1 || samples[0].(map[string]any)["value"] != "n/a" {
		t.Fatalf("samples: %v", dry["samples"])
	}
	h.Expect(h.Do("POST", mig, map[string]any{"field": "code", "toType": "number", "onInvalid": "drop"}), 422, "migration.invalid")
	h.Expect(h.Do("POST", mig, map[string]any{"field": "code", "toType": "number", "extra": 1}), 400, "")
	done := h.Expect(h.Do("POST", mig, map[string]any{"field": "code", "toType": "number", "onInvalid": "clear"}), 200, "")
	if num(done["changed"]) != "3" || num(done["cleared"]) != "1" || done["status"] != "done" {
		t.Fatalf("run: %v", done)
	}
	h.Expect(h.Do("PUT", base, spec("number"), "If-Match: 1"), 200, "")
	h.Expect(h.Do("POST", base+"/publish", nil), 200, "")
	page := h.Expect(h.Do("GET", recs+"?sort=code", nil), 200, "")
	items, _ := page["items"].([]any)
	var codes []string
	for _, it := range items {
		codes = append(codes, num(it.(map[string]any)["code"]))
	}
	if strings.Join(codes, ",") != "<nil>,7,12" {
		t.Fatalf("codes after the change: %v", codes)
	}
	h.Expect(h.Do("POST", "/api/apps/crm/forms/nope/migrations", map[string]any{"field": "code"}), 404, "")
	h.As("").Expect(h.As("").Do("POST", mig, map[string]any{"field": "code"}), 401, "")
}
