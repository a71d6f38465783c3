package form

import (
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// formula is computed on every write from a JavaScript expression over
// the record's field keys (engine/script compiles and runs it, sandboxed).
// resultType says what the result is, which decides how it is stored:
// money results are fen like money fields, numbers exact decimals.
type formulaType struct {
	typeSpec
	computedType
}

type formulaSettings struct {
	Expression string `json:"expression"`
	ResultType string `json:"resultType"`
}

// formulaKinds maps each result type to its stored kind.
var formulaKinds = map[string]query.Kind{
	"text": query.KindString, "number": query.KindDecimal, "money": query.KindInt,
	"date": query.KindDate, "datetime": query.KindTime, "checkbox": query.KindBool,
}

func init() {
	registerType(&formulaType{typeSpec: newSpec("formula", "公式", "Formula", "display.formula", "computed", `{
  "type": "object",
  "required": ["expression"],
  "properties": {
    "expression": {"type": "string", "minLength": 1, "maxLength": 10000, "description": "JavaScript expression over the form's field keys"},
    "resultType": {"enum": ["text", "number", "money", "date", "datetime", "checkbox"], "default": "text", "description": "what the expression returns; money is in fen"}
  }
}`, `{"key": "amount", "type": "formula", "label": {"zh-CN": "金额", "en": "Amount"}, "expression": "price * qty", "resultType": "money"}`)})
}

func (t *formulaType) settings(f *Field) *formulaSettings {
	return settingsOf(t.spec.Key, f, func(s *formulaSettings) {
		if _, ok := formulaKinds[s.ResultType]; !ok {
			s.ResultType = "text"
		}
	})
}

// Check validates that there is an expression; compiling it (syntax,
// unknown names, cycles) is the form's job, which sees every field.
func (t *formulaType) Check(f *Field) []errs.FieldError {
	fe := checkConfig(t.spec.Key, f)
	if s := t.settings(f); s.Expression != "" && strings.TrimSpace(s.Expression) == "" {
		fe = append(fe, settingErr("expression", "field.config", "the expression is blank"))
	}
	return fe
}

// Stored follows the result type.
func (t *formulaType) Stored(f *Field) Stored {
	return Stored{Kind: formulaKinds[t.settings(f).ResultType]}
}

// Schema is a value of the result's stored kind.
func (t *formulaType) Schema(f *Field) map[string]any { return kindSchema(t.Stored(f).Kind) }

// Normalize checks a value already in the result's stored form.
func (t *formulaType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	return normalizeKind(c, t.Stored(f).Kind, v)
}

// Parse ignores the cell: formulas are computed, never imported.
func (t *formulaType) Parse(Ctx, *Field, string) (any, []errs.FieldError) { return nil, nil }
