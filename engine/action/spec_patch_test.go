package action

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// TestNormalizeIsTheJSONRoundTrip: the direct conversion of values gives
// exactly what a JSON round trip (what the store does) gives, including
// where it falls back to it.
func TestNormalizeIsTheJSONRoundTrip(t *testing.T) {
	type pair struct {
		A string `json:"a"`
		B int    `json:"b,omitempty"`
	}
	values := []any{
		nil, true, false, "", "文本", "<a&b>", "line\u2028sep", "bad\xffutf8", 0, -7, int64(math.MaxInt64), int64(math.MinInt64), int32(5),
		json.Number("1.50"), json.Number("-0"), json.Number("1e5"), json.Number("12345678901234567890"), json.Number(""),
		0.1, 1e21, 1e-7, -0.0, float64(3), []string{"x", "y"}, map[string]string{"k": "v"},
		time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), pair{A: "x"}, []any{1, "a", nil, []any{}, map[string]any{}},
		map[string]any{"n": 1, "nested": map[string]any{"d": json.Number("0.10"), "l": []any{int64(2), true}}, "bad\xffkey": 1},
	}
	for _, v := range values {
		got, err := normalizeValue(v)
		want, werr := roundTrip(v)
		if (err != nil) != (werr != nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%#v: normalize %#v (%v), round trip %#v (%v)", v, got, err, want, werr)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), json.Number("1.2.3"), json.Number("0x10"), map[string]any{"f": func() {}}} {
		if _, err := normalizeValue(bad); err == nil {
			t.Errorf("%#v normalized", bad)
		}
	}
	for s, ok := range map[string]bool{"0": true, "-12.5e+3": true, "1E9": true, "01": false, "1.": false, ".5": false, "-": false, "1e": false, "+1": false} {
		if validNumber(s) != ok {
			t.Errorf("validNumber(%q) = %v", s, !ok)
		}
	}
}

// TestSpecMirrorsStore: what specOps makes of an insert and of a patch is
// what the embedded store stores and returns, and a patch the store
// refuses is refused in memory too (a speculation gives up there).
func TestSpecMirrorsStore(t *testing.T) {
	e := newEnv(t)
	if e.st.Backend() != "sqlite" {
		t.Skip("runs speculate on the embedded store only")
	}
	base := store.Doc{"s": "文本<&>", "n": 5, "d": json.Number("1.50"), "nul": nil, "obj": map[string]any{"x": 1, "deep": map[string]any{}},
		"list": []any{1, "two", map[string]any{"three": 3}}, "f": 0.25, "big": int64(math.MaxInt64 - 1), "t": "2026-11-23T08:00:00.000Z"}
	patches := []store.Patch{
		{},
		{Set: map[string]any{"s": "新", "new": map[string]any{"a": []any{1}}, "obj.x": nil}},
		{Set: map[string]any{"a.b.c": 1, "obj.deep.y": "z"}},
		{Unset: []string{"n", "missing", "obj.x", "missing.path", "s.sub"}},
		{Inc: map[string]int64{"n": 3, "missing": 2, "nul": 4, "obj.x": -1, "fresh.count": 0}},
		{Set: map[string]any{"n": json.Number("2.50")}, Unset: []string{"list"}, Inc: map[string]int64{"obj.x": 10}},
		{Inc: map[string]int64{"big": 1}},
		// Refused by the store: a parent that is not an object, an
		// increment of a non-integer or past int64, overlapping paths,
		// the id, an invalid path.
		{Set: map[string]any{"s.sub": 1}},
		{Set: map[string]any{"nul.sub": 1}},
		{Set: map[string]any{"list.0": 1}},
		{Inc: map[string]int64{"d": 1}},
		{Inc: map[string]int64{"f": 1}},
		{Inc: map[string]int64{"s": 1}},
		{Inc: map[string]int64{"big": 2}},
		{Set: map[string]any{"obj": 1, "obj.x": 2}},
		{Unset: []string{"_id"}},
		{Set: map[string]any{"bad path": 1}},
	}
	for i, p := range patches {
		id, err := e.st.Insert(e.ctx, "spec_mirror", base)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := e.st.Get(e.ctx, "spec_mirror", id)
		if err != nil {
			t.Fatal(err)
		}
		nid, norm, err := normalizeInsert(store.Doc{"_id": id, "s": base["s"], "n": base["n"], "d": base["d"], "nul": nil, "obj": base["obj"],
			"list": base["list"], "f": base["f"], "big": base["big"], "t": base["t"]})
		if err != nil || nid != id || !reflect.DeepEqual(map[string]any(norm), map[string]any(stored)) {
			t.Fatalf("insert: stored %v, in memory %v (%v)", stored, norm, err)
		}
		want, serr := e.st.Update(e.ctx, "spec_mirror", id, p, nil)
		np, perr := normalizePatch(p)
		var got store.Doc
		if perr == nil {
			got, perr = applyPatch(norm, np)
		}
		switch {
		case serr != nil && perr == nil:
			t.Errorf("patch %d: the store refused (%v), memory gave %v", i, serr, got)
		case serr == nil && perr != nil:
			t.Errorf("patch %d: the store gave %v, memory refused (%v)", i, want, perr)
		case serr == nil && !sameValue(map[string]any(got), map[string]any(want)):
			t.Errorf("patch %d:\nstore  %v\nmemory %v", i, want, got)
		}
		if serr == nil && !reflect.DeepEqual(map[string]any(norm), map[string]any(stored)) {
			t.Errorf("patch %d changed the document it was applied to", i)
		}
	}
}

