package storetest

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var crudFields = query.NewFields(
	query.Field{Path: "points", Kind: query.KindInt},
	query.Field{Path: "tier", Kind: query.KindString},
	query.Field{Path: "profile.name", Kind: query.KindString},
)

func (s *suite) crud(t *testing.T) {
	t.Run("PingAndBackend", func(t *testing.T) {
		st := s.open(t)
		mustNil(t, st.Ping(t.Context()), "ping")
		if b := st.Backend(); b == "" {
			t.Error("Backend() is empty")
		}
	})

	t.Run("InsertGeneratesTimeOrderedIDs", func(t *testing.T) {
		st, ctx, c := s.open(t), t.Context(), coll("ids")
		before := store.NewID()
		var ids []string
		for i := 0; i < 30; i++ {
			doc := store.Doc{"i": i}
			if i%2 == 1 {
				doc["_id"] = "" // documented: an empty _id gets a new id
			}
			id, err := st.Insert(ctx, c, doc)
			mustNil(t, err, "insert %d", i)
			ids = append(ids, id)
		}
		after := store.NewID()
		seen := map[string]bool{}
		prev := before
		for i, id := range ids {
			if len(id) != 20 {
				t.Errorf("id %q has %d characters, want 20 (store.NewID)", id, len(id))
			}
			if seen[id] {
				t.Errorf("id %q returned twice", id)
			}
			seen[id] = true
			if id <= prev {
				t.Errorf("id %d %q does not sort after the previous id %q: ids must be time-ordered", i, id, prev)
			}
			prev = id
			got, err := st.Get(ctx, c, id)
			mustNil(t, err, "get %s", id)
			if got["_id"] != id || got["i"] != json.Number(itoa(i)) {
				t.Errorf("get %s = %v", id, got)
			}
		}
		if prev >= after {
			t.Errorf("last id %q sorts after a NewID made later (%q)", prev, after)
		}
	})

	t.Run("InsertWithID", func(t *testing.T) {
		st, ctx, c := s.open(t), t.Context(), coll("withid")
		for _, id := range []string{"m-1", "会员-01", "A_b.c"} {
			got, err := st.Insert(ctx, c, store.Doc{"_id": id, "tier": "gold"})
			mustNil(t, err, "insert %q", id)
			if got != id {
				t.Errorf("insert returned id %q, want %q", got, id)
			}
			doc, err := st.Get(ctx, c, id)
			mustNil(t, err, "get %q", id)
			if d := docDiff(store.Doc{"_id": id, "tier": "gold"}, doc); d != "" {
				t.Errorf("get %q: %s", id, d)
			}
		}
		_, err := st.Insert(ctx, c, store.Doc{"_id": "m-1", "tier": "other"})
		wantIs(t, err, store.ErrDuplicate, "insert duplicate id")
		doc, err := st.Get(ctx, c, "m-1")
		mustNil(t, err, "get after duplicate")
		if doc["tier"] != "gold" {
			t.Errorf("duplicate insert changed the stored document: %v", doc)
		}
	})

	t.Run("GetMissing", func(t *testing.T) {
		st, ctx, c := s.open(t), t.Context(), coll("getmiss")
		_, err := st.Get(ctx, c, "nope")
		wantIs(t, err, store.ErrNotFound, "get from a collection never written")
		_, err = st.Insert(ctx, c, store.Doc{"_id": "x"})
		mustNil(t, err, "insert")
		_, err = st.Get(ctx, c, "nope")
		wantIs(t, err, store.ErrNotFound, "get missing id")
		_, err = st.Get(ctx, c, "X")
		wantIs(t, err, store.ErrNotFound, "ids are case-sensitive")
	})

	t.Run("Update", func(t *testing.T) {
		st, ctx, c := s.open(t), t.Context(), coll("update")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "u1", "old": 1, "points": 5,
			"profile": store.Doc{"tmp": "x", "name": "张三"}, "keep": []any{1, "a"}})
		mustNil(t, err, "insert")
		got, err := st.Update(ctx, c, "u1", store.Patch{
			Set:   map[string]any{"profile.address.city": "深圳", "tier": "gold", "deep.a.b.c": json.Number("10.50"), "nothing": nil},
			Unset: []string{"old", "profile.tmp", "never.there"},
			Inc:   map[string]int64{"points": 100, "stats.visits": 1, "big": math.MaxInt64 - 1},
		}, nil)
		mustNil(t, err, "update")
		want := canonDoc(store.Doc{"_id": "u1", "points": 105, "tier": "gold", "nothing": nil,
			"profile": store.Doc{"name": "张三", "address": store.Doc{"city": "深圳"}},
			"deep":    store.Doc{"a": store.Doc{"b": store.Doc{"c": json.Number("10.50")}}},
			"stats":   store.Doc{"visits": 1}, "big": int64(math.MaxInt64 - 1), "keep": []any{1, "a"}})
		if d := docDiff(want, got); d != "" {
			t.Errorf("update must return the new document: %s", d)
		}
		stored, err := st.Get(ctx, c, "u1")
		mustNil(t, err, "get")
		if d := docDiff(want, stored); d != "" {
			t.Errorf("stored after update: %s", d)
		}

		got, err = st.Update(ctx, c, "u1", store.Patch{Inc: map[string]int64{"points": -200}}, nil)
		mustNil(t, err, "negative inc without condition")
		if got["points"] != json.Number("-95") {
			t.Errorf("points = %v, want -95", got["points"])
		}
		got, err = st.Update(ctx, c, "u1", store.Patch{}, nil)
		mustNil(t, err, "empty patch")
		if got["points"] != json.Number("-95") || got["tier"] != "gold" {
			t.Errorf("empty patch changed the document: %v", got)
		}
		got, err = st.Update(ctx, c, "u1", store.Patch{Set: map[string]any{"profile": store.Doc{"name": "李四"}}}, nil)
		mustNil(t, err, "replace an object")
		if d := docDiff(canon(store.Doc{"name": "李四"}), got["profile"]); d != "" {
			t.Errorf("setting an object replaces it: %s", d)
		}

		_, err = st.Update(ctx, c, "missing", store.Patch{Set: map[string]any{"tier": "x"}}, nil)
		wantIs(t, err, store.ErrNotFound, "update missing")
		cond := mustFilter(t, `{"tier":"gold"}`, crudFields)
		_, err = st.Update(ctx, c, "missing", store.Patch{Set: map[string]any{"tier": "x"}}, cond)
		wantIs(t, err, store.ErrNotFound, "conditional update of a missing id")
		_, err = st.Update(ctx, c, "u1", store.Patch{Set: map[string]any{"tier": "x"}}, mustFilter(t, `{"tier":"silver"}`, crudFields))
		wantIs(t, err, store.ErrConditionFailed, "update with a false condition")
		got, err = st.Update(ctx, c, "u1", store.Patch{Set: map[string]any{"tier": "platinum"}}, mustFilter(t, `{"tier":"gold","profile.name":"李四"}`, crudFields))
		mustNil(t, err, "update with a true condition")
		if got["tier"] != "platinum" {
			t.Errorf("tier = %v", got["tier"])
		}
	})

	t.Run("PatchNeverSilentlyIgnored", func(t *testing.T) {
		// A patch that cannot be applied as written is an error; Update
		// never reports success while leaving the document as it was.
		st, ctx, c := s.open(t), t.Context(), coll("patchconf")
		orig := store.Doc{"_id": "p", "s": "x", "arr": []any{"x", "y"}}
		_, err := st.Insert(ctx, c, orig)
		mustNil(t, err, "insert")
		for _, tc := range []struct {
			name  string
			patch store.Patch
		}{
			{"set below a text value", store.Patch{Set: map[string]any{"s.x": 1}}},
			{"set below a list", store.Patch{Set: map[string]any{"arr.1": "z"}}},
		} {
			before, err := st.Get(ctx, c, "p")
			mustNil(t, err, "get")
			got, err := st.Update(ctx, c, "p", tc.patch, nil)
			after, gerr := st.Get(ctx, c, "p")
			mustNil(t, gerr, "get")
			switch {
			case err != nil:
				if d := docDiff(before, after); d != "" {
					t.Errorf("%s: refused (%v) but the document changed: %s", tc.name, err, d)
				}
			case docDiff(before, after) == "":
				t.Errorf("%s: Update returned success but changed nothing: %v", tc.name, got)
			default:
				if d := docDiff(after, got); d != "" {
					t.Errorf("%s: returned document differs from the stored one: %s", tc.name, d)
				}
			}
		}
		before, err := st.Get(ctx, c, "p")
		mustNil(t, err, "get")
		_, err = st.Update(ctx, c, "p", store.Patch{Inc: map[string]int64{"s": 1}}, nil)
		if err == nil {
			t.Error("incrementing a text field succeeded")
		}
		after, err := st.Get(ctx, c, "p")
		mustNil(t, err, "get")
		if d := docDiff(before, after); d != "" {
			t.Errorf("a refused increment changed the document: %s", d)
		}
	})

	t.Run("IDIsImmutable", func(t *testing.T) {
		st, ctx, c := s.open(t), t.Context(), coll("idimm")
		_, err := st.Insert(ctx, c, store.Doc{"_id": "keep", "points": 1})
		mustNil(t, err, "insert")
		for name, p := range map[string]store.Patch{
			"set _id":   {Set: map[string]any{"_id": "other"}},
			"set _id.x": {Set: map[string]any{"_id.x": "other"}},
			"unset _id": {Unset: []string{"_id"}},
			"inc _id":   {Inc: map[string]int64{"_id": 1}},
		} {
			_, err := st.Update(ctx, c, "keep", p, nil)
			wantRefused(t, err, "%s", name)
		}
		doc, err := st.Get(ctx, c, "keep")
		mustNil(t, err, "get after refused updates")
		if d := docDiff(canonDoc(store.Doc{"_id": "keep", "points": 1}), doc); d != "" {
			t.Errorf("refused updates changed the document: %s", d)
		}
		if _, err := st.Get(ctx, c, "other"); err == nil {
			t.Error("a document with the new _id exists")
		}
	})

	t.Run("Delete", func(t *testing.T) {
		st, ctx, c := s.open(t), t.Context(), coll("delete")
		for _, id := range []string{"d1", "d2"} {
			_, err := st.Insert(ctx, c, store.Doc{"_id": id, "tier": "gold"})
			mustNil(t, err, "insert")
		}
		mustNil(t, st.Delete(ctx, c, "d1", nil), "delete")
		_, err := st.Get(ctx, c, "d1")
		wantIs(t, err, store.ErrNotFound, "get after delete")
		wantIs(t, st.Delete(ctx, c, "d1", nil), store.ErrNotFound, "delete twice")
		wantIs(t, st.Delete(ctx, c, "never", nil), store.ErrNotFound, "delete missing")
		wantIs(t, st.Delete(ctx, c, "never", mustFilter(t, `{"tier":"gold"}`, crudFields)), store.ErrNotFound, "conditional delete of a missing id")
		wantIs(t, st.Delete(ctx, c, "d2", mustFilter(t, `{"tier":"silver"}`, crudFields)), store.ErrConditionFailed, "delete with a false condition")
		if _, err := st.Get(ctx, c, "d2"); err != nil {
			t.Errorf("a refused conditional delete removed the document: %v", err)
		}
		mustNil(t, st.Delete(ctx, c, "d2", mustFilter(t, `{"tier":"gold"}`, crudFields)), "delete with a true condition")
		n, err := st.Count(ctx, c, nil)
		mustNil(t, err, "count")
		if n != 0 {
			t.Errorf("count after deletes = %d", n)
		}
		// The id is free again.
		_, err = st.Insert(ctx, c, store.Doc{"_id": "d1"})
		mustNil(t, err, "insert a deleted id again")
	})
}

// mustFilter parses a JSON filter the way user input reaches the store.
func mustFilter(t testing.TB, raw string, fields query.Fields) *query.Node {
	t.Helper()
	n, err := query.ParseFilter([]byte(raw), fields, query.Options{})
	if err != nil {
		t.Fatalf("storetest: bad test filter %s: %v", raw, err)
	}
	return n
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
