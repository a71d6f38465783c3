package ledger

import (
	"encoding/json"
	"testing"
	"time"
)

// TestEntryPlain: Plain encodes exactly as the entry does, with every
// optional field present and absent.
func TestEntryPlain(t *testing.T) {
	at := time.Date(2026, 11, 23, 20, 30, 1, 123456000, time.FixedZone("CST", 8*3600))
	full := Entry{ID: "e1", Account: "a1", App: "crm", Owner: "m1", Kind: "points", Unit: UnitPoint, Amount: -120,
		BalanceAfter: 880, Key: "k", Type: "redeem", Ref: "R1", Lot: "l0", ExpiresAt: at.AddDate(1, 0, 0),
		Lots: []Allocation{{Lot: "l1", Amount: 100}, {Lot: "l2", Amount: 20}}, Reverses: "e0", RequestKey: "rk",
		At: at, By: "u1", Meta: map[string]any{"note": "x", "n": int64(2), "nested": map[string]any{"a": []any{"b"}}}}
	for _, e := range []Entry{full, {ID: "e2", Amount: 5, At: at.UTC()}, {}} {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(e.Plain())
		if err != nil {
			t.Fatal(err)
		}
		var w, g any
		_ = json.Unmarshal(want, &w)
		_ = json.Unmarshal(got, &g)
		wj, _ := json.Marshal(w) // both with sorted keys
		gj, _ := json.Marshal(g)
		if string(wj) != string(gj) {
			t.Errorf("Plain\n%s\nJSON\n%s", gj, wj)
		}
	}
}
