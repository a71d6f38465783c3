package form

import "testing"

func TestAddress(t *testing.T) {
	full := map[string]any{"province": "440000", "city": "440300", "district": "440305", "detail": "科技园南区 1 号"}
	ftNormalize(t, "address", true, []ntCase{
		{name: "full", in: ftJSON(`{"province": "440000", "city": "440300", "district": "440305", "detail": " 科技园南区 1 号 "}`), want: full},
		{name: "municipality", in: ftJSON(`{"province": "110000", "city": "110100", "district": "110105"}`),
			want: map[string]any{"province": "110000", "city": "110100", "district": "110105"}},
		{name: "county-level city under the province", in: ftJSON(`{"province": "420000", "city": "429000", "district": "429004"}`),
			want: map[string]any{"province": "420000", "city": "429000", "district": "429004"}},
		{name: "province only", in: ftJSON(`{"province": "540000"}`), want: map[string]any{"province": "540000"}},
		{name: "detail only", in: ftJSON(`{"detail": "步行街 8 号"}`), want: map[string]any{"detail": "步行街 8 号"}},
		{name: "nulls and blanks dropped", in: ftJSON(`{"province": "310000", "city": null, "detail": " "}`), want: map[string]any{"province": "310000"}},
		{name: "empty is no value", in: ftJSON(`{}`), want: nil},
		{name: "unknown province", in: ftJSON(`{"province": "990000"}`), errs: []string{"f.province field.address"}},
		{name: "province must end in 0000", in: ftJSON(`{"province": "440300"}`), errs: []string{"f.province field.address"}},
		{name: "city of another province", in: ftJSON(`{"province": "440000", "city": "320100"}`), errs: []string{"f.city field.address"}},
		{name: "city is a district code", in: ftJSON(`{"province": "440000", "city": "440305"}`), errs: []string{"f.city field.address"}},
		{name: "district of another city", in: ftJSON(`{"province": "440000", "city": "440300", "district": "440105"}`), errs: []string{"f.district field.address"}},
		{name: "district without city", in: ftJSON(`{"province": "440000", "district": "440305"}`), errs: []string{"f.district field.address"}},
		{name: "city without province", in: ftJSON(`{"city": "440300"}`), errs: []string{"f.city field.address"}},
		{name: "code shape", in: ftJSON(`{"province": "44", "city": 440300}`), errs: []string{"f.province field.address", "f.city field.type"}},
		{name: "unknown key", in: ftJSON(`{"province": "440000", "street": "x"}`), errs: []string{"f.street field.unknown"}},
		{name: "detail length", settings: `{"detailMaxLength": 3}`, in: ftJSON(`{"detail": "1234"}`), errs: []string{"f.detail field.max_length"}},
		{name: "level city", settings: `{"level": "city"}`, in: ftJSON(`{"province": "440000", "city": "440300", "district": "440305"}`), errs: []string{"f.district field.address"}},
		{name: "not an object", in: "广东省", errs: []string{"f field.type"}},
	})
	ftParse(t, "address", []psCase{
		{cell: "广东省深圳市南山区科技园", want: map[string]any{"province": "440000", "detail": "深圳市南山区科技园"}},
		{cell: "北京 朝阳区", want: map[string]any{"province": "110000", "detail": "朝阳区"}},
		{cell: "新疆维吾尔自治区", want: map[string]any{"province": "650000"}},
		{cell: "南京路 100 号", want: map[string]any{"detail": "南京路 100 号"}},
		{cell: `{"province": "310000"}`, want: map[string]any{"province": "310000"}},
		{cell: "", want: nil},
	})
	ftCheck(t, "address", []ckCase{
		{"fine", `{"level": "city", "detailMaxLength": 0}`, nil},
		{"level", `{"level": "street"}`, []string{"level field.config"}},
	})
	if len(Provinces()) != 34 {
		t.Fatalf("%d provinces", len(Provinces()))
	}
	if n, ok := ProvinceName("440000", "zh-CN"); !ok || n != "广东省" {
		t.Errorf("ProvinceName zh = %q", n)
	}
	if n, ok := ProvinceName("540000", "en"); !ok || n != "Xizang" {
		t.Errorf("ProvinceName en = %q", n)
	}
	if _, ok := ProvinceName("440300", "zh-CN"); ok {
		t.Error("a city code named as a province")
	}
}
