package mongo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/tangram/tangram/engine/store"
)

func decodeUseNumber(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A document read back must equal what encoding/json with UseNumber gives
// for the same JSON text: exact number text, nested maps, []any.
func TestRoundTripMatchesUseNumber(t *testing.T) {
	cases := []string{
		`{"n": 1, "neg": -42, "zero": 0}`,
		`{"min": -9223372036854775808, "max": 9223372036854775807}`,
		`{"big": 9223372036854775808, "huge": -123456789012345678901234567890}`,
		`{"money": 10.50, "tenth": 0.1, "exact": 123456789012345678901234567890.1234}`,
		`{"tiny": 0.000001, "negdec": -0.5}`,
		`{"s": "text", "t": true, "f": false, "nil": null, "empty": "", "uni": "北京 ✓"}`,
		`{"arr": [1, 2.5, "x", null, true, {"k": [3]}], "emptyArr": [], "emptyObj": {}}`,
		`{"a": {"b": {"c": {"d": 7.25}}}, "when": "2026-11-23T16:30:00.000Z"}`,
	}
	backends(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for _, c := range cases {
			want := decodeUseNumber(t, c)
			id, err := s.Insert(ctx, "docs", want)
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			got, err := s.Get(ctx, "docs", id)
			if err != nil {
				t.Fatal(err)
			}
			want["_id"] = id
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %#v\nwant %#v", c, got, want)
			}
			// And the JSON text is the same, number for number.
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			if !bytes.Equal(gb, wb) {
				t.Errorf("json differs:\n got %s\nwant %s", gb, wb)
			}
		}
	})
}

func TestGoValuesIn(t *testing.T) {
	s := newLungo(t, store.Options{})
	ctx := context.Background()
	when := time.Date(2026, 11, 23, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	id, err := s.Insert(ctx, "docs", store.Doc{
		"int": 7, "i64": int64(-3), "u64": uint64(math.MaxUint64), "f": 1.5, "f01": 0.1,
		"when": when, "strs": []string{"a", "b"}, "m": map[string]int64{"x": 1},
		"dec": mustDec("10.50"), "nilSlice": []string(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "docs", id)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Doc{
		"_id": id, "int": json.Number("7"), "i64": json.Number("-3"),
		"u64": json.Number("18446744073709551615"), "f": json.Number("1.5"), "f01": json.Number("0.1"),
		"when": "2026-11-23T00:30:00.000Z", "strs": []any{"a", "b"}, "m": map[string]any{"x": json.Number("1")},
		"dec": json.Number("10.50"), "nilSlice": nil,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %#v\nwant %#v", got, want)
	}
}

func TestNumberStorageTypes(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"12", int64(12)},
		{"-9223372036854775808", int64(math.MinInt64)},
		{"9223372036854775808", mustDec("9223372036854775808")},
		{"10.50", mustDec("10.50")},
		{"1e3", mustDec("1E+3")},
	}
	for _, c := range cases {
		got, err := numberToBSON(json.Number(c.in), "x")
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.in, got, c.want)
		}
	}
}

func mustDec(s string) primitive.Decimal128 {
	d, err := primitive.ParseDecimal128(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestRejectedDocuments(t *testing.T) {
	s := newLungo(t, store.Options{})
	ctx := context.Background()
	cases := map[string]store.Doc{
		"dotted key":       {"a.b": 1},
		"dollar key":       {"$where": "1"},
		"nested dollar":    {"a": map[string]any{"$gt": 1}},
		"NaN":              {"f": math.NaN()},
		"Inf":              {"f": math.Inf(1)},
		"struct":           {"s": struct{ A int }{1}},
		"numeric _id":      {"_id": 5},
		"35 digits":        {"n": json.Number("1234567890123456789012345678901234.5")},
		"not a number":     {"n": json.Number("NaN")},
		"empty key":        {"": 1},
		"channel in array": {"a": []any{make(chan int)}},
	}
	for name, doc := range cases {
		if _, err := s.Insert(ctx, "docs", doc); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.Insert(ctx, "bad.name", store.Doc{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad collection: got %v", err)
	}
}

func TestInsertKeepsCallerDoc(t *testing.T) {
	s := newLungo(t, store.Options{})
	doc := store.Doc{"a": 1}
	id, err := s.Insert(context.Background(), "docs", doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["_id"]; ok || len(id) != 20 {
		t.Errorf("caller's doc changed (%v) or bad id %q", doc, id)
	}
}

func TestDecimalText(t *testing.T) {
	for in, want := range map[string]string{
		"0.0000001": "0.0000001", "100.00": "100.00", "10.50": "10.50", "-0.5": "-0.5", "-0.0": "-0.0",
		"1e3": "1000", "1.5E-10": "0.00000000015", "123456789012345678.123456789012": "123456789012345678.123456789012",
		"-3.14159265358979": "-3.14159265358979", "0": "0", "1E+100": "1E+100", "0E-80": "0E-80",
	} {
		if got := decimalText(mustDec(in)); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}
