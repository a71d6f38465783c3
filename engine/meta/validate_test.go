package meta

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
)

// TestValidExamples keeps one complete, valid spec per kind in
// testdata/valid: documentation of the meta-schemas that cannot go stale.
func TestValidExamples(t *testing.T) {
	for _, b := range builtinKinds {
		k := string(b.kind)
		t.Run(k, func(t *testing.T) {
			spec, err := os.ReadFile("testdata/valid/" + k + ".json")
			if err != nil {
				t.Fatalf("every kind needs an example: %v", err)
			}
			d := Definition{Kind: Kind(k), App: "crm", Key: "x", Spec: spec}
			if d.Kind == KindApp {
				d.Key = "crm"
			}
			if err := Validate(d); err != nil {
				t.Fatal(err)
			}
		})
	}
}

type invalidCase struct {
	name string
	kind Kind
	spec string
	want []string // "path code", in path order
}

// TestValidationErrors checks that each problem is reported, with its exact
// path and code, and that all problems are reported at once.
func TestValidationErrors(t *testing.T) {
	cases := []invalidCase{
		{"app/menu", KindApp, `{"title":{"zh-CN":"会员","x y":"?"},"color":"blue","navigation":[{"key":"a","title":"A"},{"key":"a","title":"B","target":{"kind":"flow","key":"x"}},{"key":"c","title":"C","children":[{"key":"a","title":"D","url":"/d"}]}]}`, []string{
			"spec.color meta.pattern",
			`spec.navigation[0] meta.menu_item`,
			"spec.navigation[1].key meta.duplicate",
			"spec.navigation[1].target.kind meta.enum",
			"spec.navigation[2].children[0].key meta.duplicate",
			`spec.title["x y"] meta.property_name`,
		}},
		{"app/missing title", KindApp, `{}`, []string{"spec.title meta.required"}},
		{"form/fields", KindForm, `{"title":"T","fields":[{"key":"a","type":"text","label":"A"},{"key":"b","type":"Text","label":{"zh-CN":1}},{"key":"a","type":5,"label":""},{"type":"text","label":"L","options":[{"value":"x","label":"X"},{"value":"x","label":"Y","extra":1}]}],"bogus":true}`, []string{
			"spec.bogus meta.unknown_property",
			"spec.fields[1].label.zh-CN meta.type",
			"spec.fields[1].type meta.pattern",
			"spec.fields[2].key meta.duplicate",
			"spec.fields[2].label meta.length",
			"spec.fields[2].type meta.type",
			"spec.fields[3].key meta.required",
			"spec.fields[3].options[1].extra meta.unknown_property",
			"spec.fields[3].options[1].value meta.duplicate",
		}},
		{"form/subtable and layout", KindForm, `{"title":"T","titleField":"nope","fields":[{"key":"lines","type":"subtable","label":"L","fields":[{"key":"sku","type":"text","label":"S"},{"key":"sku","type":"text","label":"S2"},{"key":"_x","type":"text","label":"X"}]}],"layout":{"sections":[{"fields":["lines","ghost","lines"],"columns":9}]}}`, []string{
			"spec.fields[0].fields[1].key meta.duplicate",
			"spec.fields[0].fields[2].key meta.pattern",
			"spec.layout.sections[0].columns meta.range",
			"spec.layout.sections[0].fields[1] meta.unknown_field",
			"spec.layout.sections[0].fields[2] meta.duplicate",
			"spec.titleField meta.unknown_field",
		}},
		{"form/not an object", KindForm, `[1,2]`, []string{"spec meta.spec"}},
		{"view", KindView, `{"title":"V","form":"Members","type":"grid","columns":[{"field":"a"},{"field":"a","width":1},{"field":"a..b"}],"filter":[1]}`, []string{
			"spec.columns[1].field meta.duplicate",
			"spec.columns[1].width meta.range",
			"spec.columns[2].field meta.pattern",
			"spec.filter meta.type",
			"spec.form meta.pattern",
			"spec.type meta.enum",
		}},
		{"flow", KindFlow, `{"title":"F","form":"orders","initial":"start","states":[{"key":"draft"},{"key":"draft"},{"key":"done","type":"final","onEnter":[{"type":"Bad"}]}],"transitions":[{"trigger":"go","from":["draft","ghost"],"to":"done"},{"trigger":"go","from":"draft","to":"nowhere"},{"trigger":"back","from":"done","to":"draft"},{"trigger":"x","from":[],"to":"draft"}]}`, []string{
			"spec.initial meta.unknown_state",
			"spec.states[1].key meta.duplicate",
			"spec.states[2].onEnter[0].type meta.pattern",
			"spec.transitions[0].from[1] meta.unknown_state",
			"spec.transitions[1].to meta.unknown_state",
			"spec.transitions[1].trigger meta.ambiguous_trigger",
			"spec.transitions[2].from meta.final_state",
			"spec.transitions[3].from meta.items",
		}},
		{"flow/required", KindFlow, `{"title":"F"}`, []string{
			"spec.form meta.required", "spec.initial meta.required", "spec.states meta.required", "spec.transitions meta.required",
		}},
		{"automation", KindAutomation, `{"title":"A","trigger":{"config":{}},"actions":[{"id":"a","type":"record.create"},{"id":"a","type":"x","config":[]}],"retry":{"maxAttempts":0}}`, []string{
			"spec.actions[1].config meta.type",
			"spec.actions[1].id meta.duplicate",
			"spec.retry.maxAttempts meta.range",
			"spec.trigger.type meta.required",
		}},
		{"rule", KindRule, `{"title":"R","hitPolicy":"sum","inputs":[{"key":"tier","type":"string"},{"key":"tier","type":"int"}],"outputs":[{"key":"label","type":"string"},{"key":"tier","type":"int"}],"rows":[{"when":{"tier":"gold","ghost":1},"then":{"label":"x","nope":2},"validFrom":"2026-13-45"},{"when":{}}]}`, []string{
			"spec.inputs[1].key meta.duplicate",
			"spec.outputs[0].type meta.sum_type",
			"spec.outputs[1].key meta.duplicate",
			"spec.rows[0].then.nope meta.unknown_column",
			"spec.rows[0].validFrom meta.format",
			"spec.rows[0].when.ghost meta.unknown_column",
			"spec.rows[1].then meta.required",
		}},
		{"rule/hit policy", KindRule, `{"title":"R","hitPolicy":"any","inputs":[],"outputs":[{"key":"o","type":"money"}],"rows":[]}`, []string{
			"spec.hitPolicy meta.enum",
			"spec.inputs meta.items",
			"spec.outputs[0].type meta.enum",
		}},
		{"action", KindAction, `{"title":"A","input":{"type":"object","properties":{"a":{"$ref":"https://evil.example/x.json"}}},"output":{"type":"strng"},"script":"","timeoutMs":60000}`, []string{
			"spec.input.properties.a.$ref meta.remote_ref",
			"spec.output meta.json_schema",
			"spec.script meta.length",
			"spec.timeoutMs meta.range",
		}},
		{"report", KindReport, `{"title":"R","dataset":{},"dimensions":[{"field":"store"},{"field":"paidAt","bucket":"hour"}],"measures":[{"op":"count","field":"x"},{"op":"sum"},{"op":"formula"},{"op":"max","field":"store","as":"store"},{"op":"median","field":"a"}]}`, []string{
			"spec.dataset.form meta.required",
			"spec.dimensions[1].bucket meta.enum",
			"spec.measures[0].field meta.measure",
			"spec.measures[1].field meta.measure",
			"spec.measures[2].as meta.measure",
			"spec.measures[2].formula meta.measure",
			"spec.measures[3].as meta.duplicate",
			"spec.measures[4].op meta.enum",
		}},
		{"dashboard", KindDashboard, `{"title":"D","widgets":[{"id":"a","x":0,"y":0,"w":12,"h":4,"report":"r"},{"id":"a","x":20,"y":0,"w":6,"h":4,"report":"r"},{"x":-1,"y":0,"w":0,"h":4}]}`, []string{
			"spec.widgets[1].id meta.duplicate",
			"spec.widgets[1].w meta.grid",
			"spec.widgets[2].report meta.required",
			"spec.widgets[2].w meta.range",
			"spec.widgets[2].x meta.range",
		}},
		{"page", KindPage, `{"title":"P","blocks":[{"id":"a","type":"text"},{"id":"a","type":"view","span":30},{"config":{}}]}`, []string{
			"spec.blocks[1].id meta.duplicate",
			"spec.blocks[1].span meta.range",
			"spec.blocks[2].type meta.required",
		}},
		{"role", KindRole, `{"title":"R","permissions":[{"kind":"form","key":"members","actions":["read"]},{"kind":"form","key":"members","actions":["read","read"]},{"kind":"user","key":"*","actions":[]},{"kind":"form","key":"Bad Key","actions":["read"],"fields":{"phone":"blurred"}}]}`, []string{
			"spec.permissions[1].actions meta.duplicate",
			"spec.permissions[1].key meta.duplicate",
			"spec.permissions[2].actions meta.items",
			"spec.permissions[2].kind meta.enum",
			"spec.permissions[3].fields.phone meta.enum",
			"spec.permissions[3].key meta.pattern",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "x"
			if tc.kind == KindApp {
				key = "crm"
			}
			err := Validate(Definition{Kind: tc.kind, App: "crm", Key: key, Spec: json.RawMessage(tc.spec)})
			assertFields(t, err, tc.want)
		})
	}
}

