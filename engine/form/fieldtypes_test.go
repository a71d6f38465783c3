package form

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// The harness every field type's table test uses, and the tests that hold
// for all types: complete self-descriptions, a full message catalogue.

// ftJSON decodes a JSON value as the API does (numbers as json.Number).
func ftJSON(s string) any {
	v, err := decodeCellJSON(s)
	if err != nil {
		panic(fmt.Sprintf("bad test JSON %s: %v", s, err))
	}
	return v
}

// ftField builds a field of type typ with the settings of a JSON object,
// through DecodeFields as a published form would.
func ftField(t testing.TB, typ, settings string) *Field {
	t.Helper()
	m := map[string]any{}
	if settings != "" {
		if err := json.Unmarshal([]byte(settings), &m); err != nil {
			t.Fatalf("settings %s: %v", settings, err)
		}
	}
	m["key"], m["type"] = "f", typ
	if _, ok := m["label"]; !ok {
		m["label"] = "F"
	}
	raw, _ := json.Marshal(m)
	fs, err := DecodeFields([]json.RawMessage{raw})
	if err != nil {
		t.Fatal(err)
	}
	return fs[0]
}

// ftType returns the registered type typ.
func ftType(t testing.TB, typ string) FieldType {
	t.Helper()
	ft, ok := LookupFieldType(typ)
	if !ok {
		t.Fatalf("type %q is not registered", typ)
	}
	return ft
}

// ftErrs renders errors as sorted "path code" strings.
func ftErrs(fe []errs.FieldError) []string {
	out := []string{}
	for _, e := range fe {
		out = append(out, e.Path+" "+e.Code)
	}
	sort.Strings(out)
	return out
}

// ftSameErrs compares errors with the wanted "path code" strings.
func ftSameErrs(t testing.TB, got []errs.FieldError, want []string) {
	t.Helper()
	w := append([]string{}, want...)
	sort.Strings(w)
	if g := ftErrs(got); !reflect.DeepEqual(g, w) {
		t.Fatalf("errors\n got %q\nwant %q\n(%v)", g, w, got)
	}
}

// ftMessages checks every error is worded in both languages, differently:
// a missing catalogue entry shows as its key.
func ftMessages(t testing.TB, en, zh []errs.FieldError) {
	t.Helper()
	if len(en) != len(zh) {
		t.Fatalf("%d English errors, %d Chinese", len(en), len(zh))
	}
	for i := range en {
		if en[i].Message == "" || strings.HasPrefix(en[i].Message, "field.") || en[i].Message == zh[i].Message {
			t.Fatalf("error %v: en %q, zh %q", en[i].Code, en[i].Message, zh[i].Message)
		}
	}
}

// ntCase is one Normalize case: settings, input, and either the stored
// value or the errors ("path code"; the value's path is "f").
type ntCase struct {
	name     string
	settings string
	in       any
	want     any
	errs     []string
}

// ftNormalize runs Normalize cases of typ; a stored value must normalize
// to itself again unless the type's input and stored units differ.
func ftNormalize(t *testing.T, typ string, idempotent bool, cases []ntCase) {
	t.Helper()
	ft := ftType(t, typ)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := ftField(t, typ, tc.settings)
			got, fe := ft.Normalize(Ctx{Lang: "en", Path: "f"}, f, tc.in)
			_, zh := ft.Normalize(Ctx{Lang: "zh-CN", Path: "f"}, f, tc.in)
			ftSameErrs(t, fe, tc.errs)
			ftMessages(t, fe, zh)
			if len(tc.errs) > 0 {
				if got != nil {
					t.Fatalf("a value with errors: %#v", got)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Normalize(%#v) = %#v; want %#v", tc.in, got, tc.want)
			}
			if idempotent && got != nil {
				again, fe := ft.Normalize(Ctx{Lang: "en", Path: "f"}, f, got)
				if fe != nil || !reflect.DeepEqual(again, got) {
					t.Fatalf("stored %#v normalizes to %#v %v", got, again, fe)
				}
			}
		})
	}
}

// psCase is one Parse case: a cell and the input value or errors.
type psCase struct {
	settings string
	cell     string
	want     any
	errs     []string
}

// ftParse runs Parse cases of typ.
func ftParse(t *testing.T, typ string, cases []psCase) {
	t.Helper()
	ft := ftType(t, typ)
	for _, tc := range cases {
		t.Run(tc.cell, func(t *testing.T) {
			f := ftField(t, typ, tc.settings)
			got, fe := ft.Parse(Ctx{Lang: "en", Path: "f"}, f, tc.cell)
			_, zh := ft.Parse(Ctx{Lang: "zh-CN", Path: "f"}, f, tc.cell)
			ftSameErrs(t, fe, tc.errs)
			ftMessages(t, fe, zh)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Parse(%q) = %#v; want %#v", tc.cell, got, tc.want)
			}
		})
	}
}

