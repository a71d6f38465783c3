// Package form is the form engine: field types, form compilation from
// published definitions, validation, formulas, and the records service.
package form

import (
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/query"
)

// Field is one field of a form as written in the form definition. Settings
// specific to a type (min, max, options, formula, relation form...) are read
// by the type from Raw.
type Field struct {
	Key         string          `json:"key"`
	Type        string          `json:"type"`
	Label       json.RawMessage `json:"label"`
	Required    bool            `json:"required"`
	Unique      bool            `json:"unique"`
	ReadOnly    bool            `json:"readOnly"`
	Hidden      bool            `json:"hidden"`
	Default     json.RawMessage `json:"default"`
	Options     []Option        `json:"options"`
	Fields      []*Field        `json:"fields"` // sub-table columns
	Raw         json.RawMessage `json:"-"`      // the whole field object
	VisibleWhen json.RawMessage `json:"visibleWhen"`
	// RequiredWhen makes the field required when the record matches.
	RequiredWhen json.RawMessage `json:"requiredWhen"`
}

// Option is one choice of a select field.
type Option struct {
	Value string          `json:"value"`
	Label json.RawMessage `json:"label"`
	Color string          `json:"color,omitempty"`
}

// Stored says how a field's values are stored and filtered.
type Stored struct {
	Kind  query.Kind
	Array bool
	// Ops lists the filter operators allowed on the field; nil allows every
	// operator valid for Kind.
	Ops []query.Op
	// Sub lists filterable sub-paths (e.g. address.province) relative to
	// the field, with their kinds.
	Sub []query.Field
}

// Ctx is what a type needs while checking a value: the request language for
// messages and the path prefix for errors.
type Ctx struct {
	Lang string // "zh-CN" or "en"
	Path string // JSON path of the value, e.g. "phone" or "items[2].qty"
}

// FieldType is one registered field type. A type is one file that
// registers itself in init() with RegisterFieldType.
type FieldType interface {
	// Spec describes the type (palette, docs, settings schema).
	Spec() ext.Spec
	// Check validates the field's own settings in a form definition.
	Check(f *Field) []errs.FieldError
	// Stored gives the store representation of the field.
	Stored(f *Field) Stored
	// Schema is the JSON Schema fragment for a stored value (without null).
	Schema(f *Field) map[string]any
	// Normalize validates an input value and returns its canonical stored
	// form (e.g. money "12.30" -> 1230 fen, phone trimmed, datetime in
	// canonical UTC). nil input never reaches Normalize.
	Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError)
	// Parse converts one imported cell (CSV/xlsx text) to an input value.
	Parse(c Ctx, f *Field, cell string) (any, []errs.FieldError)
}

// Computed is implemented by types whose value the engine computes
// (formula, lookup, rollup, auto-number): clients cannot write them.
type Computed interface {
	Computed() bool
}

var fieldTypes = ext.NewRegistry[FieldType]("field type")

// RegisterFieldType adds a type under its Spec().Key; duplicates panic.
func RegisterFieldType(t FieldType) { fieldTypes.Register(t.Spec().Key, t) }

// LookupFieldType returns the type registered under key.
func LookupFieldType(key string) (FieldType, bool) { return fieldTypes.Get(key) }

// FieldTypeKeys lists registered types in order.
func FieldTypeKeys() []string { return fieldTypes.Keys() }
