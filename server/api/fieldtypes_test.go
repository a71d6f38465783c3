package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/server/api/apitest"
)

// TestFieldTypesMatchRegistry keeps GET /api/field-types true to the form
// engine's registry: every registered type, nothing else, each as its
// type describes itself.
func TestFieldTypesMatchRegistry(t *testing.T) {
	h := apitest.New(t)
	r := h.Do("GET", "/api/field-types", nil)
	h.Expect(r, 200, "")
	list, ok := r.JSON().([]any)
	if !ok {
		t.Fatal("not a list")
	}
	keys := form.FieldTypeKeys()
	if len(list) != len(keys) || len(keys) < 25 {
		t.Fatalf("%d types served, %d registered", len(list), len(keys))
	}
	byKey := map[string]map[string]any{}
	for i, it := range list {
		m := it.(map[string]any)
		if m["key"] != keys[i] {
			t.Fatalf("type %d is %v, registry has %s", i, m["key"], keys[i])
		}
		byKey[keys[i]] = m
	}
	for _, k := range keys {
		m := byKey[k]
		ft, _ := form.LookupFieldType(k)
		sp := ft.Spec()
		label := m["label"].(map[string]any)
		if label["zh-CN"] != sp.Title["zh-CN"] || label["en"] != sp.Title["en"] || label["zh-CN"] == "" || label["en"] == "" {
			t.Errorf("%s: label %v", k, label)
		}
		if m["uiHint"] != sp.UIHint || m["uiHint"] == "" {
			t.Errorf("%s: uiHint %v, registry %q", k, m["uiHint"], sp.UIHint)
		}
		c, isComputed := ft.(form.Computed)
		if want := isComputed && c.Computed(); m["computed"] != want {
			t.Errorf("%s: computed %v, registry %v", k, m["computed"], want)
		}
		if _, ok := m["schema"].(map[string]any); !ok {
			t.Errorf("%s: no value schema", k)
		}
		var settings map[string]any
		d := json.NewDecoder(bytes.NewReader(sp.Config))
		d.UseNumber()
		if err := d.Decode(&settings); err != nil || fmt.Sprint(settings) != fmt.Sprint(m["settings"]) {
			t.Errorf("%s: settings schema differs", k)
		}
		stored := m["stored"].(map[string]any)
		ops := m["operators"].([]any)
		if stored["virtual"] == true {
			if len(ops) != 0 {
				t.Errorf("%s: a virtual type has operators %v", k, ops)
			}
			continue
		}
		if stored["kind"] == nil || len(ops) == 0 {
			t.Errorf("%s: stored %v, operators %v", k, stored, ops)
		}
	}
	// Spot checks of what the registry means.
	if s := byKey["money"]["stored"].(map[string]any); s["kind"] != "int" {
		t.Errorf("money is stored as %v", s)
	}
	if s := byKey["lookup"]["stored"].(map[string]any); s["virtual"] != true || byKey["lookup"]["computed"] != true {
		t.Errorf("lookup: %v", byKey["lookup"])
	}
	if byKey["formula"]["computed"] != true || byKey["text"]["computed"] != false {
		t.Error("computed flags")
	}
	if got := opsOf(byKey["checkbox"]); strings.Contains(got, "gt") || strings.Contains(got, "contains") {
		t.Errorf("checkbox operators: %s", got)
	}
	if got := opsOf(byKey["text"]); !strings.Contains(got, "startsWith") {
		t.Errorf("text operators: %s", got)
	}
	if s := byKey["address"]["stored"].(map[string]any); s["sub"] == nil {
		t.Errorf("address has no sub-paths: %v", s)
	}
	h.As("").Expect(h.As("").Do("GET", "/api/field-types", nil), 401, "auth.unauthenticated")
}

func opsOf(m map[string]any) string {
	var out []string
	for _, o := range m["operators"].([]any) {
		out = append(out, o.(string))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestPaletteHasEveryServedType: the builder's palette (a list in the UI
// source, which Vitest cannot check against a running server) offers
// every type GET /api/field-types serves, under the same group and titles.
func TestPaletteHasEveryServedType(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "builder-ui", "src", "builder", "form", "palette.ts"))
	if err != nil {
		t.Skipf("no builder-ui source: %v", err)
	}
	src := string(raw)
	infos, err := form.FieldTypeInfos()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range infos {
		want := fmt.Sprintf("{ type: '%s', group: '%s', title: { 'zh-CN': '%s', en: '%s' } }", in.Key, in.Group, in.Label["zh-CN"], in.Label["en"])
		if !strings.Contains(src, want) {
			t.Errorf("the palette lacks %s", want)
		}
	}
}
