package form

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/query"
)

// What the built-in field types share: the self-description and its
// settings check, a cache of decoded settings, and readers for the shapes
// of input values. Each type keeps its own behaviour in fieldtype_<key>.go.

// typeSpec carries a type's self-description; types embed it.
type typeSpec struct{ spec ext.Spec }

// Spec describes the type.
func (b typeSpec) Spec() ext.Spec { return b.spec }

// newSpec builds the spec of a built-in type. config is the JSON Schema of
// the type's settings as they sit on the field object (next to key, label
// and the other common properties, hence additionalProperties) and example
// is one whole field object using them.
func newSpec(key, zh, en, uiHint, group, config, example string) typeSpec {
	return typeSpec{ext.Spec{
		Key:      key,
		Version:  1,
		Title:    map[string]string{"zh-CN": zh, "en": en},
		Config:   json.RawMessage(config),
		Examples: []json.RawMessage{json.RawMessage(example)},
		UIHint:   uiHint,
		Group:    group,
	}}
}

// configSchemas holds each built-in type's compiled settings schema.
var configSchemas sync.Map // key -> *gojsonschema.Schema

// registerType compiles the type's settings schema and registers it. A
// schema that does not compile panics at start-up, like a duplicate key:
// the spec drives validation, so a broken one must never ship.
func registerType(t FieldType) {
	sp := t.Spec()
	s, err := gojsonschema.NewSchema(gojsonschema.NewBytesLoader(sp.Config))
	if err != nil {
		panic(fmt.Sprintf("form: field type %q: settings schema: %v", sp.Key, err))
	}
	configSchemas.Store(sp.Key, s)
	RegisterFieldType(t)
}

// checkConfig validates the field object's settings against the type's
// schema, so what the builder is told (Spec.Config) and what the engine
// accepts can never drift apart. Semantic checks follow in each type.
func checkConfig(key string, f *Field) []errs.FieldError {
	v, ok := configSchemas.Load(key)
	if !ok {
		return nil
	}
	raw := []byte(f.Raw)
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	res, err := v.(*gojsonschema.Schema).Validate(gojsonschema.NewBytesLoader(raw))
	if err != nil {
		return []errs.FieldError{settingErr("", "field.config", "the field is not a JSON object")}
	}
	var fe []errs.FieldError
	for _, e := range res.Errors() {
		path := schemaPath(e.Field())
		if e.Type() == "required" {
			path = joinPath(path, fmt.Sprint(e.Details()["property"]))
		}
		fe = append(fe, settingErr(path, "field.config", e.Description()))
	}
	return fe
}

