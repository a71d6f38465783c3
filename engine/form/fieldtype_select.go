package form

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// select is one choice out of the field's options (tier, source channel),
// stored as the option's value: a stable code that survives relabelling
// and translation.
type selectType struct{ typeSpec }

// optionsConfig is the JSON Schema of the options setting, shared by the
// choice types.
const optionsConfig = `"options": {
      "type": "array",
      "maxItems": 1000,
      "description": "the choices; values are stored, labels shown",
      "items": {
        "type": "object",
        "required": ["value", "label"],
        "properties": {
          "value": {"type": "string", "minLength": 1, "maxLength": 200},
          "label": {"type": ["string", "object"]},
          "color": {"type": "string", "maxLength": 32}
        }
      }
    }`

func init() {
	registerType(&selectType{newSpec("select", "单选", "Single select", "select.single", "choice", `{
  "type": "object",
  "properties": {
    `+optionsConfig+`,
    "display": {"enum": ["dropdown", "radio"], "default": "dropdown", "description": "how the choices are shown"}
  }
}`, `{"key": "tier", "type": "select", "label": {"zh-CN": "等级", "en": "Tier"}, "options": [
  {"value": "normal", "label": {"zh-CN": "普通", "en": "Normal"}},
  {"value": "gold", "label": {"zh-CN": "金卡", "en": "Gold"}, "color": "gold"}]}`)})
}

// Check validates the options: at least one, values unique.
func (t *selectType) Check(f *Field) []errs.FieldError {
	return append(checkConfig(t.spec.Key, f), checkOptions(f)...)
}

// Stored is the option value; text operators make no sense on codes.
func (t *selectType) Stored(*Field) Stored { return Stored{Kind: query.KindString, Ops: opsChoice} }

// Schema is one of the option values.
func (t *selectType) Schema(f *Field) map[string]any {
	return map[string]any{"type": "string", "enum": optionValues(f)}
}

// Normalize checks the value is one of the options.
func (t *selectType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	s, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	if !hasOption(f, s) {
		return nil, []errs.FieldError{c.fail("field.option", s)}
	}
	return s, nil
}

// Parse accepts an option's value or its label in any language.
func (t *selectType) Parse(_ Ctx, f *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	return matchOption(f, s), nil
}

// checkOptions reports a choice field without options and repeated values.
func checkOptions(f *Field) []errs.FieldError {
	if len(f.Options) == 0 {
		return []errs.FieldError{settingErr("options", "field.config.options")}
	}
	var fe []errs.FieldError
	seen := map[string]bool{}
	for i, o := range f.Options {
		if seen[o.Value] {
			fe = append(fe, settingErr("options["+strconv.Itoa(i)+"].value", "field.config.dupvalue", o.Value))
		}
		seen[o.Value] = true
	}
	return fe
}

func optionValues(f *Field) []any {
	out := make([]any, len(f.Options))
	for i, o := range f.Options {
		out[i] = o.Value
	}
	return out
}

func hasOption(f *Field, v string) bool {
	for _, o := range f.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

// optionLabels lists an option's label texts: a plain string, or one per
// language.
func optionLabels(o Option) []string {
	var one string
	if json.Unmarshal(o.Label, &one) == nil {
		return []string{one}
	}
	var byLang map[string]string
	_ = json.Unmarshal(o.Label, &byLang)
	out := make([]string, 0, len(byLang))
	for _, k := range sortedKeys(byLang) {
		out = append(out, byLang[k])
	}
	return out
}

// matchOption maps an import cell to an option value: the value itself,
// else a label (zh-CN or en), else the same ignoring case and width of
// white space. An unmatched cell is returned as is for Normalize to refuse.
func matchOption(f *Field, cell string) string {
	if hasOption(f, cell) {
		return cell
	}
	for _, o := range f.Options {
		for _, l := range optionLabels(o) {
			if l == cell {
				return o.Value
			}
		}
	}
	fold := strings.Join(strings.Fields(cell), " ")
	for _, o := range f.Options {
		if strings.EqualFold(o.Value, fold) {
			return o.Value
		}
		for _, l := range optionLabels(o) {
			if strings.EqualFold(strings.Join(strings.Fields(l), " "), fold) {
				return o.Value
			}
		}
	}
	return cell
}
