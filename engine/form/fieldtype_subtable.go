package form

import (
	"strconv"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// subtable holds rows inside a record (an order's lines, a member's
// children), each row an object whose columns are fields of their own
// types. Rows are validated column by column with those types, errors at
// paths like "items[2].qty". Columns cannot be sub-tables (one level keeps
// storage, filters and the UI simple) nor computed: the engine computes
// top-level fields only.
type subtableType struct{ typeSpec }

type subtableSettings struct {
	MinRows int  `json:"minRows"`
	MaxRows *int `json:"maxRows"`
}

// subtableMaxRows bounds rows when the form sets no limit: rows live in
// the record's document, which must stay small.
const subtableMaxRows = 1000

func init() {
	registerType(&subtableType{newSpec("subtable", "子表", "Sub-table", "table.subtable", "advanced", `{
  "type": "object",
  "required": ["fields"],
  "properties": {
    "fields": {"type": "array", "minItems": 1, "maxItems": 200, "description": "the columns, each a field object"},
    "minRows": {"type": "integer", "minimum": 0, "maximum": 1000, "description": "at least this many rows when filled in"},
    "maxRows": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000, "description": "at most this many rows"}
  }
}`, `{"key": "items", "type": "subtable", "label": {"zh-CN": "商品明细", "en": "Items"}, "maxRows": 200, "fields": [
  {"key": "sku", "type": "text", "label": {"zh-CN": "商品编码", "en": "SKU"}, "required": true},
  {"key": "qty", "type": "number", "label": {"zh-CN": "数量", "en": "Quantity"}, "min": 1},
  {"key": "price", "type": "money", "label": {"zh-CN": "单价", "en": "Price"}}]}`)})
}

func (t *subtableType) settings(f *Field) *subtableSettings {
	return settingsOf(t.spec.Key, f, func(s *subtableSettings) {
		if s.MaxRows == nil {
			n := subtableMaxRows
			s.MaxRows = &n
		}
	})
}

// Check validates the row bounds and every column: a unique key, a
// registered type that may be a column, and the column's own settings.
func (t *subtableType) Check(f *Field) []errs.FieldError {
	fe := checkConfig(t.spec.Key, f)
	if s := t.settings(f); s.MinRows > *s.MaxRows {
		fe = append(fe, settingErr("minRows", "field.config.range"))
	}
	keys := map[string]bool{}
	for i, col := range f.Fields {
		p := "fields[" + strconv.Itoa(i) + "]"
		if keys[col.Key] {
			fe = append(fe, settingErr(p+".key", "field.config.dupkey", col.Key))
		}
		keys[col.Key] = true
		ct, ok := LookupFieldType(col.Type)
		switch {
		case !ok:
			fe = append(fe, settingErr(p+".type", "field.config.type", col.Type))
			continue
		case col.Type == t.spec.Key || isComputed(ct):
			fe = append(fe, settingErr(p+".type", "field.config.column", col.Type))
			continue
		}
		for _, e := range ct.Check(col) {
			e.Path = joinPath(p, e.Path)
			fe = append(fe, e)
		}
	}
	return fe
}

func isComputed(t FieldType) bool {
	c, ok := t.(Computed)
	return ok && c.Computed()
}

// Stored is an array of row objects; only presence is filterable (the
// stores cannot filter on paths inside arrays of objects).
func (t *subtableType) Stored(*Field) Stored {
	return Stored{Kind: query.KindString, Array: true, Ops: opsExists}
}

// Schema is an array of row objects with the columns' schemas.
func (t *subtableType) Schema(f *Field) map[string]any {
	props := map[string]any{}
	var required []any
	for _, col := range f.Fields {
		if ct, ok := LookupFieldType(col.Type); ok {
			props[col.Key] = ct.Schema(col)
		}
		if col.Required {
			required = append(required, col.Key)
		}
	}
	row := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if required != nil {
		row["required"] = required
	}
	s := t.settings(f)
	out := map[string]any{"type": "array", "items": row, "maxItems": *s.MaxRows}
	if s.MinRows > 0 {
		out["minItems"] = s.MinRows
	}
	return out
}

// Normalize validates every row: each a JSON object of known columns,
// each present cell normalized by its column's type, required columns
// filled (no other part of the engine sees inside rows). An empty list is
// no value.
func (t *subtableType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	rows, ok := asList(v)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.array")}
	}
	s := t.settings(f)
	var fe []errs.FieldError
	if len(rows) > 0 && len(rows) < s.MinRows {
		fe = append(fe, c.failAs("field.min_items", "field.min_items.rows", s.MinRows))
	}
	if len(rows) > *s.MaxRows {
		return nil, append(fe, c.failAs("field.max_items", "field.max_items.rows", *s.MaxRows))
	}
	keys := make([]string, len(f.Fields))
	for i, col := range f.Fields {
		keys[i] = col.Key
	}
	out := make([]any, 0, len(rows))
	for i, r := range rows {
		rc := c.at("[" + strconv.Itoa(i) + "]")
		row, ok := asObject(r)
		if !ok {
			fe = append(fe, rc.failAs("field.type", "field.type.object"))
			continue
		}
		fe = append(fe, unknownKeys(rc, row, keys...)...)
		nrow := map[string]any{}
		for _, col := range f.Fields {
			cc := rc.at(col.Key)
			var nv any
			if cell := row[col.Key]; cell != nil {
				ct, ok := LookupFieldType(col.Type)
				if !ok {
					continue // refused by Check when the form was saved
				}
				var bad []errs.FieldError
				if nv, bad = ct.Normalize(cc, col, cell); bad != nil {
					fe = append(fe, bad...)
					continue
				}
			}
			if isBlankValue(nv) {
				if col.Required {
					fe = append(fe, cc.fail("field.required"))
				}
				continue
			}
			nrow[col.Key] = nv
		}
		out = append(out, nrow)
	}
	if fe != nil || len(out) == 0 {
		return nil, fe
	}
	return out, nil
}

// Parse reads a JSON array of row objects (rows usually come from their
// own sheet, which the importer joins; a cell can still carry them).
func (t *subtableType) Parse(c Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	return cellArray(c, cell)
}