func TestValidateIdentity(t *testing.T) {
	spec := json.RawMessage(`{"title":"T","fields":[]}`)
	for _, tc := range []struct {
		name string
		d    Definition
		want []string
	}{
		{"bad names", Definition{Kind: KindForm, App: "Crm", Key: "1x", Spec: spec}, []string{"app meta.bad_name", "key meta.bad_name"}},
		{"colon in key", Definition{Kind: KindForm, App: "crm", Key: "a:b", Spec: spec}, []string{"key meta.bad_name"}},
		{"app key", Definition{Kind: KindApp, App: "crm", Key: "other", Spec: json.RawMessage(`{"title":"T"}`)}, []string{"key meta.app_key"}},
		{"unknown kind", Definition{Kind: "widget", App: "crm", Key: "x", Spec: spec}, []string{"kind meta.unknown_kind"}},
		{"future schemaVersion", Definition{Kind: KindForm, App: "crm", Key: "x", SchemaVersion: 3, Spec: spec}, []string{"schemaVersion meta.schema_version"}},
		{"no spec", Definition{Kind: KindForm, App: "crm", Key: "x"}, []string{"spec meta.spec"}},
		{"trailing data", Definition{Kind: KindForm, App: "crm", Key: "x", Spec: json.RawMessage(`{} {}`)}, []string{"spec meta.spec"}},
	} {
		t.Run(tc.name, func(t *testing.T) { assertFields(t, Validate(tc.d), tc.want) })
	}
}

