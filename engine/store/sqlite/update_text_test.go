package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// TestUpdateTextCache: an update without a condition takes its text from
// the cache by the patch's shape and makes its arguments directly; both
// are what building the statement gives, for every kind of patch, and a
// cached shape updates documents as a built one does.
func TestUpdateTextCache(t *testing.T) {
	patches := []store.Patch{
		{Inc: map[string]int64{"_n": 1, "_c_paid": -1990}},
		{Set: map[string]any{"updatedAt": "2026-11-23T20:00:00Z", "a.b": json.Number("1.50")}, Inc: map[string]int64{"balance": 5, "x.y.z": -3}},
		{Set: map[string]any{"tags": []any{"a", "b"}, "m": map[string]any{"k": true}}, Unset: []string{"old", "gone.too"}},
		{Unset: []string{"only"}},
	}
	for _, p := range patches {
		for range 2 { // a miss, then a hit
			text, args, err := updateStatement(`"c_t"`, "id1", p, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantText, wantArgs, _ := buildUpdate(`"c_t"`, "id1", p, nil)
			if text != wantText || !slices.Equal(args, wantArgs) {
				t.Fatalf("patch %+v:\n%s %v\nwant\n%s %v", p, text, args, wantText, wantArgs)
			}
		}
		if _, ok := updateTexts.Load(updateShape(`"c_t"`, p)); !ok {
			t.Errorf("patch %+v: shape not cached", p)
		}
	}
	// A condition is never cached: the text depends on it.
	cond := query.Eq(query.Field{Path: "v", Kind: query.KindString}, query.Str("x"))
	text, _, _ := updateStatement(`"c_t"`, "id1", patches[0], cond)
	if want, _, _ := buildUpdate(`"c_t"`, "id1", patches[0], cond); text != want {
		t.Fatalf("with a condition: %s, want %s", text, want)
	}

	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "u.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, err := st.Insert(ctx, "cells", store.Doc{"_n": 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		d, err := st.Update(ctx, "cells", id, store.Patch{Inc: map[string]int64{"_n": 2}, Set: map[string]any{"at": "t"}}, nil)
		if err != nil || d["_n"] != json.Number(strconv.Itoa(3+2*i)) || d["at"] != "t" {
			t.Fatalf("update %d: %v %v", i, d, err)
		}
	}
	if _, err := st.Update(ctx, "cells", id, store.Patch{Inc: map[string]int64{"at": 1}}, nil); err == nil {
		t.Fatal("an increment of text was accepted")
	}
}