// ckCase is one Check case: settings and the errors ("path code", paths
// relative to the field object).
type ckCase struct {
	name     string
	settings string
	errs     []string
}

// ftCheck runs Check cases of typ.
func ftCheck(t *testing.T, typ string, cases []ckCase) {
	t.Helper()
	ft := ftType(t, typ)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fe := ft.Check(ftField(t, typ, tc.settings))
			ftSameErrs(t, fe, tc.errs)
			for _, e := range fe {
				if e.Message == "" || strings.HasPrefix(e.Message, "field.") {
					t.Fatalf("unworded error %v", e)
				}
			}
		})
	}
}

// builtinTypes are the keys this package registers.
var builtinTypes = []string{
	"address", "attachment", "autonumber", "barcode", "checkbox", "date", "datetime", "email",
	"formula", "geolocation", "idcard", "image", "lookup", "money", "multiselect", "number",
	"orgunit", "percent", "phone", "relation", "richtext", "rollup", "select", "subtable",
	"text", "textarea", "user",
}

var specGroups = map[string]bool{
	"basic": true, "choice": true, "contact": true, "relation": true,
	"computed": true, "media": true, "advanced": true,
}

// TestFieldTypeSpecs: every registered type describes itself completely,
// its settings schema compiles, and each example passes that schema and
// the type's Check.
func TestFieldTypeSpecs(t *testing.T) {
	keys := FieldTypeKeys()
	for _, k := range builtinTypes {
		if !contains(keys, k) {
			t.Errorf("built-in type %q is not registered", k)
		}
	}
	for _, k := range keys {
		t.Run(k, func(t *testing.T) {
			ft := ftType(t, k)
			sp := ft.Spec()
			switch {
			case sp.Key != k:
				t.Fatalf("spec key %q", sp.Key)
			case sp.Version < 1:
				t.Fatalf("version %d", sp.Version)
			case sp.Title["zh-CN"] == "" || sp.Title["en"] == "":
				t.Fatalf("titles %v", sp.Title)
			case sp.UIHint == "":
				t.Fatal("no UI hint")
			case !specGroups[sp.Group]:
				t.Fatalf("group %q", sp.Group)
			case len(sp.Examples) == 0:
				t.Fatal("no example")
			}
			schema, err := gojsonschema.NewSchema(gojsonschema.NewBytesLoader(sp.Config))
			if err != nil {
				t.Fatalf("config schema: %v", err)
			}
			for i, ex := range sp.Examples {
				res, err := schema.Validate(gojsonschema.NewBytesLoader(ex))
				if err != nil || !res.Valid() {
					t.Fatalf("example %d against the schema: %v %v", i, err, res.Errors())
				}
				fs, err := DecodeFields([]json.RawMessage{ex})
				if err != nil {
					t.Fatalf("example %d: %v", i, err)
				}
				if fs[0].Type != k {
					t.Fatalf("example %d has type %q", i, fs[0].Type)
				}
				if fe := ft.Check(fs[0]); fe != nil {
					t.Fatalf("example %d fails Check: %v", i, fe)
				}
				st := ft.Stored(fs[0])
				if !validKind(st.Kind) {
					t.Fatalf("stored kind %q", st.Kind)
				}
				if _, err := json.Marshal(ft.Schema(fs[0])); err != nil {
					t.Fatalf("value schema: %v", err)
				}
			}
		})
	}
}

func validKind(k query.Kind) bool { return contains(storedKinds, string(k)) }

