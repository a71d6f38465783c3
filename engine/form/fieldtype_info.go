package form

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/query"
)

// FieldTypeInfo describes one registered field type for clients (the
// builder's palette, API docs): what FieldType and its Spec say, with the
// stored representation, value schema and filter operators of the type's
// example field (types whose storage follows their settings, such as a
// formula's result type, show the example's).
type FieldTypeInfo struct {
	Key      string            `json:"key"`
	Label    map[string]string `json:"label"` // "zh-CN" and "en"
	Group    string            `json:"group,omitempty"`
	UIHint   string            `json:"uiHint,omitempty"`
	Computed bool              `json:"computed"`
	// Settings is the JSON Schema of the type's settings on a field object.
	Settings json.RawMessage `json:"settings,omitempty"`
	Example  json.RawMessage `json:"example,omitempty"`
	// Schema is the JSON Schema fragment of a stored value.
	Schema map[string]any `json:"schema"`
	Stored StoredInfo     `json:"stored"`
	// Operators are the filter operators a field of the type accepts; none
	// for types that are not stored (lookups are resolved on read).
	Operators []query.Op `json:"operators"`
}

// StoredInfo is a type's stored representation.
type StoredInfo struct {
	Kind  query.Kind `json:"kind,omitempty"`
	Array bool       `json:"array,omitempty"`
	Sub   []SubPath  `json:"sub,omitempty"` // filterable sub-paths
	// Virtual types are never stored: resolved on every read.
	Virtual bool `json:"virtual,omitempty"`
}

// SubPath is a filterable path inside a value (address.province).
type SubPath struct {
	Path  string     `json:"path"` // relative to the field
	Kind  query.Kind `json:"kind"`
	Array bool       `json:"array,omitempty"`
}

// FieldTypeInfos describes every registered type, in key order.
func FieldTypeInfos() ([]FieldTypeInfo, error) {
	keys := FieldTypeKeys()
	out := make([]FieldTypeInfo, 0, len(keys))
	for _, k := range keys {
		t, _ := LookupFieldType(k)
		info, err := fieldTypeInfo(t)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

func fieldTypeInfo(t FieldType) (FieldTypeInfo, error) {
	sp := t.Spec()
	info := FieldTypeInfo{Key: sp.Key, Label: sp.Title, Group: sp.Group, UIHint: sp.UIHint, Settings: sp.Config, Operators: []query.Op{}}
	if c, ok := t.(Computed); ok {
		info.Computed = c.Computed()
	}
	fd := &Field{Key: "example", Type: sp.Key}
	if len(sp.Examples) > 0 {
		info.Example = sp.Examples[0]
		list, err := DecodeFields([]json.RawMessage{sp.Examples[0]})
		if err != nil {
			return info, fmt.Errorf("field type %q: example: %w", sp.Key, err)
		}
		fd = list[0]
	}
	// The engine's own reading of the field says whether it is stored.
	f := &Form{byKey: map[string]*Field{fd.Key: fd}, types: map[string]FieldType{fd.Key: t}, computed: map[string]bool{},
		virtual: map[string]bool{}, relations: map[string]*relationDef{}}
	if err := f.compileBehaviour(fd); err != nil {
		return info, fmt.Errorf("field type %q: example: %w", sp.Key, err)
	}
	info.Computed = info.Computed || f.computed[fd.Key]
	info.Schema = t.Schema(fd)
	if f.virtual[fd.Key] {
		info.Stored = StoredInfo{Virtual: true}
		return info, nil
	}
	st := t.Stored(fd)
	info.Stored = StoredInfo{Kind: st.Kind, Array: st.Array}
	for _, sub := range st.Sub {
		info.Stored.Sub = append(info.Stored.Sub, SubPath{Path: sub.Path, Kind: sub.Kind, Array: sub.Array})
	}
	info.Operators = kindOps(st)
	return info, nil
}

// kindOps lists the operators a field stored as st accepts: its type's
// own list, else every comparison the query language allows on its kind
// (engine/query parse.go refuses the others).
func kindOps(st Stored) []query.Op {
	if st.Ops != nil {
		return st.Ops
	}
	ops := []query.Op{query.OpEq, query.OpNe, query.OpIn, query.OpNin, query.OpExists}
	if st.Kind != query.KindBool {
		ops = append(ops, query.OpGt, query.OpGte, query.OpLt, query.OpLte)
	}
	if st.Kind == query.KindString || st.Array {
		ops = append(ops, query.OpContains)
	}
	if st.Kind == query.KindString && !st.Array {
		ops = append(ops, query.OpStartsWith)
	}
	return ops
}
