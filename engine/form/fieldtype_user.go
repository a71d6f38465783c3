package form

import (
	"github.com/tangram/tangram/engine/errs"
)

// user holds the id of a platform user (the member's clerk, a task's
// assignee), or several when multiple. Whether the user exists is the
// records service's check; the type only sees the ids' shape.
type userType struct{ typeSpec }

func init() {
	registerType(&userType{newSpec("user", "成员", "User", "picker.user", "relation", `{
  "type": "object",
  "properties": {
    `+refConfig+`,
    "defaultToCurrent": {"type": "boolean", "description": "preset the signed-in user on new records"}
  }
}`, `{"key": "clerk", "type": "user", "label": {"zh-CN": "专属导购", "en": "Clerk"}, "defaultToCurrent": true}`)})
}

func (t *userType) settings(f *Field) *refSettings {
	return settingsOf[refSettings](t.spec.Key, f, nil)
}

// Check validates the settings against the schema.
func (t *userType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is a user id, or an array of them when multiple.
func (t *userType) Stored(f *Field) Stored { return refStored(t.settings(f).Multiple) }

// Schema is an id or an array of distinct ids.
func (t *userType) Schema(f *Field) map[string]any { return refSchema(t.settings(f)) }

// Normalize checks the id (or ids).
func (t *userType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	return normalizeRefs(c, t.settings(f), v)
}

// Parse reads an id, or several separated by commas when multiple.
func (t *userType) Parse(_ Ctx, f *Field, cell string) (any, []errs.FieldError) {
	return parseRefs(t.settings(f), cell), nil
}
