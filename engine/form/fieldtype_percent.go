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
	decimalRange
	Precision *int `json:"precision"`
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
		s.prepare()
	})
}

// Check validates the settings and that min does not exceed max.
func (t *percentType) Check(f *Field) []errs.FieldError {
	s := t.settings(f)
	return append(checkConfig(t.spec.Key, f), s.check()...)
}

// Stored is decimal text in percent units.
func (t *percentType) Stored(*Field) Stored { return Stored{Kind: query.KindDecimal} }

// Schema is a number within the bounds.
func (t *percentType) Schema(f *Field) map[string]any {
	return t.settings(f).schemaBounds(map[string]any{"type": "number"})
}

// Normalize reads the percent value exactly ("12.5", 12.5, "12.5%").
func (t *percentType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	if s, ok := v.(string); ok {
		v = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "%"), "％")
	}
	s := t.settings(f)
	d, ok, fe := s.read(c, v, *s.Precision)
	if fe != nil || !ok {
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
