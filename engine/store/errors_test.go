package store

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestValidCollectionMatchesItsPattern checks the hand-written check
// against the documented pattern.
func TestValidCollectionMatchesItsPattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,119}$`)
	cases := []string{"", "a", "A_1", "_a", "1a", "a-b", "a.b", "会员", "a b", strings.Repeat("a", 120), strings.Repeat("a", 121), "a\x00"}
	r := rand.New(rand.NewPCG(5, 6))
	const alphabet = "aZ09_-.$ \x00é"
	for range 5000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		if got, want := ValidCollection(c), re.MatchString(c); got != want {
			t.Errorf("ValidCollection(%q) = %v, want %v", c, got, want)
		}
	}
}

func TestRowError(t *testing.T) {
	err := RowError(ErrDuplicate, nil, 12)
	if i, ok := FailedRow(err); !ok || i != 12 {
		t.Fatalf("FailedRow = %d, %v", i, ok)
	}
	if !strings.Contains(err.Error(), "store.duplicate") || !strings.Contains(err.Error(), "[12]") {
		t.Fatalf("error %v", err)
	}
	if _, ok := FailedRow(ErrDuplicate); ok {
		t.Fatal("a plain error names a row")
	}
}
