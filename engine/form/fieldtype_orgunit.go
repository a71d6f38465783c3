package form

import (
	"github.com/tangram/tangram/engine/errs"
)

// orgunit holds the id of an organization unit (a member's home store, a
// campaign's region), or several when multiple. Row scopes such as "the
// store manager sees the store" filter on these ids.
type orgunitType struct{ typeSpec }

func init() {
	registerType(&orgunitType{newSpec("orgunit", "部门/门店", "Org unit", "picker.orgunit", "relation", `{
  "type": "object",
  "properties": {
    `+refConfig+`,
    "defaultToCurrent": {"type": "boolean", "description": "preset the signed-in user's unit on new records"}
  }
}`, `{"key": "homeStore", "type": "orgunit", "label": {"zh-CN": "归属门店", "en": "Home store"}, "defaultToCurrent": true}`)})
}

func (t *orgunitType) settings(f *Field) *refSettings {
	return settingsOf[refSettings](t.spec.Key, f, nil)
}

// Check validates the settings against the schema.
func (t *orgunitType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is a unit id, or an array of them when multiple.
func (t *orgunitType) Stored(f *Field) Stored { return refStored(t.settings(f).Multiple) }

// Schema is an id or an array of distinct ids.
func (t *orgunitType) Schema(f *Field) map[string]any { return refSchema(t.settings(f)) }

// Normalize checks the id (or ids).
func (t *orgunitType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	return normalizeRefs(c, t.settings(f), v)
}

// Parse reads an id, or several separated by commas when multiple.
func (t *orgunitType) Parse(_ Ctx, f *Field, cell string) (any, []errs.FieldError) {
	return parseRefs(t.settings(f), cell), nil
}
