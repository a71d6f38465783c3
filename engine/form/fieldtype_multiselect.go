package form

import (
	"strconv"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// multiselect is several distinct choices out of the options (interests,
// preferred categories), stored as an array of option values in the
// options' order, so two records with the same choices store the same
// value whatever order they were ticked in.
type multiselectType struct{ typeSpec }

type multiselectSettings struct {
	MinItems int  `json:"minItems"`
	MaxItems *int `json:"maxItems"`
}

func init() {
	registerType(&multiselectType{newSpec("multiselect", "多选", "Multiple select", "select.multiple", "choice", `{
  "type": "object",
  "properties": {
    `+optionsConfig+`,
    "minItems": {"type": "integer", "minimum": 0, "maximum": 1000, "description": "at least this many choices when filled in"},
    "maxItems": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "at most this many choices"},
    "display": {"enum": ["dropdown", "checkbox", "tags"], "default": "dropdown", "description": "how the choices are shown"}
  }
}`, `{"key": "interests", "type": "multiselect", "label": {"zh-CN": "兴趣", "en": "Interests"}, "maxItems": 3, "options": [
  {"value": "food", "label": {"zh-CN": "美食", "en": "Food"}},
  {"value": "beauty", "label": {"zh-CN": "美妆", "en": "Beauty"}},
  {"value": "sports", "label": {"zh-CN": "运动", "en": "Sports"}}]}`)})
}

func (t *multiselectType) settings(f *Field) *multiselectSettings {
	return settingsOf[multiselectSettings](t.spec.Key, f, nil)
}

// Check validates the options and the count bounds.
func (t *multiselectType) Check(f *Field) []errs.FieldError {
	fe := append(checkConfig(t.spec.Key, f), checkOptions(f)...)
	if s := t.settings(f); s.MaxItems != nil && s.MinItems > *s.MaxItems {
		fe = append(fe, settingErr("minItems", "field.config.range"))
	}
	return fe
}

// Stored is an array of option values.
func (t *multiselectType) Stored(*Field) Stored {
	return Stored{Kind: query.KindString, Array: true, Ops: opsList}
}

// Schema is an array of distinct option values.
func (t *multiselectType) Schema(f *Field) map[string]any {
	s := t.settings(f)
	out := map[string]any{"type": "array", "uniqueItems": true, "items": map[string]any{"type": "string", "enum": optionValues(f)}}
	if s.MinItems > 0 {
		out["minItems"] = s.MinItems
	}
	if s.MaxItems != nil {
		out["maxItems"] = *s.MaxItems
	}
	return out
}

// Normalize checks each element is a distinct option value and the count
// is within bounds; an empty list is no value.
func (t *multiselectType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	list, ok := asList(v)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.array")}
	}
	var fe []errs.FieldError
	picked := map[string]bool{}
	for i, it := range list {
		ec := c.at("[" + strconv.Itoa(i) + "]")
		s, ok, bad := trimmedText(ec, it)
		switch {
		case bad != nil:
			fe = append(fe, bad...)
		case !ok || !hasOption(f, s):
			fe = append(fe, ec.fail("field.option", s))
		case picked[s]:
			fe = append(fe, ec.fail("field.duplicate", s))
		default:
			picked[s] = true
		}
	}
	s := t.settings(f)
	if len(list) > 0 && len(list) < s.MinItems {
		fe = append(fe, c.fail("field.min_items", s.MinItems))
	}
	if s.MaxItems != nil && len(list) > *s.MaxItems {
		fe = append(fe, c.fail("field.max_items", *s.MaxItems))
	}
	if fe != nil || len(picked) == 0 {
		return nil, fe
	}
	out := make([]any, 0, len(picked))
	for _, o := range f.Options {
		if picked[o.Value] {
			out = append(out, o.Value)
		}
	}
	return out, nil
}

// Parse splits the cell on , ， ; ； 、 and maps each part to an option
// value (by value or label).
func (t *multiselectType) Parse(_ Ctx, f *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	parts := cellList(s)
	for i, p := range parts {
		parts[i] = matchOption(f, p.(string))
	}
	return parts, nil
}
