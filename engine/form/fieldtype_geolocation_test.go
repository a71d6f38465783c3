package form

import (
	"encoding/json"
	"testing"
)

func TestGeolocation(t *testing.T) {
	ftNormalize(t, "geolocation", true, []ntCase{
		{name: "point", in: ftJSON(`{"lat": 31.2304, "lng": 121.4737}`), want: map[string]any{"lat": json.Number("31.2304"), "lng": json.Number("121.4737")}},
		{name: "floats rounded to 7 digits", in: map[string]any{"lat": 31.230416123456, "lng": -0.00000004}, want: map[string]any{"lat": json.Number("31.2304161"), "lng": json.Number("0")}},
		{name: "accuracy", in: ftJSON(`{"lat": "0", "lng": "180", "accuracy": 35.456}`), want: map[string]any{"lat": json.Number("0"), "lng": json.Number("180"), "accuracy": json.Number("35.46")}},
		{name: "ranges", in: ftJSON(`{"lat": 90.0000001, "lng": -181, "accuracy": -1}`), errs: []string{"f.lat field.range", "f.lng field.range", "f.accuracy field.range"}},
		{name: "missing", in: ftJSON(`{"lat": 30, "alt": 5}`), errs: []string{"f.lng field.required", "f.alt field.unknown"}},
		{name: "types", in: ftJSON(`{"lat": "north", "lng": true}`), errs: []string{"f.lat field.type", "f.lng field.type"}},
		{name: "not an object", in: ftJSON(`[31, 121]`), errs: []string{"f field.type"}},
	})
	ftParse(t, "geolocation", []psCase{
		{cell: "31.2304,121.4737", want: map[string]any{"lat": "31.2304", "lng": "121.4737"}},
		{cell: "31.2304， 121.4737", want: map[string]any{"lat": "31.2304", "lng": "121.4737"}},
		{cell: `{"lat": 1, "lng": 2}`, want: map[string]any{"lat": json.Number("1"), "lng": json.Number("2")}},
		{cell: "上海", want: nil, errs: []string{"f field.type"}},
		{cell: "", want: nil},
	})
	ftCheck(t, "geolocation", []ckCase{
		{"fine", `{"coordSystem": "wgs84"}`, nil},
		{"datum", `{"coordSystem": "utm"}`, []string{"coordSystem field.config"}},
	})
}

func TestBarcode(t *testing.T) {
	ftNormalize(t, "barcode", true, []ntCase{
		{name: "any", in: " SKU-0001 ", want: "SKU-0001"},
		{name: "any refuses other characters", in: "SKU 0001", errs: []string{"f field.barcode"}},
		{name: "default max 128", in: string(make([]byte, 129)), errs: []string{"f field.max_length"}},
		{name: "ean13", settings: `{"symbology": "ean13"}`, in: "6901234567892", want: "6901234567892"},
		{name: "ean13 check digit", settings: `{"symbology": "ean13"}`, in: "6901234567893", errs: []string{"f field.barcode"}},
		{name: "ean13 length", settings: `{"symbology": "ean13"}`, in: "690123456789", errs: []string{"f field.barcode"}},
		{name: "code128 ascii", settings: `{"symbology": "code128"}`, in: "Card #12/A", want: "Card #12/A"},
		{name: "code128 refuses non-ASCII", settings: `{"symbology": "code128"}`, in: "会员12", errs: []string{"f field.barcode"}},
		{name: "qr text", settings: `{"symbology": "qr"}`, in: "https://m.example.cn/v?id=会员1", want: "https://m.example.cn/v?id=会员1"},
		{name: "qr refuses control", settings: `{"symbology": "qr", "maxLength": 5}`, in: "a\x01b", errs: []string{"f field.barcode"}},
		{name: "max length setting", settings: `{"symbology": "qr", "maxLength": 5}`, in: "abcdef", errs: []string{"f field.max_length"}},
		{name: "number refused", in: ftJSON(`6901234567892`), errs: []string{"f field.type"}},
	})
	ftParse(t, "barcode", []psCase{{cell: "0012345", want: "0012345"}, {cell: "", want: nil}})
	ftCheck(t, "barcode", []ckCase{
		{"fine", `{"symbology": "ean13", "scan": true}`, nil},
		{"symbology", `{"symbology": "pdf417"}`, []string{"symbology field.config"}},
	})
	if d := ean13CheckDigit("400638133393"); d != '1' {
		t.Errorf("check digit %c", d)
	}
}