// TestSpecOpsAnswers: the speculative operations' own answers — reads of
// the run's writes, a duplicate id, a refused condition confirmed by the
// store, a query over the run's writes giving up.
func TestSpecOpsAnswers(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.Insert(e.ctx, "spec_ops", store.Doc{"_id": "a", "n": 1, "tag": "x"}); err != nil {
		t.Fatal(err)
	}
	s := newSpecOps(e.st)
	fTag := query.Field{Path: "tag", Kind: query.KindString}
	fN := query.Field{Path: "n", Kind: query.KindInt}
	if _, err := s.Insert(e.ctx, "spec_ops", store.Doc{"_id": "a"}); err != nil {
		t.Fatalf("an insert is accepted without a read: %v", err) // the replay decides
	}
	s = newSpecOps(e.st)
	if d, err := s.Get(e.ctx, "spec_ops", "a"); err != nil || str(d["n"]) != "1" {
		t.Fatalf("get %v %v", d, err)
	}
	if _, err := s.Insert(e.ctx, "spec_ops", store.Doc{"_id": "a"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("insert of a read id: %v", err)
	}
	if _, err := s.Update(e.ctx, "spec_ops", "a", store.Patch{Inc: map[string]int64{"n": 1}}, query.Eq(fN, query.Int(2))); !errors.Is(err, store.ErrConditionFailed) {
		t.Fatalf("refused condition: %v", err)
	}
	if _, err := s.Update(e.ctx, "spec_ops", "nope", store.Patch{}, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing document: %v", err)
	}
	d, err := s.Update(e.ctx, "spec_ops", "a", store.Patch{Inc: map[string]int64{"n": 1}}, query.Eq(fN, query.Int(1)))
	if err != nil || str(d["n"]) != "2" {
		t.Fatalf("update %v %v", d, err)
	}
	d["n"] = "changed by the caller"
	if again, _ := s.Get(e.ctx, "spec_ops", "a"); str(again["n"]) != "2" {
		t.Fatalf("the run's version was changed through a returned document: %v", again)
	}
	id, err := s.Insert(e.ctx, "spec_ops", store.Doc{"tag": "y"})
	if err != nil || len(id) != 20 {
		t.Fatalf("insert %q %v", id, err)
	}
	docs, err := s.Find(e.ctx, "spec_ops", store.Query{Filter: query.And(query.Eq(query.Field{Path: "_id", Kind: query.KindString}, query.Str(id)), query.Eq(fTag, query.Str("y")))})
	if err != nil || len(docs) != 1 || docs[0]["tag"] != "y" {
		t.Fatalf("find by id of the run's insert: %v %v", docs, err)
	}
	if n, err := s.Count(e.ctx, "spec_ops", query.Eq(fTag, query.Str("z"))); err != nil || n != 0 {
		t.Fatalf("count of other documents: %d %v", n, err)
	}
	if s.abort != nil {
		t.Fatalf("gave up: %v", s.abort)
	}
	if _, err := s.Count(e.ctx, "spec_ops", query.Eq(fTag, query.Str("y"))); !errors.Is(err, errSpecAbort) || s.abort == nil {
		t.Fatalf("a count over the run's insert: %v", err)
	}
	if _, err := s.Get(e.ctx, "spec_ops", "a"); !errors.Is(err, errSpecAbort) {
		t.Fatalf("after giving up: %v", err)
	}
	// The reads to verify: the missing document, the count confirming the
	// refusal and the count of other documents. The get of a (which the
	// duplicate and the refused condition rest on) is proven by the
	// replayed increment of its non-zero integer.
	if n := toVerify(s); n != 3 || len(s.writes) != 2 {
		t.Fatalf("%d reads to verify (of %d), %d writes", n, len(s.reads), len(s.writes))
	}
}

func toVerify(s *specOps) int {
	n := 0
	for _, r := range s.reads {
		if r.verify {
			n++
		}
	}
	return n
}

// TestSpecUpdateProvesRead: a document read and then updated needs no
// second read when the replayed update proves it unchanged — and the
// proof fails when a path the update overwrites changed meanwhile, which
// the returned document alone would not show.
func TestSpecUpdateProvesRead(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.Insert(e.ctx, "spec_cas", store.Doc{"_id": "c", "status": "active", "n": 5, "obj": "{}"}); err != nil {
		t.Fatal(err)
	}
	speculate := func(p store.Patch) *specOps {
		s := newSpecOps(e.st)
		if _, err := s.Get(e.ctx, "spec_cas", "c"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(e.ctx, "spec_cas", "c", p, nil); err != nil {
			t.Fatal(err)
		}
		return s
	}
	redeem := store.Patch{Set: map[string]any{"status": "used"}, Inc: map[string]int64{"n": 1}}
	if s := speculate(redeem); toVerify(s) != 0 {
		t.Fatalf("%d reads to verify, want 0", toVerify(s))
	}
	// Not provable: a path that held an object's JSON text, or nothing.
	for _, p := range []store.Patch{{Set: map[string]any{"obj": "x"}}, {Set: map[string]any{"fresh": 1}}, {Inc: map[string]int64{"fresh": 1}}} {
		if s := speculate(p); toVerify(s) != 1 {
			t.Fatalf("%v: %d reads to verify, want 1", p, toVerify(s))
		}
	}
	s := speculate(redeem)
	// Another run redeems first: same status after, same n (it did not
	// count), so the replay would return the very document speculated.
	if _, err := e.st.Update(e.ctx, "spec_cas", "c", store.Patch{Set: map[string]any{"status": "used"}}, nil); err != nil {
		t.Fatal(err)
	}
	err := e.st.Tx(e.ctx, func(tx store.Ops) error {
		if !s.fresh(e.ctx, tx) {
			t.Error("no read to verify, yet stale")
		}
		if s.apply(e.ctx, tx) {
			t.Error("the replay accepted a redemption of a used coupon")
		}
		return errDiverged
	})
	if !errors.Is(err, errDiverged) {
		t.Fatal(err)
	}
}

// TestSameValue: the comparison of what a read gave with what it gives
// again is exact: numbers by their text, maps and lists in full, nothing
// equal across types.
func TestSameValue(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{"n": json.Number("1.50"), "l": []any{"a", true, nil}, "m": map[string]any{"x": json.Number("1")}}
	}
	if !sameValue(doc(), doc()) {
		t.Fatal("equal documents differ")
	}
	for _, change := range []func(map[string]any){
		func(d map[string]any) { d["n"] = json.Number("1.5") },
		func(d map[string]any) { d["l"] = []any{"a", true} },
		func(d map[string]any) { d["m"].(map[string]any)["x"] = "1" },
		func(d map[string]any) { d["extra"] = nil },
		func(d map[string]any) { delete(d, "m") },
	} {
		d := doc()
		change(d)
		if sameValue(doc(), d) || sameValue(d, doc()) {
			t.Errorf("%v taken for %v", d, doc())
		}
	}
	if sameValue(int64(1), json.Number("1")) || !sameValue([]string{"a"}, []string{"a"}) || sameValue(nil, false) {
		t.Error("values of other types")
	}
}
