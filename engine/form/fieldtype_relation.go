package form

import (
	"github.com/tangram/tangram/engine/errs"
)

// relation links a record to one record (or several, when multiple) of
// another form of the same app: an order's member, a coupon's campaign. It
// stores the target ids; that they exist and that the writer may see them
// is checked by the records service, which knows the target form.
type relationType struct{ typeSpec }

// relationSettings are relation's settings.
type relationSettings struct {
	refSettings
	Form string `json:"form"`
}

func init() {
	registerType(&relationType{newSpec("relation", "关联记录", "Relation", "picker.record", "relation", `{
  "type": "object",
  "required": ["form"],
  "properties": {
    "form": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,62}$", "description": "key of the target form in the same app"},
    `+refConfig+`
  }
}`, `{"key": "member", "type": "relation", "label": {"zh-CN": "会员", "en": "Member"}, "form": "members"}`)})
}

func (t *relationType) settings(f *Field) *relationSettings {
	return settingsOf[relationSettings](t.spec.Key, f, nil)
}

// Check validates that a target form is named.
func (t *relationType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is a record id, or an array of them when multiple.
func (t *relationType) Stored(f *Field) Stored { return refStored(t.settings(f).Multiple) }

// Schema is an id or an array of distinct ids.
func (t *relationType) Schema(f *Field) map[string]any { return refSchema(&t.settings(f).refSettings) }

// Normalize checks the id (or ids).
func (t *relationType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	return normalizeRefs(c, &t.settings(f).refSettings, v)
}

// Parse reads a record id, or several separated by commas when multiple.
// Matching by a title or key column is the importer's, which can query
// the target form.
func (t *relationType) Parse(_ Ctx, f *Field, cell string) (any, []errs.FieldError) {
	return parseRefs(&t.settings(f).refSettings, cell), nil
}
