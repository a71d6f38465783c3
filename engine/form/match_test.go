package form

import (
	"encoding/json"
	"testing"

	"github.com/tangram/tangram/engine/query"
)

// TestMatch checks the Go evaluator against the semantics the store
// adapters keep (query.Node's contract).
func TestMatch(t *testing.T) {
	fields := query.NewFields(
		query.Field{Path: "name", Kind: query.KindString},
		query.Field{Path: "n", Kind: query.KindInt},
		query.Field{Path: "d", Kind: query.KindDecimal},
		query.Field{Path: "ok", Kind: query.KindBool},
		query.Field{Path: "tags", Kind: query.KindString, Array: true},
		query.Field{Path: "at", Kind: query.KindTime},
		query.Field{Path: "addr.city", Kind: query.KindString},
	)
	doc := map[string]any{
		"name": "张三丰", "n": int64(5), "d": json.Number("12.50"), "ok": true,
		"tags": []any{"vip", "new"}, "at": "2026-01-02T03:04:05.000Z",
		"addr": map[string]any{"city": "兰州"},
	}
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{`{}`, true},
		{`{"name": "张三丰"}`, true},
		{`{"name": {"$contains": "三"}}`, true},
		{`{"name": {"$startsWith": "三"}}`, false},
		{`{"n": {"$gt": 4, "$lte": 5}}`, true},
		{`{"n": {"$in": [1, 2]}}`, false},
		{`{"n": {"$nin": [1, 2]}}`, true},
		{`{"d": {"$gt": "12.4"}}`, true},
		{`{"d": 12.5}`, true},
		{`{"ok": false}`, false},
		{`{"tags": "vip"}`, true},
		{`{"tags": {"$ne": "vip"}}`, false},
		{`{"tags": {"$nin": ["x"]}}`, true},
		{`{"tags": {"$contains": "new"}}`, true},
		{`{"addr.city": "兰州"}`, true},
		{`{"at": {"$gte": "2026-01-02"}}`, true},
		{`{"$or": [{"n": 1}, {"name": {"$exists": true}}]}`, true},
		{`{"$or": []}`, false},
		{`{"$and": []}`, true},
		{`{"$not": {"n": 5}}`, false},
	} {
		n, err := query.ParseFilter([]byte(tc.filter), fields, query.Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.filter, err)
		}
		if got := Match(n, doc); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.filter, got, tc.want)
		}
	}
	// Null semantics: ne and nin match a missing field; gt never does.
	missing := query.Field{Path: "nothing", Kind: query.KindInt}
	for _, tc := range []struct {
		n    *query.Node
		want bool
	}{
		{query.Cmp(missing, query.OpNe, query.Int(1)), true},
		{&query.Node{Op: query.OpNin, Field: missing, Values: []query.Value{query.Int(1)}}, true},
		{query.Cmp(missing, query.OpGt, query.Int(0)), false},
		{&query.Node{Op: query.OpExists, Field: missing, Value: query.Bool(false)}, true},
		{query.Cmp(missing, query.OpNe, query.Null(query.KindInt)), false},
		{query.Eq(missing, query.Null(query.KindInt)), true},
	} {
		if got := Match(tc.n, doc); got != tc.want {
			t.Errorf("%s %s: got %v, want %v", tc.n.Op, tc.n.Field.Path, got, tc.want)
		}
	}
}
