package form

import (
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// lookup shows a field of the record a relation field of the same form
// points at (an order's member name). The records service resolves it on
// read; kind says what the looked-up value is so filters and the UI can
// treat it right.
type lookupType struct {
	typeSpec
	computedType
}

type lookupSettings struct {
	Relation string `json:"relation"`
	Field    string `json:"field"`
	Kind     string `json:"kind"`
}

func init() {
	registerType(&lookupType{typeSpec: newSpec("lookup", "引用字段", "Lookup", "display.lookup", "computed", `{
  "type": "object",
  "required": ["relation", "field"],
  "properties": {
    "relation": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$", "description": "relation field of this form"},
    "field": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$", "description": "field of the related form to show"},
    "kind": {"enum": ["string", "int", "decimal", "bool", "date", "time"], "default": "string", "description": "stored kind of the shown value"}
  }
}`, `{"key": "memberName", "type": "lookup", "label": {"zh-CN": "会员姓名", "en": "Member name"}, "relation": "member", "field": "name"}`)})
}

func (t *lookupType) settings(f *Field) *lookupSettings {
	return settingsOf(t.spec.Key, f, func(s *lookupSettings) {
		if !contains(storedKinds, s.Kind) {
			s.Kind = string(query.KindString)
		}
	})
}

// Check validates the settings; that the relation field exists is the
// form's check, which sees all fields.
func (t *lookupType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is the declared kind of the looked-up value.
func (t *lookupType) Stored(f *Field) Stored { return Stored{Kind: query.Kind(t.settings(f).Kind)} }

// Schema is a value of the declared kind.
func (t *lookupType) Schema(f *Field) map[string]any {
	return kindSchema(query.Kind(t.settings(f).Kind))
}

// Normalize checks a value of the declared kind.
func (t *lookupType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	return normalizeKind(c, query.Kind(t.settings(f).Kind), v)
}

// Parse ignores the cell: lookups are shown, never imported.
func (t *lookupType) Parse(Ctx, *Field, string) (any, []errs.FieldError) { return nil, nil }
