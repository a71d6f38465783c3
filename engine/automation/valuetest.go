package automation

import (
	"encoding/json"
	"math/big"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
)

// valueTest compares a value with operators of the filter language:
// {"$eq": 200}, {"$in": ["gold", "diamond"]}, {"$gte": 100, "$lt": 500},
// {"$exists": true}. Every operator given must hold. Numbers compare
// exactly (as decimals); other values by their JSON text, or as strings
// for ordering (dates and times order as text).
type valueTest map[string]any

var testOps = map[string]bool{"$eq": true, "$ne": true, "$in": true, "$nin": true, "$gt": true, "$gte": true, "$lt": true, "$lte": true, "$exists": true}

// compileTest reads a test object.
func compileTest(raw json.RawMessage, path string) (valueTest, []errs.FieldError) {
	if len(raw) == 0 {
		return nil, fieldErr(path, "automation.test_required", "give a test such as {\"$eq\": 200}")
	}
	var t valueTest
	if err := decodeStrict(raw, &t); err != nil || len(t) == 0 {
		return nil, fieldErr(path, "automation.bad_test", "an object of operators such as {\"$eq\": 200}")
	}
	var fe []errs.FieldError
	for op, v := range t {
		switch {
		case !testOps[op]:
			fe = append(fe, fieldErr(path+"."+op, "automation.unknown_operator", "unknown operator %q", op)...)
		case op == "$in" || op == "$nin":
			if _, ok := v.([]any); !ok {
				fe = append(fe, fieldErr(path+"."+op, "automation.bad_test", "a list")...)
			}
		case op == "$exists":
			if _, ok := v.(bool); !ok {
				fe = append(fe, fieldErr(path+"."+op, "automation.bad_test", "true or false")...)
			}
		}
	}
	return t, fe
}

// holds applies the test to v.
func (t valueTest) holds(v any) bool {
	for op, want := range t {
		ok := false
		switch op {
		case "$eq":
			ok = same(v, want)
		case "$ne":
			ok = !same(v, want)
		case "$in", "$nin":
			list, _ := want.([]any)
			for _, w := range list {
				if same(v, w) {
					ok = true
					break
				}
			}
			ok = ok == (op == "$in")
		case "$exists":
			ok = (v != nil) == (want == true)
		default:
			c, comparable := compare(v, want)
			ok = comparable && (op == "$gt" && c > 0 || op == "$gte" && c >= 0 || op == "$lt" && c < 0 || op == "$lte" && c <= 0)
		}
		if !ok {
			return false
		}
	}
	return true
}

// same compares two values: numbers exactly, the rest by JSON text.
func same(a, b any) bool {
	if c, ok := compareNumbers(a, b); ok {
		return c == 0
	}
	return canonical(a) == canonical(b)
}

// compare orders two numbers, or two strings.
func compare(a, b any) (int, bool) {
	if c, ok := compareNumbers(a, b); ok {
		return c, true
	}
	sa, ok1 := a.(string)
	sb, ok2 := b.(string)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case sa < sb:
		return -1, true
	case sa > sb:
		return 1, true
	}
	return 0, true
}

func compareNumbers(a, b any) (int, bool) {
	ra, ok1 := ratOf(a)
	rb, ok2 := ratOf(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	return ra.Cmp(rb), true
}

func ratOf(v any) (*big.Rat, bool) {
	var s string
	switch t := v.(type) {
	case json.Number:
		s = t.String()
	case int:
		return new(big.Rat).SetInt64(int64(t)), true
	case int64:
		return new(big.Rat).SetInt64(t), true
	default:
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// parseRecordFilter parses a filter over the records of f.
func parseRecordFilter(raw json.RawMessage, f *form.Form, root string) (*query.Node, error) {
	return query.ParseFilter(raw, f.QFields, query.Options{Root: root})
}
