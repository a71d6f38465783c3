package form

import (
	"encoding/json"
	"testing"
)

// TestSameJSON: the shortcuts for strings, booleans and numbers agree
// with comparing the values' JSON encodings.
func TestSameJSON(t *testing.T) {
	bad := string([]byte{0xff})
	cases := []struct {
		a, b any
		want bool
	}{
		{"a", "a", true}, {"a", "b", false}, {"<", "<", true}, {"", "", true},
		{bad, string([]byte{0xfe}), true},         // both encode as "\ufffd"
		{bad, "\ufffd", false}, {bad, "x", false}, // U+FFFD itself encodes unescaped
		{true, true, true}, {true, false, false},
		{int64(3), int64(3), true}, {int64(3), int64(4), false}, {int64(3), json.Number("3"), true},
		{json.Number("10.50"), json.Number("10.50"), true}, {json.Number("10.50"), json.Number("10.5"), false},
		{"3", int64(3), false}, {nil, nil, true}, {nil, "", false},
		{map[string]any{"a": int64(1)}, map[string]any{"a": json.Number("1")}, true},
		{[]any{"x"}, []any{"y"}, false},
	}
	for _, c := range cases {
		if got := sameJSON(c.a, c.b); got != c.want {
			t.Errorf("sameJSON(%#v, %#v) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := sameJSON(c.b, c.a); got != c.want {
			t.Errorf("sameJSON(%#v, %#v) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
}
