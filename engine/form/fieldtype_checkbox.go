package form

import (
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// checkbox is a yes/no value (consented to marketing, is staff).
type checkboxType struct{ typeSpec }

func init() {
	registerType(&checkboxType{newSpec("checkbox", "复选框", "Checkbox", "input.checkbox", "choice", `{
  "type": "object",
  "properties": {
    "display": {"enum": ["checkbox", "switch"], "default": "checkbox", "description": "how the value is shown"}
  }
}`, `{"key": "marketingConsent", "type": "checkbox", "label": {"zh-CN": "同意接收营销信息", "en": "Marketing consent"}, "display": "switch"}`)})
}

// Check validates the settings against the schema.
func (t *checkboxType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is a bool.
func (t *checkboxType) Stored(*Field) Stored { return Stored{Kind: query.KindBool} }

// Schema is a boolean.
func (t *checkboxType) Schema(*Field) map[string]any { return map[string]any{"type": "boolean"} }

// Normalize takes JSON booleans only: API clients send true/false, and the
// spellings people type are Parse's business.
func (t *checkboxType) Normalize(c Ctx, _ *Field, v any) (any, []errs.FieldError) {
	b, ok := v.(bool)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.bool")}
	}
	return b, nil
}

// yesNo are the spellings of yes and no found in spreadsheets, Chinese
// ones and check marks included; keys are lowercase.
var yesNo = map[string]bool{
	"是": true, "否": false, "true": true, "false": false, "1": true, "0": false,
	"y": true, "n": false, "yes": true, "no": false, "对": true, "错": false,
	"√": true, "✓": true, "✔": true, "×": false, "✗": false,
	"有": true, "无": false, "开": true, "关": false,
}

// Parse reads 是/否, true/false, 1/0, Y/N and check marks.
func (t *checkboxType) Parse(c Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	b, ok := yesNo[strings.ToLower(s)]
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.yesno", s)}
	}
	return b, nil
}
