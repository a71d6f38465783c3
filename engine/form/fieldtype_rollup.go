package form

import (
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// rollup aggregates the records of a child form that point back at this
// record through the child's relation field via (a member's order count
// and total spend). The records service keeps it current on every child
// write.
type rollupType struct {
	typeSpec
	computedType
}

type rollupSettings struct {
	Form  string `json:"form"`
	Via   string `json:"via"`
	Op    string `json:"op"`
	Field string `json:"field"`
	Kind  string `json:"kind"`
}

func init() {
	registerType(&rollupType{typeSpec: newSpec("rollup", "汇总", "Rollup", "display.rollup", "computed", `{
  "type": "object",
  "required": ["form", "via", "op"],
  "properties": {
    "form": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,62}$", "description": "child form key"},
    "via": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$", "description": "the child's relation field pointing at this form"},
    "op": {"enum": ["count", "sum", "min", "max", "avg"], "description": "aggregation over the children"},
    "field": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$", "description": "child field aggregated (not for count)"},
    "kind": {"enum": ["string", "int", "decimal", "bool", "date", "time"], "description": "stored kind of the result; count is int, sums of money or integers should say int"}
  }
}`, `{"key": "totalSpent", "type": "rollup", "label": {"zh-CN": "累计消费", "en": "Total spent"}, "form": "orders", "via": "member", "op": "sum", "field": "amount", "kind": "int"}`)})
}

func (t *rollupType) settings(f *Field) *rollupSettings {
	return settingsOf(t.spec.Key, f, func(s *rollupSettings) {
		switch {
		case s.Op == "count":
			s.Kind = string(query.KindInt)
		case !contains(storedKinds, s.Kind):
			s.Kind = string(query.KindDecimal)
		}
	})
}

// Check validates the settings: every op but count names a field, count
// is an int, sum and avg are numbers.
func (t *rollupType) Check(f *Field) []errs.FieldError {
	fe := checkConfig(t.spec.Key, f)
	var s rollupSettings
	_ = decodeSettings(f, &s)
	if want, ok := rollupKinds[s.Op]; ok && s.Kind != "" && !contains(want, s.Kind) {
		fe = append(fe, settingErr("kind", "field.config.kind", s.Op, strings.Join(want, " or ")))
	}
	if s.Op != "" && s.Op != "count" && s.Field == "" {
		fe = append(fe, settingErr("field", "field.config", "the field to "+s.Op+" is required"))
	}
	return fe
}

// rollupKinds are the result kinds each op can produce (min and max keep
// the child field's kind, whatever it is).
var rollupKinds = map[string][]string{
	"count": {"int"},
	"sum":   {"int", "decimal"},
	"avg":   {"decimal"},
}

// Stored is the result kind: int for count, the declared kind otherwise.
func (t *rollupType) Stored(f *Field) Stored { return Stored{Kind: query.Kind(t.settings(f).Kind)} }

// Schema is a value of the result kind.
func (t *rollupType) Schema(f *Field) map[string]any {
	return kindSchema(query.Kind(t.settings(f).Kind))
}

// Normalize checks a value of the result kind.
func (t *rollupType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	return normalizeKind(c, query.Kind(t.settings(f).Kind), v)
}

// Parse ignores the cell: rollups are computed, never imported.
func (t *rollupType) Parse(Ctx, *Field, string) (any, []errs.FieldError) { return nil, nil }
