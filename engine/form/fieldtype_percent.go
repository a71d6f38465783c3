package form

import (
	"encoding/json"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// percent is a rate in percent units: "12.5" means 12.5 % (a discount, a
// conversion rate). It is stored as exact decimal text with at most four
// fraction digits, enough for basis points of a percent.
type percentType struct{ typeSpec }

type percentSettings struct {
	Precision *int         `json:"precision"`
	Min       *json.Number `json:"min"`
	Max       *json.Number `json:"max"`
	min, max  *decimal
}

const percentMaxPrecision = 4

func init() {
	registerType(&percentType{newSpec("percent", "百分比", "Percent", "input.percent", "basic", `{
  "type": "object",
  "properties": {
    "precision": {"type": "integer", "minimum": 0, "maximum": 4, "default": 4, "description": "fraction digits of the percent value"},
    "min": {"type": "number", "description": "smallest percent, e.g. 0"},
    "max": {"type": "number", "description": "largest percent, e.g. 100"}
  }
}`, `{"key": "discount", "type": "percent", "label": {"zh-CN": "折扣率", "en": "Discount"}, "precision": 1, "min": 0, "max": 100}`)})
}

func (t *percentType) settings(f *Field) *percentSettings {
	return settingsOf(t.spec.Key, f, func(s *percentSettings) {
		if s.Precision == nil {
			p := percentMaxPrecision
			s.Precision = &p
		}
		s.min, s.max = settingDecimal(s.Min), settingDecimal(s.Max)
	})
}

// Check validates the settings and that min does not exceed max.
func (t *percentType) Check(f *Field) []errs.FieldError {
	s := t.settings(f)
	return append(checkConfig(t.spec.Key, f), checkRange(s.Min, s.Max)...)
}

// Stored is decimal text in percent units.
func (t *percentType) Stored(*Field) Stored { return Stored{Kind: query.KindDecimal} }

// Schema is a number within the bounds.
func (t *percentType) Schema(f *Field) map[string]any {
	s := t.settings(f)
	out := map[string]any{"type": "number"}
	if s.Min != nil {
		out["minimum"] = *s.Min
	}
	if s.Max != nil {
		out["maximum"] = *s.Max
	}
	return out
}

// Normalize reads the percent value exactly ("12.5", 12.5, "12.5%").
func (t *percentType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	if s, ok := v.(string); ok {
		v = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "%"), "％")
	}
	d, ok, fe := decimalOf(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	s := t.settings(f)
	if len(d.frac) > *s.Precision {
		if *s.Precision == 0 {
			return nil, []errs.FieldError{c.failAs("field.precision", "field.precision.int")}
		}
		return nil, []errs.FieldError{c.fail("field.precision", *s.Precision)}
	}
	if fe := checkBounds(c, d, s.min, s.max); fe != nil {
		return nil, fe
	}
	return json.Number(d.String()), nil
}

// Parse reads "12.5%", "12.5" as percent values.
func (t *percentType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	s, ok := cellText(cell)
	if !ok {
		return nil, nil
	}
	return numberCell(strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％")), nil
}
