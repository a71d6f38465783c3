package form

import (
	"encoding/json"
	"unicode/utf8"
)

// sameJSON compares two stored values as JSON. Most comparisons are of
// strings, numbers, booleans and the lists and objects made of them (a
// sub-table), answered without encoding them when the answer is certain
// (jsonCmp); anything else is compared as encoded text.
func sameJSON(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if same, known := jsonCmp(a, b, 0); known {
		return same
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// jsonCmp compares a and b as their JSON encodings would, where that is
// certain without encoding them: equal Go values encode alike; two
// different valid UTF-8 strings encode differently (only invalid bytes
// collapse into U+FFFD); objects differ when their valid UTF-8 keys or a
// value differ, lists when their length or an element does. known is
// false for anything else (mixed types, nulls, invalid text, deeper than
// maxJSONCmpDepth), which the caller then encodes.
func jsonCmp(a, b any, depth int) (same, known bool) {
	if depth > maxJSONCmpDepth {
		return false, false
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			if x == y {
				return true, true
			}
			if utf8.ValidString(x) && utf8.ValidString(y) {
				return false, true
			}
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y, true
		}
	case int64:
		if y, ok := b.(int64); ok {
			return x == y, true
		}
	case json.Number:
		if y, ok := b.(json.Number); ok && x == y {
			return true, true
		}
	case map[string]any:
		if y, ok := b.(map[string]any); ok && x != nil && y != nil {
			return objectCmp(x, y, depth)
		}
	case []any:
		if y, ok := b.([]any); ok && x != nil && y != nil {
			return listCmp(x, y, depth)
		}
	}
	return false, false
}

// maxJSONCmpDepth bounds jsonCmp's walk.
const maxJSONCmpDepth = 32

func objectCmp(x, y map[string]any, depth int) (same, known bool) {
	for _, m := range []map[string]any{x, y} {
		for k := range m {
			if !utf8.ValidString(k) {
				return false, false
			}
		}
	}
	differ := len(x) != len(y)
	for k, v := range x {
		w, ok := y[k]
		if !ok {
			differ = true
			continue
		}
		s, kn := memberCmp(v, w, depth)
		if !kn {
			return false, false
		}
		differ = differ || !s
	}
	return !differ, true
}

func listCmp(x, y []any, depth int) (same, known bool) {
	differ := len(x) != len(y)
	for i := range min(len(x), len(y)) {
		s, kn := memberCmp(x[i], y[i], depth)
		if !kn {
			return false, false
		}
		differ = differ || !s
	}
	return !differ, true
}

// memberCmp compares two members of an object or a list (jsonCmp): two
// nulls are the same; a null beside a value that may encode as null (a
// nil map or list) is not certain.
func memberCmp(v, w any, depth int) (same, known bool) {
	if v == nil || w == nil {
		return v == nil && w == nil, v == nil && w == nil
	}
	return jsonCmp(v, w, depth+1)
}
