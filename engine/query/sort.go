package query

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// SortKey orders by one field. Nulls (and missing values) sort first
// ascending and last descending, in every store.
type SortKey struct {
	Field Field
	Desc  bool
}

// IDField is the document id, the tie-breaker of every sort.
var IDField = Field{Path: "_id", Kind: KindString}

// ParseSort parses "name,-createdAt" (a leading "-" means descending).
func ParseSort(s string, fields Fields) ([]SortKey, error) {
	var keys []SortKey
	var fe []errs.FieldError
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > 8 {
		return nil, errs.New(errs.Invalid, "query.sort", "sort takes at most 8 fields")
	}
	for i, part := range parts {
		part = strings.TrimSpace(part)
		desc := strings.HasPrefix(part, "-")
		name := strings.TrimPrefix(strings.TrimPrefix(part, "-"), "+")
		f, ok := fields[name]
		switch {
		case !ok:
			fe = append(fe, errs.FieldError{Path: "sort[" + itoa(i) + "]", Code: "query.unknown_field", Message: "unknown sort field \"" + name + "\""})
		case f.Array:
			fe = append(fe, errs.FieldError{Path: "sort[" + itoa(i) + "]", Code: "query.operator_type", Message: "cannot sort by the list field \"" + name + "\""})
		default:
			keys = append(keys, SortKey{Field: f, Desc: desc})
		}
	}
	if err := errs.Validation(errs.Invalid, "query.sort", "the sort is invalid", fe); err != nil {
		return nil, err
	}
	return keys, nil
}

// WithIDTieBreak returns the sort with "_id" ascending appended, unless the
// sort already orders by _id. Paging needs a total order.
func WithIDTieBreak(keys []SortKey) []SortKey {
	for _, k := range keys {
		if k.Field.Path == "_id" {
			return keys
		}
	}
	out := make([]SortKey, len(keys), len(keys)+1)
	copy(out, keys)
	return append(out, SortKey{Field: IDField})
}

// Cursor is the position after the last row of a page: that row's values
// of each sort key (tie-break included).
type Cursor []any

// CursorOf reads the cursor of doc for a sort that includes its tie-break.
func CursorOf(doc map[string]any, keys []SortKey) Cursor {
	c := make(Cursor, len(keys))
	for i, k := range keys {
		c[i], _ = Lookup(doc, k.Field.Path)
	}
	return c
}

// Encode renders the cursor as an opaque URL-safe token.
func (c Cursor) Encode() string {
	b, _ := json.Marshal([]any(c))
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a token made by Encode for the same sort.
func DecodeCursor(token string, keys []SortKey) (*Node, error) {
	bad := errs.New(errs.Invalid, "query.cursor", "the cursor is not valid for this list and sort")
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) > 4096 {
		return nil, bad
	}
	var vals []any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if d.Decode(&vals) != nil || len(vals) != len(keys) {
		return nil, bad
	}
	typed := make([]Value, len(keys))
	for i, k := range keys {
		v, ok := storedValue(k.Field.Kind, vals[i])
		if !ok {
			return nil, bad
		}
		typed[i] = v
	}
	return After(keys, typed), nil
}

// storedValue converts a value read back from a stored document (not typed
// by a user) to a Value. It is looser than the filter grammar on purpose: a
// stored decimal may have more digits than a user may type, and paging must
// still move past it.
func storedValue(k Kind, v any) (Value, bool) {
	if v == nil {
		return Null(k), true
	}
	switch k {
	case KindBool:
		b, ok := v.(bool)
		return Bool(b), ok
	case KindInt:
		i, ok := ToInt(v)
		return Int(i), ok
	case KindDecimal:
		n, ok := v.(json.Number)
		if !ok {
			return Value{}, false
		}
		if _, err := n.Float64(); err != nil {
			return Value{}, false
		}
		return Dec(string(n)), true
	case KindTime:
		s, ok := v.(string)
		if _, err := time.Parse(TimeLayout, s); !ok || err != nil {
			return Value{}, false
		}
		return TimeV(s), true
	case KindDate:
		s, ok := v.(string)
		if _, err := time.Parse("2006-01-02", s); !ok || err != nil {
			return Value{}, false
		}
		return DateV(s), true
	default:
		s, ok := v.(string)
		return Value{Kind: k, Str: s}, ok
	}
}

// After builds the keyset filter selecting rows strictly after the row with
// the given sort values: OR over i of (keys before i equal AND key i after).
func After(keys []SortKey, vals []Value) *Node {
	var alts []*Node
	for i, k := range keys {
		var parts []*Node
		for j := 0; j < i; j++ {
			parts = append(parts, Eq(keys[j].Field, vals[j]))
		}
		parts = append(parts, beyond(k, vals[i]))
		alts = append(alts, &Node{Op: OpAnd, Children: parts})
	}
	return &Node{Op: OpOr, Children: alts}
}

// beyond is "the key's value comes after v" in the key's direction, with
// null as the smallest value.
func beyond(k SortKey, v Value) *Node {
	switch {
	case !k.Desc && v.Null:
		return Cmp(k.Field, OpNe, v)
	case !k.Desc:
		return Cmp(k.Field, OpGt, v)
	case v.Null:
		return False()
	default:
		return Or(Cmp(k.Field, OpLt, v), Eq(k.Field, Null(k.Field.Kind)))
	}
}

// Lookup reads a dotted path from a decoded JSON document.
func Lookup(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
