package demo

import (
	"testing"
	"time"
)

// BenchmarkSimulate is the generation alone (names, calendar, baskets,
// coupons, rules), without writing: the CPU the generator adds to the
// store's work.
func BenchmarkSimulate(b *testing.B) {
	now := time.Date(2026, 6, 30, 20, 0, 0, 0, cst)
	cal := newCalendar(now, 24)
	stores := planStores(seeded(1, -1), 50, cal.days)
	g := newGenerator(1, now, cal, stores, &policy{}, nil, txPerMember)
	txs := 0
	b.ResetTimer()
	for i := range b.N {
		m, err := g.member(i, 0)
		if err != nil {
			b.Fatal(err)
		}
		txs += len(m.Txs)
	}
	b.ReportMetric(float64(txs)/float64(b.N), "transactions/member")
}

// TestUniqueIdentifiers checks the identifier bijections over a large
// range: phones, card numbers, unionids and coupon codes never repeat,
// and phones are valid mainland mobiles.
func TestUniqueIdentifiers(t *testing.T) {
	const n = 200_000
	seen := make(map[string]bool, 4*n)
	for i := range n {
		p, c, u, k := phoneOf(9, i), cardNoOf(9, i), unionidOf(9, i), couponCode(9, i, i%250)
		if len(p) != 11 || p[0] != '1' || p[1] < '3' || len(c) != 12 || len(u) != 28 || len(k) != 13 {
			t.Fatalf("member %d: %s %s %s %s", i, p, c, u, k)
		}
		for _, s := range []string{"p" + p, "c" + c, "u" + u, "k" + k} {
			if seen[s] {
				t.Fatalf("member %d: %s repeated", i, s)
			}
			seen[s] = true
		}
	}
}
