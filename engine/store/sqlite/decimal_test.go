package sqlite

import (
	"bytes"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestDecimalOrder checks cmpDec, the byte order of key and norm against
// math/big on random decimals in every notation.
func TestDecimalOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	gen := func() string {
		switch rng.IntN(6) {
		case 0:
			return fmt.Sprint(rng.IntN(2001) - 1000)
		case 1:
			return fmt.Sprintf("%d.%0*d", rng.IntN(2000)-1000, 1+rng.IntN(3), rng.IntN(1000))
		case 2:
			return fmt.Sprintf("%de%d", rng.IntN(200)-100, rng.IntN(40)-20)
		case 3:
			return fmt.Sprintf("-0.%018d", rng.Int64N(1e18))
		case 4:
			return fmt.Sprintf("1000000000000000.%02d", rng.IntN(100))
		}
		return fmt.Sprintf("%d.%d0E+%d", rng.IntN(10), rng.IntN(100), rng.IntN(5))
	}
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("big.Rat cannot read %q", s)
		}
		return r
	}
	for i := 0; i < 20000; i++ {
		a, b := gen(), gen()
		da, ok1 := parseDec(a)
		db, ok2 := parseDec(b)
		if !ok1 || !ok2 {
			t.Fatalf("parse %q %q", a, b)
		}
		want := rat(a).Cmp(rat(b))
		if got := cmpDec(da, db); got != want {
			t.Fatalf("cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
		if got := bytes.Compare(da.key(), db.key()); got != want {
			t.Fatalf("key order (%s, %s) = %d, want %d", a, b, got, want)
		}
		if rat(da.norm()).Cmp(rat(a)) != 0 || (want == 0) != (da.norm() == db.norm()) {
			t.Fatalf("norm %s = %s, %s = %s", a, da.norm(), b, db.norm())
		}
	}
	for _, bad := range []string{"", "-", ".5", "5.", "1e", "1e+", "0x10", `"5"`, "null", "true", "1.2.3", "--1", "1e99999"} {
		if _, ok := parseDec(bad); ok {
			t.Errorf("parseDec(%q) accepted", bad)
		}
	}
	if n := (dec{}).norm(); n != "0" {
		t.Errorf("zero norm %q", n)
	}
}
