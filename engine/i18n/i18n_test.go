package i18n

import "testing"

func TestMessage(t *testing.T) {
	c := map[string][2]string{"a": {"中 %d", "en %d"}, "b": {"中", "en"}}
	for _, tc := range []struct {
		lang, code, want string
		args             []any
	}{
		{"zh", "a", "中 1", []any{1}},
		{"EN-us", "a", "en 1", []any{1}},
		{"", "b", "中", nil},
		{"en", "b", "en", nil},
		{"en", "x", "x", nil},
	} {
		if got := Message(c, tc.lang, tc.code, tc.args...); got != tc.want {
			t.Errorf("Message(%q, %q) = %q, want %q", tc.lang, tc.code, got, tc.want)
		}
	}
}