// TestValidateUpgradesOldFormat: a schemaVersion 1 form (fields with
// "name") is migrated before validation and stored in the current format.
func TestValidateUpgradesOldFormat(t *testing.T) {
	d, fe := prepare(Definition{Kind: KindForm, App: "crm", Key: "x", SchemaVersion: 1,
		Spec: json.RawMessage(`{"title":"T","fields":[{"name":"a","type":"text","label":"A <b>"}]}`)}, "")
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	if d.SchemaVersion != 2 || string(d.Spec) != `{"fields":[{"key":"a","label":"A <b>","type":"text"}],"title":"T"}` {
		t.Fatalf("got v%d %s", d.SchemaVersion, d.Spec)
	}
	// Without the upgrade the same spec is invalid in the current format.
	err := Validate(Definition{Kind: KindForm, App: "crm", Key: "x", SchemaVersion: 2,
		Spec: json.RawMessage(`{"title":"T","fields":[{"name":"a","type":"text","label":"A"}]}`)})
	assertFields(t, err, []string{"spec.fields[0].key meta.required"})
}

func TestPathRendering(t *testing.T) {
	// Object keys that look like indexes or hold dots are rendered so the
	// path stays unambiguous.
	err := Validate(Definition{Kind: KindRole, App: "crm", Key: "r", Spec: json.RawMessage(
		`{"title":"R","permissions":[{"kind":"form","key":"m","actions":["read"],"fields":{"0":"x","a.b":"hidden"}}]}`)})
	assertFields(t, err, []string{
		"spec.permissions[0].fields.0 meta.enum",
		"spec.permissions[0].fields.0 meta.property_name",
		`spec.permissions[0].fields["a.b"] meta.property_name`,
	})
}

func assertFields(t *testing.T, err error, want []string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error = %v; want a meta.invalid error", err)
	}
	if e.Class != errs.Unprocessable || e.Code != "meta.invalid" {
		t.Fatalf("error %s (class %d); want meta.invalid (422)", e.Code, e.Class)
	}
	var got []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("%s has no message", f.Path)
		}
		got = append(got, f.Path+" "+f.Code)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fields:\n  %s\nwant:\n  %s\n(%v)", strings.Join(got, "\n  "), strings.Join(want, "\n  "), err)
	}
}
