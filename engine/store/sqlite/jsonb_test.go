package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/store"
)

// randomValue makes a JSON-shaped value with the cases the codec must get
// right: escapes, control characters, invalid UTF-8, astral runes, every
// number form, nesting, and strings long enough for 1-, 2- and 4-byte size
// headers.
func randomValue(r *rand.Rand, depth int) any {
	n := 10
	if depth > 3 {
		n = 7
	}
	switch r.IntN(n) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return []string{"会员", "quote\" back\\slash", "tab\tnl\n", "ctl\x01\x1f", "bad\xff\xfeutf8", "😀🇨🇳", "\u2028\u2029", "", "</script>&amp;"}[r.IntN(9)]
	case 3:
		return []any{int64(math.MaxInt64), int64(math.MinInt64), 0, -7, 42, int64(9007199254740993)}[r.IntN(6)]
	case 4:
		return json.Number([]string{"10.50", "0.1", "-0", "1e5", "-3.14159265358979", "123456789012345678901234567890", "1E-7", "0.0000001", "100.00"}[r.IntN(9)])
	case 5:
		return []float64{1.5, 0.1, 1e21, 1e-7, -2.5e-300, 3, 123456.789}[r.IntN(7)]
	case 6:
		return strings.Repeat("长文本", []int{4, 30, 9000, 30000}[r.IntN(4)])
	case 7, 8:
		m := map[string]any{}
		for i := range r.IntN(6) {
			m[fmt.Sprintf("k%d\"%s", i, []string{"", "键", "\n"}[r.IntN(3)])] = randomValue(r, depth+1)
		}
		return m
	}
	l := make([]any, r.IntN(5))
	for i := range l {
		l[i] = randomValue(r, depth+1)
	}
	return l
}

// plainOf is what a value reads back as: its JSON decoded with numbers as
// json.Number.
func plainOf(t *testing.T, v any) any {
	t.Helper()
	raw, err := marshalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return decodeText(t, raw)
}

func decodeText(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return out
}

// TestJSONBAgreesWithSQLite checks the Go codec against SQLite's own
// JSONB: every document the encoder makes is strictly valid JSONB
// (json_valid(x, 8)) and renders (json()) as the same value as the
// document's JSON; the decoder reads both its own JSONB and the JSONB
// SQLite makes from JSON text (jsonb()) as that value.
func TestJSONBAgreesWithSQLite(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "j.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		doc := store.Doc{"v": randomValue(r, 0), "n": i}
		if m, ok := randomValue(r, 3).(map[string]any); ok && i%7 == 0 {
			doc = m
		}
		_, blob, err := encodeDoc(doc)
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		text, _ := marshalJSON(doc)
		var valid int
		var rendered string
		var sqliteBlob []byte
		_, err = s.read.r.queryRow(context.Background(), "SELECT json_valid(?, 8), json(?), jsonb(?)", []any{blob, blob, string(text)}, &valid, &rendered, &sqliteBlob)
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		want := plainOf(t, doc)
		if valid != 1 {
			t.Fatalf("doc %d: SQLite calls the encoder's JSONB invalid: %s", i, text)
		}
		if got := decodeText(t, []byte(rendered)); !reflect.DeepEqual(got, want) {
			t.Fatalf("doc %d: SQLite renders\n %s\nwant\n %s", i, rendered, text)
		}
		for name, b := range map[string][]byte{"own": blob, "SQLite's": sqliteBlob} {
			got, err := decodeDoc("x", b)
			if err != nil {
				t.Fatalf("doc %d: decode %s JSONB: %v", i, name, err)
			}
			delete(got, "_id")
			if !reflect.DeepEqual(any(got), want) {
				t.Fatalf("doc %d: decoded %s JSONB\n %v\nwant\n %v", i, name, got, want)
			}
		}
	}
}

func TestJSONBRefuses(t *testing.T) {
	deep := any("x")
	for range maxJSONBDepth + 1 {
		deep = []any{deep}
	}
	for name, doc := range map[string]store.Doc{
		"NaN":        {"f": math.NaN()},
		"Inf":        {"f": math.Inf(1)},
		"bad number": {"n": json.Number("1.")},
		"hex number": {"n": json.Number("0x10")},
		"too deep":   {"d": deep},
		"channel":    {"c": make(chan int)},
	} {
		if _, _, err := encodeDoc(doc); !isInvalid(err) {
			t.Errorf("%s: %v, want store.invalid", name, err)
		}
	}
	for name, b := range map[string][]byte{
		"empty":      {},
		"not object": {0x13, '1'},
		"short":      {0xcc, 5, 0x17},
		"json5 int":  {0x1c, 0x13, 'a', 0x34, '0', 'x', '1', 'f'},
		"trailing":   {0x0c, 0x00},
	} {
		if _, err := decodeDoc("x", b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func isInvalid(err error) bool {
	return err != nil && strings.Contains(err.Error(), "store.invalid")
}

// Other Go types go through encoding/json, as before the codec.
func TestJSONBGoValues(t *testing.T) {
	type item struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	doc := store.Doc{"items": []item{{"A", 2}}, "raw": json.RawMessage(`{"a":[1,2.50]}`), "m": map[string]string{"k": "v"},
		"f32": float32(0.1), "u8": uint8(7), "strs": []string{"a", "b"}}
	_, blob, err := encodeDoc(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeDoc("x", blob)
	if err != nil {
		t.Fatal(err)
	}
	delete(got, "_id")
	if want := plainOf(t, doc); !reflect.DeepEqual(any(got), want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

// benchDoc is a typical record for the codec benchmarks.
func benchDoc() store.Doc {
	return store.Doc{"name": "会员000123", "phone": "13900000123", "tier": "gold", "points": 4200, "storeId": "store_017",
		"amount": json.Number("1250"), "_version": int64(1), "_deleted": false, "_createdAt": "2026-11-23T14:28:44.123Z",
		"tags": []any{"a", "b"}, "address": map[string]any{"province": "310000", "city": "310100"}}
}

func BenchmarkEncodeDoc(b *testing.B) {
	doc := benchDoc()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := encodeDoc(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeDoc(b *testing.B) {
	doc := benchDoc()
	_, blob, _ := encodeDoc(doc)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeDoc("x", blob); err != nil {
			b.Fatal(err)
		}
	}
}

// The JSON text path the codec replaced (still used for patch values),
// for comparison.
func BenchmarkEncodeJSONText(b *testing.B) {
	doc := benchDoc()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := marshalJSON(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSONText(b *testing.B) {
	doc := benchDoc()
	text, _ := marshalJSON(doc)
	b.ReportAllocs()
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var out store.Doc
		if err := dec.Decode(&out); err != nil {
			b.Fatal(err)
		}
	}
}
