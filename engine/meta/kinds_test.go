package meta

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta/migrate"
)

func TestKindNames(t *testing.T) {
	// Other tests register kinds of their own; the built-ins must all be there.
	want := "action app automation dashboard flow form page report role rule view"
	names := " " + strings.Join(KindNames(), " ") + " "
	for _, k := range strings.Fields(want) {
		if !strings.Contains(names, " "+k+" ") {
			t.Errorf("KindNames() = %s; missing %s", names, k)
		}
	}
	if ks, ok := LookupKind(KindForm); !ok || ks.SchemaVersion != 2 {
		t.Fatalf("form: %+v %v; want schemaVersion 2", ks, ok)
	}
}

// TestEveryKindCanBeUpgraded: a kind at schemaVersion N needs a step from
// every older version, or definitions stored by an older server could not
// be read.
func TestEveryKindCanBeUpgraded(t *testing.T) {
	for _, k := range KindNames() {
		ks, _ := LookupKind(Kind(k))
		for v := 1; v < ks.SchemaVersion; v++ {
			if !migrate.Has(k, v) {
				t.Errorf("kind %s is at schemaVersion %d but has no step from %d", k, ks.SchemaVersion, v)
			}
		}
	}
}

func TestRegisterKindPanics(t *testing.T) {
	good := []byte(`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`)
	for _, tc := range []struct {
		name string
		spec KindSpec
		want string
	}{
		{"duplicate", KindSpec{Kind: KindForm, SchemaVersion: 1, Schema: good}, `key "form" registered twice`},
		{"bad name", KindSpec{Kind: "Widget", SchemaVersion: 1, Schema: good}, "bad kind spec"},
		{"no version", KindSpec{Kind: "widget", Schema: good}, "bad kind spec"},
		{"bad schema", KindSpec{Kind: "widget", SchemaVersion: 1, Schema: []byte(`{"type":"strng"}`)}, "meta-schema of kind"},
		{"not json", KindSpec{Kind: "widget", SchemaVersion: 1, Schema: []byte(`{`)}, "meta-schema of kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), tc.want) {
					t.Fatalf("panic = %v; want %q", p, tc.want)
				}
			}()
			RegisterKind(tc.spec)
		})
	}
	if _, ok := LookupKind("widget"); ok {
		t.Fatal("a refused kind was registered")
	}
}

// TestPluginKind registers a kind as a plugin would, with a schema that uses
// the shared building blocks and a semantic check, and validates with it.
func TestPluginKind(t *testing.T) {
	registerWidget.Do(registerTestWidget)
	err := Validate(Definition{Kind: "test-widget", App: "crm", Key: "w", Spec: json.RawMessage(`{"title":{"en":3},"size":11}`)})
	assertFields(t, err, []string{"spec.size test.too_big", "spec.title.en meta.type"})
}

// registerWidget keeps -count=N runs from registering the kind twice.
var registerWidget sync.Once

func registerTestWidget() {
	RegisterKind(KindSpec{
		Kind:          "test-widget",
		SchemaVersion: 1,
		Schema: []byte(`{"$schema":"http://json-schema.org/draft-07/schema#","$id":"https://tangram.dev/schemas/meta/test-widget.json",
			"type":"object","required":["title"],"properties":{"title":{"$ref":"common.json#/definitions/text"},"size":{"type":"integer"}}}`),
		Check: func(spec json.RawMessage) []errs.FieldError {
			var w struct{ Size int }
			decodeLoose(spec, &w)
			if w.Size > 10 {
				return []errs.FieldError{{Path: "size", Code: "test.too_big", Message: "too big"}}
			}
			return nil
		},
	})
}

// TestAddCheck: a check added by another engine runs after the kind's own,
// with its paths under "spec".
func TestAddCheck(t *testing.T) {
	registerWidget.Do(registerTestWidget)
	addWidgetCheck.Do(func() {
		AddCheck("test-widget", func(spec json.RawMessage) []errs.FieldError {
			var w struct{ Size int }
			decodeLoose(spec, &w)
			if w.Size < 0 {
				return []errs.FieldError{{Path: "size", Code: "test.negative", Message: "negative"}}
			}
			return nil
		})
	})
	err := Validate(Definition{Kind: "test-widget", App: "crm", Key: "w", Spec: json.RawMessage(`{"title":"w","size":-1}`)})
	assertFields(t, err, []string{"spec.size test.negative"})
	if err := Validate(Definition{Kind: "test-widget", App: "crm", Key: "w", Spec: json.RawMessage(`{"title":"w","size":1}`)}); err != nil {
		t.Fatalf("valid widget: %v", err)
	}
}

var addWidgetCheck sync.Once
