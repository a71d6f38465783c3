package form

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
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

// TestSameJSONAgreesWithEncoding: on random values made of the shapes
// records hold (texts valid and not, integers, numbers, booleans, nulls,
// nil maps and lists, nested objects and lists), sameJSON answers what
// comparing the encodings answers.
func TestSameJSONAgreesWithEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	leaves := []func() any{
		func() any { return nil },
		func() any { return []string{"a", "b", "", string([]byte{0xff}), "\ufffd"}[rng.IntN(5)] },
		func() any { return int64(rng.IntN(3)) },
		func() any { return json.Number([]string{"0", "1", "1.0", "2"}[rng.IntN(4)]) },
		func() any { return rng.IntN(2) == 0 },
		func() any { return map[string]any(nil) },
		func() any { return []any(nil) },
	}
	gen := func() any { return randomValue(rng, leaves, []string{"k", "j", string([]byte{0xfe})}, 0, 3) }
	encoded := func(a, b any) bool {
		if a == nil || b == nil {
			return a == nil && b == nil
		}
		ja, err1 := json.Marshal(a)
		jb, err2 := json.Marshal(b)
		return err1 == nil && err2 == nil && string(ja) == string(jb)
	}
	for range 20000 {
		a, b := gen(), gen()
		if rng.IntN(3) == 0 {
			b = a
		}
		if got, want := sameJSON(a, b), encoded(a, b); got != want {
			t.Fatalf("sameJSON(%#v, %#v) = %v, encodings say %v", a, b, got, want)
		}
	}
}

// TestJSONSizeBound: the bound is never below the encoding's length, and
// values that do not encode (or are not plain values) bound at MaxInt.
func TestJSONSizeBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	texts := []string{"", "a", "<&>", "\u2028", string([]byte{0xff, 0xfe}), "中文", "\x01\"\\"}
	text := func() any { return texts[rng.IntN(len(texts))] }
	leaves := []func() any{
		func() any { return nil }, func() any { return true }, text,
		func() any { return int64(rng.Int64() - rng.Int64()) },
		func() any { return -rng.Float64() * math.Pow(10, float64(rng.IntN(600)-300)) },
		func() any { return json.Number([]string{"0", "-1.5e-300", "12345678901234567890"}[rng.IntN(3)]) },
		func() any { return []string{texts[rng.IntN(len(texts))], "x"} },
	}
	for range 5000 {
		v := randomValue(rng, leaves, texts, 0, 4)
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if b := jsonSizeBound(v, 0); b < len(raw) {
			t.Fatalf("bound %d below %d for %s", b, len(raw), raw)
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), json.Number("1x"), json.Number(" 1"), json.Number(""), time.Now(),
		map[string]any{"a": []any{math.NaN()}}, struct{}{}} {
		if b := jsonSizeBound(v, 0); b != math.MaxInt {
			t.Errorf("jsonSizeBound(%#v) = %d, want MaxInt", v, b)
		}
	}
}

// randomValue is a random JSON-like value: one of leaves, or an object
// (keys from keys) or a list of random values, at most maxDepth deep.
func randomValue(rng *rand.Rand, leaves []func() any, keys []string, depth, maxDepth int) any {
	n := rng.IntN(len(leaves) + 4)
	switch {
	case n < len(leaves) || depth >= maxDepth:
		return leaves[rng.IntN(len(leaves))]()
	case n < len(leaves)+2:
		m := map[string]any{}
		for range rng.IntN(4) {
			m[keys[rng.IntN(len(keys))]] = randomValue(rng, leaves, keys, depth+1, maxDepth)
		}
		return m
	}
	l := []any{}
	for range rng.IntN(4) {
		l = append(l, randomValue(rng, leaves, keys, depth+1, maxDepth))
	}
	return l
}
