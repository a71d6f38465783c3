package form

import (
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// number is an integer (precision 0, the default: counts, points, ages) or
// an exact decimal with up to precision fraction digits (weights, rates).
// Integers are stored as int64 so they sum and compare exactly in every
// store; decimals as canonical text (json.Number).
type numberType struct{ typeSpec }

type numberSettings struct {
	decimalRange
	Precision int `json:"precision"`
}

func init() {
	registerType(&numberType{newSpec("number", "数字", "Number", "input.number", "basic", `{
  "type": "object",
  "properties": {
    "precision": {"type": "integer", "minimum": 0, "maximum": 18, "default": 0, "description": "fraction digits allowed; 0 stores integers"},
    "min": {"type": "number", "description": "smallest allowed value"},
    "max": {"type": "number", "description": "largest allowed value"},
    "unit": {"type": "string", "maxLength": 20, "description": "shown after the value, e.g. 件 or kg"}
  }
}`, `{"key": "weight", "type": "number", "label": {"zh-CN": "重量", "en": "Weight"}, "precision": 3, "min": 0, "unit": "kg"}`)})
}

func (t *numberType) settings(f *Field) *numberSettings {
	return settingsOf(t.spec.Key, f, func(s *numberSettings) { s.prepare() })
}

// Check validates the settings and that min does not exceed max.
func (t *numberType) Check(f *Field) []errs.FieldError {
	s := t.settings(f)
	return append(checkConfig(t.spec.Key, f), s.check()...)
}

// Stored is an int for precision 0, a decimal otherwise.
func (t *numberType) Stored(f *Field) Stored {
	if t.settings(f).Precision == 0 {
		return Stored{Kind: query.KindInt}
	}
	return Stored{Kind: query.KindDecimal}
}

// Schema is an integer, or a number with at most precision digits.
func (t *numberType) Schema(f *Field) map[string]any {
	s := t.settings(f)
	out := map[string]any{"type": "number"}
	if s.Precision == 0 {
		out["type"] = "integer"
	}
	return s.schemaBounds(out)
}

// Normalize reads the number exactly and checks precision and bounds:
// int64 for precision 0, json.Number text otherwise.
func (t *numberType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	s := t.settings(f)
	d, ok, fe := s.read(c, v, s.Precision)
	if fe != nil || !ok {
		return nil, fe
	}
	if s.Precision > 0 {
		return json.Number(d.String()), nil
	}
	i, ok := d.scaled(0)
	if !ok {
		return nil, []errs.FieldError{c.fail("field.range")}
	}
	return i, nil
}

// Parse reads numbers as spreadsheets write them ("1,234", "1.2E+3").
func (t *numberType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	return numberCell(cell), nil
}
