package storetest

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tangram/tangram/engine/store"
)

// roundTripDoc holds every JSON shape a record may take, with numbers in
// each form callers may pass (int, int64, json.Number, float64).
func roundTripDoc() store.Doc {
	return store.Doc{
		"zh":       "会员",
		"zh2":      "金卡会员 · 积分",
		"emoji":    "😀👍🏽🇨🇳",
		"escapes":  "quote\" back\\ slash/ nl\n tab\t <b>&amp;</b>",
		"empty":    "",
		"dollar":   "$user.unit",
		"int":      42,
		"neg":      -7,
		"zero":     0,
		"i64":      int64(9007199254740993),
		"jsonInt":  json.Number("9007199254740993"),
		"maxInt":   int64(math.MaxInt64),
		"minInt":   int64(math.MinInt64),
		"dec1":     json.Number("10.50"),
		"dec2":     json.Number("0.1"),
		"dec3":     json.Number("-3.14159265358979"),
		"dec4":     json.Number("0.0000001"),
		"dec5":     json.Number("123456789012345678.123456789012"),
		"dec6":     json.Number("100.00"),
		"float":    1.5,
		"yes":      true,
		"no":       false,
		"null":     nil,
		"nested":   store.Doc{"a": store.Doc{"b": store.Doc{"c": "深", "n": json.Number("2.50")}}},
		"emptyObj": store.Doc{},
		"list":     []any{"会员", 1, json.Number("2.50"), true, nil, "😀"},
		"objects": []any{
			store.Doc{"sku": "A1", "qty": 2, "price": json.Number("9.90")},
			store.Doc{"sku": "金", "qty": 1, "tags": []any{"x"}},
		},
		"emptyList":  []any{},
		"nestedList": []any{[]any{1, 2}, []any{}},
		"time":       "2026-01-01T00:00:00.000Z",
		"date":       "2026-01-01",
	}
}

func (s *suite) roundTrip(t *testing.T) {
	st, ctx, c := s.open(t), t.Context(), coll("roundtrip")
	doc := roundTripDoc()
	doc["_id"] = "rt"
	id, err := st.Insert(ctx, c, doc)
	mustNil(t, err, "insert")
	if id != "rt" {
		t.Fatalf("id = %q", id)
	}
	want := canonDoc(roundTripDoc())
	want["_id"] = "rt"
	// Spot-check the reference itself: these are the exact texts required.
	for k, text := range map[string]string{"i64": "9007199254740993", "dec1": "10.50", "dec4": "0.0000001", "dec6": "100.00", "float": "1.5", "minInt": "-9223372036854775808"} {
		if want[k] != json.Number(text) {
			t.Fatalf("storetest: reference %s = %v", k, want[k])
		}
	}

	t.Run("Get", func(t *testing.T) {
		got, err := st.Get(ctx, c, "rt")
		mustNil(t, err, "get")
		if d := docDiff(want, got); d != "" {
			t.Errorf("get: %s", d)
		}
		perField(t, want, got)
	})
	t.Run("Find", func(t *testing.T) {
		got, err := st.Find(ctx, c, store.Query{})
		mustNil(t, err, "find")
		if len(got) != 1 {
			t.Fatalf("find returned %d documents", len(got))
		}
		if d := docDiff(want, got[0]); d != "" {
			t.Errorf("find: %s", d)
		}
	})
	t.Run("UpdateResult", func(t *testing.T) {
		got, err := st.Update(ctx, c, "rt", store.Patch{Set: map[string]any{"added": json.Number("0.10")}}, nil)
		mustNil(t, err, "update")
		w := canonDoc(want)
		w["added"] = json.Number("0.10")
		if d := docDiff(w, got); d != "" {
			t.Errorf("update result: %s", d)
		}
	})
	t.Run("InputNotRetained", func(t *testing.T) {
		// Changing the caller's map after Insert must not change the store.
		in := store.Doc{"_id": "alias", "list": []any{"a"}, "obj": store.Doc{"k": "v"}}
		_, err := st.Insert(ctx, c, in)
		mustNil(t, err, "insert")
		in["list"].([]any)[0] = "changed"
		in["obj"].(store.Doc)["k"] = "changed"
		got, err := st.Get(ctx, c, "alias")
		mustNil(t, err, "get")
		if d := docDiff(canonDoc(store.Doc{"_id": "alias", "list": []any{"a"}, "obj": store.Doc{"k": "v"}}), got); d != "" {
			t.Errorf("the store kept a reference to the caller's document: %s", d)
		}
	})
}

// perField reports each differing top-level field on its own line, so one
// bad value does not hide behind a long JSON diff.
func perField(t *testing.T, want, got store.Doc) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("field %q missing (want %v)", k, w)
			continue
		}
		if d := docDiff(w, g); d != "" {
			t.Errorf("field %q: %s", k, d)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %q = %v", k, got[k])
		}
	}
}
