package form

import (
	"encoding/json"
	"math"
)

// jsonSizeBound is at least the length of v's JSON encoding, computed
// without encoding it, for the values records and events hold: a text
// takes at most six bytes per byte ("\u00XX", or "\ufffd" for an invalid
// byte) plus its quotes, an integer at most 20, a finite float64 at most
// 24, a valid json.Number its text. Anything else (a time, a struct, a
// value that does not encode, deeper than maxJSONCmpDepth) bounds at
// math.MaxInt: only encoding it tells. A caller that must keep data under
// a limit encodes it only when the bound is over.
func jsonSizeBound(v any, depth int) int {
	if depth > maxJSONCmpDepth {
		return math.MaxInt
	}
	switch x := v.(type) {
	case nil:
		return 4
	case bool:
		return 5
	case string:
		return 6*len(x) + 2
	case int64, int:
		return 20
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return math.MaxInt // not encodable: encoding it says so
		}
		return 24
	case json.Number:
		if len(x) == 0 || x[0] == ' ' || x[len(x)-1] == ' ' || !json.Valid([]byte(x)) {
			return math.MaxInt
		}
		return len(x)
	case []string:
		n := 2
		for _, s := range x {
			n += 6*len(s) + 3
		}
		return n
	case []any:
		n := 2
		for _, it := range x {
			n = addBound(n, jsonSizeBound(it, depth+1)+1)
		}
		return n
	case map[string]any:
		n := 2
		for k, it := range x {
			n = addBound(n, 6*len(k)+4+jsonSizeBound(it, depth+1))
		}
		return n
	}
	return math.MaxInt
}

// addBound adds two bounds, staying at math.MaxInt once there.
func addBound(a, b int) int {
	if a == math.MaxInt || b == math.MaxInt || b < 0 || a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
