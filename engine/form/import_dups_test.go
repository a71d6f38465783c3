package form

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDupTrackerAgreesWithAMap drives the open-addressing table through
// growth and deletions (which shift entries back) and compares it with a
// map after every step.
func TestDupTrackerAgreesWithAMap(t *testing.T) {
	tr := newDupTracker()
	ref := map[uint64]int{}
	r := rand.New(rand.NewPCG(3, 4))
	var keys []uint64
	for step := range 60000 {
		switch {
		case r.IntN(4) == 0 && len(keys) > 0: // remove one
			i := r.IntN(len(keys))
			h := keys[i]
			keys[i] = keys[len(keys)-1]
			keys = keys[:len(keys)-1]
			tr.remove(h)
			delete(ref, h)
		default:
			// Few distinct high bits make long probe runs and wrap-arounds.
			h := tr.dupHash("phone", fmt.Sprint(r.IntN(40000)))
			if _, ok := ref[h]; !ok {
				keys = append(keys, h)
			}
			tr.put(h, step+2)
			ref[h] = step + 2
		}
		if step%997 == 0 || step > 59000 {
			if tr.count != len(ref) {
				t.Fatalf("step %d: %d entries, map has %d", step, tr.count, len(ref))
			}
			for h, row := range ref {
				if got, ok := tr.rowOf(h); !ok || got != row {
					t.Fatalf("step %d: row of %x = %d %v, want %d", step, h, got, ok, row)
				}
			}
		}
	}
	for _, h := range keys {
		tr.remove(h)
	}
	if tr.count != 0 {
		t.Fatalf("%d entries left", tr.count)
	}
	for h := range ref {
		if _, ok := tr.rowOf(h); ok {
			t.Fatal("a removed value is still found")
		}
	}
}

// BenchmarkDupTracker reports the bytes a million tracked values take.
func BenchmarkDupTracker(b *testing.B) {
	for range b.N {
		tr := newDupTracker()
		for i := range 1_000_000 {
			tr.put(tr.dupHash("phone", fmt.Sprintf("139%08d", i)), i+2)
		}
		b.ReportMetric(float64(len(tr.hash)*12)/1e6, "MB/1M-values")
	}
}