// schemaPath turns gojsonschema's "options.0.value" into "options[0].value".
func schemaPath(p string) string {
	if p == "(root)" {
		return ""
	}
	var b strings.Builder
	for i, part := range strings.Split(p, ".") {
		if _, err := strconv.Atoi(part); err == nil {
			b.WriteString("[" + part + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

// settingsKey identifies decoded settings: the type and the field's JSON.
type settingsKey struct{ typ, raw string }

// settingsCache keeps decoded (and prepared: compiled patterns, loaded
// zones) settings, since Normalize runs for every value of every import
// row. Forms are few and their fields fewer, so the cache is simply
// dropped when it grows past its bound instead of tracking use.
var settingsCache = struct {
	sync.RWMutex
	m map[settingsKey]any
}{m: map[settingsKey]any{}}

const settingsCacheMax = 4096

// settingsOf decodes the field's settings into T and runs prep on them,
// once per distinct field definition. Settings that do not decode leave
// their defaults: Check reported them when the definition was saved.
func settingsOf[T any](typ string, f *Field, prep func(*T)) *T {
	k := settingsKey{typ, string(f.Raw)}
	settingsCache.RLock()
	v, ok := settingsCache.m[k]
	settingsCache.RUnlock()
	if s, isT := v.(*T); ok && isT {
		return s
	}
	s := new(T)
	if len(f.Raw) > 0 {
		_ = json.Unmarshal(f.Raw, s)
	}
	if prep != nil {
		prep(s)
	}
	settingsCache.Lock()
	if len(settingsCache.m) >= settingsCacheMax {
		settingsCache.m = map[settingsKey]any{}
	}
	settingsCache.m[k] = s
	settingsCache.Unlock()
	return s
}

// Operator sets of fields whose values are codes or structures rather
// than free text.
var (
	opsChoice = []query.Op{query.OpEq, query.OpNe, query.OpIn, query.OpNin, query.OpExists}
	opsList   = []query.Op{query.OpEq, query.OpNe, query.OpIn, query.OpNin, query.OpExists, query.OpContains}
	opsExists = []query.Op{query.OpExists}
)

// asText reads a string input; ok is false (with the error) otherwise.
func asText(c Ctx, v any) (string, []errs.FieldError) {
	s, ok := v.(string)
	if !ok {
		return "", []errs.FieldError{c.failAs("field.type", "field.type.text")}
	}
	if !utf8.ValidString(s) {
		return "", []errs.FieldError{c.failAs("field.type", "field.type.utf8")}
	}
	return s, nil
}

// trimmedText reads a string input without surrounding white space. A
// blank string means "no value": forms send "" for untouched inputs and
// an empty import cell is no value either, so it normalizes to nil.
func trimmedText(c Ctx, v any) (string, bool, []errs.FieldError) {
	s, fe := asText(c, v)
	if fe != nil {
		return "", false, fe
	}
	s = strings.TrimSpace(s)
	return s, s != "", nil
}

// asList reads an array input (JSON arrays decode to []any; Go callers
// may pass []string).
func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// asObject reads an object input.
func asObject(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}

// unknownKeys reports properties of an object input outside allowed, in
// key order so errors are deterministic.
func unknownKeys(c Ctx, m map[string]any, allowed ...string) []errs.FieldError {
	var fe []errs.FieldError
	for _, k := range sortedKeys(m) {
		if !contains(allowed, k) {
			fe = append(fe, c.at(k).fail("field.unknown", k))
		}
	}
	return fe
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cellText trims an import cell; an empty cell is no value.
func cellText(cell string) (string, bool) {
	s := strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff"))
	return s, s != ""
}

// cellList splits a multi-value import cell on the separators people use
// in spreadsheets, Chinese ones included.
func cellList(cell string) []any {
	parts := strings.FieldsFunc(cell, func(r rune) bool {
		switch r {
		case ',', '，', ';', '；', '、', '\n', '\r':
			return true
		}
		return false
	})
	out := []any{}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// decodeCellJSON decodes a JSON cell keeping numbers exact.
func decodeCellJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// cellArray reads a cell that must hold a JSON array (references, rows).
func cellArray(c Ctx, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	v, err := decodeCellJSON(s)
	if _, isList := v.([]any); err != nil || !isList {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.cell", s)}
	}
	return v, nil
}

// cellObject decodes a trimmed cell holding a JSON object; ok is false for
// any other cell, which the type then reads its own way.
func cellObject(s string) (any, bool) {
	if !strings.HasPrefix(s, "{") {
		return nil, false
	}
	v, err := decodeCellJSON(s)
	return v, err == nil
}

// refRe is the shape of a record, user or unit id: what store.NewID makes
// and the readable ids imports and templates use ("store_001").
var refRe = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,127}$`)

// refSettings are the settings of the fields holding ids.
type refSettings struct {
	Multiple bool `json:"multiple"`
	MaxItems *int `json:"maxItems"`
}

// refStored is the stored shape of an id field.
func refStored(multiple bool) Stored {
	return Stored{Kind: query.KindString, Array: multiple, Ops: opsList}
}

// refSchema is the JSON Schema of an id field's stored value.
func refSchema(s *refSettings) map[string]any {
	one := map[string]any{"type": "string", "pattern": refRe.String()}
	if !s.Multiple {
		return one
	}
	out := map[string]any{"type": "array", "items": one, "uniqueItems": true}
	if s.MaxItems != nil {
		out["maxItems"] = *s.MaxItems
	}
	return out
}

// normalizeRefs checks one id, or a list of distinct ids when multiple.
// Whether the ids exist (and may be seen) is the records service's check.
func normalizeRefs(c Ctx, s *refSettings, v any) (any, []errs.FieldError) {
	if !s.Multiple {
		id, ok, fe := trimmedText(c, v)
		if fe != nil || !ok {
			return nil, fe
		}
		if !refRe.MatchString(id) {
			return nil, []errs.FieldError{c.fail("field.ref")}
		}
		return id, nil
	}
	list, ok := asList(v)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.array")}
	}
	var fe []errs.FieldError
	out := make([]any, 0, len(list))
	seen := map[string]bool{}
	for i, it := range list {
		ec := c.at("[" + strconv.Itoa(i) + "]")
		id, ok, bad := trimmedText(ec, it)
		switch {
		case bad != nil:
			fe = append(fe, bad...)
		case !ok || !refRe.MatchString(id):
			fe = append(fe, ec.fail("field.ref"))
		case seen[id]:
			fe = append(fe, ec.fail("field.duplicate", id))
		default:
			seen[id] = true
			out = append(out, id)
		}
	}
	if s.MaxItems != nil && len(list) > *s.MaxItems {
		fe = append(fe, c.fail("field.max_items", *s.MaxItems))
	}
	if fe != nil {
		return nil, fe
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// parseRefs reads ids from an import cell: one id, or several separated
// as in cellList when multiple. Names are not resolved here (that needs
// the directory); the records importer may map them first.
func parseRefs(s *refSettings, cell string) any {
	t, ok := cellText(cell)
	if !ok {
		return nil
	}
	if s.Multiple {
		return cellList(t)
	}
	return t
}

// refConfig is the settings schema shared by the id fields.
const refConfig = `"multiple": {"type": "boolean", "description": "hold several ids (an array)"},
    "maxItems": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "at most this many ids when multiple"}`

// computedType marks the types whose values the engine computes
// (formula, lookup, rollup, auto-number); clients cannot write them.
type computedType struct{}

// Computed reports that clients cannot write the field.
func (computedType) Computed() bool { return true }

var _ Computed = computedType{}

// storedKinds are the kinds a computed field may declare for its value.
var storedKinds = []string{
	string(query.KindString), string(query.KindInt), string(query.KindDecimal),
	string(query.KindBool), string(query.KindDate), string(query.KindTime),
}

// normalizeKind checks a value of a computed field against its stored
// kind and returns it in stored form. The engine writes computed values
// itself; this serves restores and imports of historical values.
func normalizeKind(c Ctx, k query.Kind, v any) (any, []errs.FieldError) {
	switch k {
	case query.KindInt, query.KindDecimal:
		d, ok, fe := decimalOf(c, v)
		if fe != nil || !ok {
			return nil, fe
		}
		if k == query.KindDecimal {
			return json.Number(d.String()), nil
		}
		i, ok := d.scaled(0)
		if !ok {
			return nil, []errs.FieldError{c.failAs("field.precision", "field.precision.int")}
		}
		return i, nil
	case query.KindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.bool")}
	}
	s, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	switch k {
	case query.KindDate:
		if _, ok := validDate(s); !ok {
			return nil, []errs.FieldError{c.fail("field.date")}
		}
	case query.KindTime:
		t, ok := parseDateTime(s, query.DefaultLocation)
		if !ok {
			return nil, []errs.FieldError{c.fail("field.datetime")}
		}
		s = query.FormatTime(t)
	}
	return s, nil
}

// kindSchema is the JSON Schema of a stored value of kind k.
func kindSchema(k query.Kind) map[string]any {
	switch k {
	case query.KindInt:
		return map[string]any{"type": "integer"}
	case query.KindDecimal:
		return map[string]any{"type": "number"}
	case query.KindBool:
		return map[string]any{"type": "boolean"}
	case query.KindDate:
		return map[string]any{"type": "string", "format": "date"}
	case query.KindTime:
		return map[string]any{"type": "string", "format": "date-time"}
	}
	return map[string]any{"type": "string"}
}

// decodeSettings decodes the field's settings afresh (Check wants them as
// written, without the defaults settingsOf fills in).
func decodeSettings(f *Field, v any) error {
	if len(f.Raw) == 0 {
		return nil
	}
	return json.Unmarshal(f.Raw, v)
}
