package query_test

import (
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// FuzzParseFilter feeds arbitrary bytes to the parser: it must never panic,
// every error must be an *errs.Error of class Invalid, and every accepted
// filter must stay within the limits and name only known fields.
func FuzzParseFilter(f *testing.F) {
	seeds := []string{
		``, `null`, `{}`, `[]`, `"x"`, `{"name":"x"}`, `{"name":{"$in":["a",null]}}`,
		`{"$or":[{"n":{"$gt":1}},{"$not":{"price":"9.5"}}]}`,
		`{"$and":[{"tags":{"$contains":"会员"}},{"a.b.c":{"$exists":false}}]}`,
		`{"paidAt":{"$gte":"2026-01-01","$lt":"2026-02-01T00:00:00+08:00"}}`,
		`{"birthday":{"$nin":["2000-02-29"]},"vip":{"$ne":true}}`,
		`{"unit":"$user.unit","n":{"$in":"$user.list"}}`,
		`{"$where":"1"}`, `{"name":{"$regex":"a"}}`, `{"name":{}}`, `{"name":[1]}`,
		`{"$not":{"$not":{"$not":{"$not":{"n":1}}}}}`, `{"n":1e400}`, `{"n":"\u0000"}`,
		`{"name":"x"} trailing`, `{"name":`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	vars := map[string]any{"$user.unit": "u1", "$user.list": []any{1, 2}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, opt := range []query.Options{{}, {Vars: vars, Root: "filter"}} {
			n, err := query.ParseFilter(raw, testFields, opt)
			if err != nil {
				e, ok := err.(*errs.Error)
				if !ok {
					t.Fatalf("error is %T, not *errs.Error: %v", err, err)
				}
				if e.Class != errs.Invalid {
					t.Fatalf("error class %v: %v", e.Class, err)
				}
				continue
			}
			count := 0
			query.Walk(n, func(x *query.Node) {
				count++
				switch x.Op {
				case query.OpAnd, query.OpOr, query.OpNot:
				default:
					if _, ok := testFields[x.Field.Path]; !ok {
						t.Fatalf("leaf on unknown field %q", x.Field.Path)
					}
				}
			})
			if count > query.MaxNodes {
				t.Fatalf("%d nodes accepted", count)
			}
		}
	})
}
