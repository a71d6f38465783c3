package sqlite

import (
	"encoding/json"
	"reflect"
	"testing"
)

// tangram_pairs reads the record id by its length (ids with ':' and
// non-ASCII ids), counts records with and without values ("" is a
// value), a record's repeated value once, orders each pair, and skips
// malformed input.
func TestPairsAggregate(t *testing.T) {
	p := newPairsAgg()
	for _, v := range []any{
		"3:a:b=乳品", "3:a:b=烘焙", "3:a:b=乳品", "3:a:b=Wine", // record "a:b": 乳品 twice
		"2:订单=乳品", "2:订单=Wine", // record "订单"
		"1:x=乳品",            // one value: no pair
		"1:y", "0:", "1:z=", // no value; an empty value (in no pair here)
		"bad", "x:y", nil, int64(3), // skipped
	} {
		p.add(v)
	}
	var got pairsResult
	if err := json.Unmarshal([]byte(p.result().(string)), &got); err != nil {
		t.Fatal(err)
	}
	want := pairsResult{Records: 6, Items: map[string]int64{"乳品": 3, "烘焙": 1, "Wine": 2},
		Pairs: []pairJSON{{A: "Wine", B: "乳品", N: 2}, {A: "Wine", B: "烘焙", N: 1}, {A: "乳品", B: "烘焙", N: 1}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}