// TestStoredKinds pins the stored shape of each built-in type.
func TestStoredKinds(t *testing.T) {
	for _, tc := range []struct {
		typ, settings string
		kind          query.Kind
		array         bool
		sub           []string
	}{
		{"text", "", query.KindString, false, nil},
		{"textarea", "", query.KindString, false, nil},
		{"richtext", "", query.KindString, false, nil},
		{"number", "", query.KindInt, false, nil},
		{"number", `{"precision": 2}`, query.KindDecimal, false, nil},
		{"money", "", query.KindInt, false, nil},
		{"percent", "", query.KindDecimal, false, nil},
		{"date", "", query.KindDate, false, nil},
		{"datetime", "", query.KindTime, false, nil},
		{"select", `{"options": [{"value": "a", "label": "A"}]}`, query.KindString, false, nil},
		{"multiselect", `{"options": [{"value": "a", "label": "A"}]}`, query.KindString, true, nil},
		{"checkbox", "", query.KindBool, false, nil},
		{"phone", "", query.KindString, false, nil},
		{"email", "", query.KindString, false, nil},
		{"idcard", "", query.KindString, false, nil},
		{"address", "", query.KindString, false, []string{"province string", "city string", "district string", "detail string"}},
		{"user", "", query.KindString, false, nil},
		{"user", `{"multiple": true}`, query.KindString, true, nil},
		{"orgunit", `{"multiple": true}`, query.KindString, true, nil},
		{"relation", `{"form": "members"}`, query.KindString, false, nil},
		{"relation", `{"form": "tags", "multiple": true}`, query.KindString, true, nil},
		{"lookup", `{"relation": "member", "field": "name"}`, query.KindString, false, nil},
		{"lookup", `{"relation": "member", "field": "birthday", "kind": "date"}`, query.KindDate, false, nil},
		{"rollup", `{"form": "orders", "via": "member", "op": "count"}`, query.KindInt, false, nil},
		{"rollup", `{"form": "orders", "via": "member", "op": "sum", "field": "amount", "kind": "int"}`, query.KindInt, false, nil},
		{"rollup", `{"form": "orders", "via": "member", "op": "avg", "field": "amount"}`, query.KindDecimal, false, nil},
		{"formula", `{"expression": "a", "resultType": "money"}`, query.KindInt, false, nil},
		{"formula", `{"expression": "a", "resultType": "datetime"}`, query.KindTime, false, nil},
		{"formula", `{"expression": "a"}`, query.KindString, false, nil},
		{"autonumber", "", query.KindString, false, nil},
		{"subtable", `{"fields": [{"key": "a", "type": "text", "label": "A"}]}`, query.KindString, true, nil},
		{"attachment", "", query.KindString, true, nil},
		{"image", "", query.KindString, true, nil},
		{"geolocation", "", query.KindString, false, []string{"lat decimal", "lng decimal"}},
		{"barcode", "", query.KindString, false, nil},
	} {
		t.Run(tc.typ+tc.settings, func(t *testing.T) {
			st := ftType(t, tc.typ).Stored(ftField(t, tc.typ, tc.settings))
			var sub []string
			for _, s := range st.Sub {
				sub = append(sub, s.Path+" "+string(s.Kind))
			}
			if st.Kind != tc.kind || st.Array != tc.array || !reflect.DeepEqual(sub, tc.sub) {
				t.Fatalf("Stored = %v %v %v; want %v %v %v", st.Kind, st.Array, sub, tc.kind, tc.array, tc.sub)
			}
		})
	}
}

// TestComputedTypes: exactly the engine-computed types say so.
func TestComputedTypes(t *testing.T) {
	for _, k := range builtinTypes {
		want := k == "formula" || k == "lookup" || k == "rollup" || k == "autonumber"
		if got := isComputed(ftType(t, k)); got != want {
			t.Errorf("%s: Computed = %v", k, got)
		}
	}
}

// TestMessageCatalogue: every message has both languages with the same
// verbs, so a format never renders %!d(MISSING).
func TestMessageCatalogue(t *testing.T) {
	for key, m := range fieldTypeMessages {
		if m[0] == "" || m[1] == "" || verbs(m[0]) != verbs(m[1]) {
			t.Errorf("%s: %q / %q", key, m[0], m[1])
		}
	}
	if got := typeMessage("en-US", "field.max_length", 5); got != "at most 5 characters" {
		t.Errorf("en-US: %q", got)
	}
	if got := typeMessage("", "field.max_length", 5); got != "最多 5 个字符" {
		t.Errorf("default: %q", got)
	}
}

func verbs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			b.WriteByte(s[i+1])
			i++
		}
	}
	return b.String()
}

// TestCheckSchemaPaths: schema errors point at the setting, with array
// indices in brackets and required properties named.
func TestCheckSchemaPaths(t *testing.T) {
	ftCheck(t, "select", []ckCase{
		{"option label type", `{"options": [{"value": "a", "label": "A"}, {"value": "b", "label": 3}]}`,
			[]string{"options[1].label field.config"}},
		{"option without label", `{"options": [{"value": "a"}]}`, []string{"options[0].label field.config"}},
	})
	ftCheck(t, "relation", []ckCase{{"form missing", ``, []string{"form field.config"}}})
	ftCheck(t, "text", []ckCase{{"wrong type", `{"maxLength": "x", "minLength": -1}`,
		[]string{"maxLength field.config", "minLength field.config"}}})
}

// TestSettingsCacheBound: the cache of decoded settings never outgrows
// its bound, and a changed definition gets fresh settings.
func TestSettingsCacheBound(t *testing.T) {
	ft := ftType(t, "text")
	for i := 0; i < settingsCacheMax+10; i++ {
		f := ftField(t, "text", fmt.Sprintf(`{"maxLength": %d}`, i+1))
		_, fe := ft.Normalize(Ctx{Lang: "en", Path: "f"}, f, strings.Repeat("x", i+2))
		ftSameErrs(t, fe, []string{"f field.max_length"})
	}
	settingsCache.RLock()
	n := len(settingsCache.m)
	settingsCache.RUnlock()
	if n > settingsCacheMax {
		t.Fatalf("%d cached settings", n)
	}
}
