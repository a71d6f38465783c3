package meta

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidKey checks the hand-written key check against the regexp it
// replaces, on the edges: length 63 and 64, first character, every
// character class, non-ASCII.
func TestValidKey(t *testing.T) {
	re := regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	cases := []string{"", "a", "crm", "crm-retail", "pos_checkout2", "a" + strings.Repeat("b", 62), "a" + strings.Repeat("b", 63),
		"A", "Crm", "1crm", "_crm", "-crm", "crm:x", "crm x", "crm.x", "crm/x", "会员", "crmé", "crm\n", "a{", "a`", "a/", "a:", "z9"}
	for c := byte(0); c < 128; c++ {
		cases = append(cases, "a"+string(rune(c)), string(rune(c)))
	}
	for _, s := range cases {
		if got, want := ValidKey(s), re.MatchString(s); got != want {
			t.Errorf("ValidKey(%q) = %v; want %v", s, got, want)
		}
	}
}
