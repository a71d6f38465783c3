package form

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tangram/tangram/engine/meta"
)

// validate20Spec is a form of 20 client-written fields of 17 types, the
// kind of member or order form the CRM templates carry.
const validate20Spec = `{"title": "20 fields", "fields": [
  {"key": "name", "type": "text", "label": "姓名", "required": true, "maxLength": 20},
  {"key": "nick", "type": "text", "label": "昵称", "maxLength": 40},
  {"key": "phone", "type": "phone", "label": "手机号", "required": true},
  {"key": "email", "type": "email", "label": "邮箱"},
  {"key": "idNo", "type": "idcard", "label": "身份证号"},
  {"key": "tier", "type": "select", "label": "等级", "options": [{"value": "normal", "label": "普通"}, {"value": "gold", "label": "金卡"}]},
  {"key": "tags", "type": "multiselect", "label": "标签", "options": [{"value": "vip", "label": "VIP"}, {"value": "new", "label": "新客"}, {"value": "b2b", "label": "企业"}]},
  {"key": "points", "type": "number", "label": "积分", "min": 0},
  {"key": "weight", "type": "number", "label": "重量", "precision": 3},
  {"key": "balance", "type": "money", "label": "储值", "min": 0},
  {"key": "discount", "type": "percent", "label": "折扣", "max": 100},
  {"key": "birthday", "type": "date", "label": "生日"},
  {"key": "joinedAt", "type": "datetime", "label": "入会时间"},
  {"key": "agreed", "type": "checkbox", "label": "同意条款"},
  {"key": "note", "type": "textarea", "label": "备注"},
  {"key": "home", "type": "address", "label": "地址", "level": "district"},
  {"key": "spot", "type": "geolocation", "label": "位置"},
  {"key": "sku", "type": "barcode", "label": "条码"},
  {"key": "clerk", "type": "user", "label": "导购"},
  {"key": "storeId", "type": "text", "label": "门店", "requiredWhen": {"tier": "gold"}}
]}`

// validate20Input is one valid record for validate20Spec, decoded the way
// the HTTP layer decodes bodies (numbers as json.Number).
const validate20Input = `{
  "name": "张三", "nick": "三哥", "phone": "13812345678", "email": "zhang.san@example.com",
  "idNo": "11010519491231002X", "tier": "gold", "tags": ["vip", "new"], "points": 1200, "weight": "1.25",
  "balance": "88.50", "discount": "12.5", "birthday": "1990-05-01", "joinedAt": "2026-11-23 14:30",
  "agreed": true, "note": "喜欢绿茶\n周末到店", "home": {"province": "440000", "city": "440300", "district": "440305", "detail": "科技园南区 1 号"},
  "spot": {"lat": 22.5431, "lng": 113.9298}, "sku": "6901234567892", "clerk": "u_0001", "storeId": "s_001"
}`

// BenchmarkValidate20Fields measures the validation of one 20-field
// record without storing it: every value through its type's Normalize,
// then the required and requiredWhen checks. Run with
// go test ./engine/form -run '^$' -bench Validate20Fields -benchmem.
func BenchmarkValidate20Fields(b *testing.B) {
	f, err := Compile(meta.Definition{Kind: meta.KindForm, App: "crm", Key: "v20", Version: 1, Spec: json.RawMessage(validate20Spec)})
	if err != nil {
		b.Fatal(err)
	}
	in := decodeInput(b, validate20Input)
	if len(in) != 20 {
		b.Fatalf("%d fields", len(in))
	}
	rec, fe := f.normalizeInput("zh-CN", in, false)
	if fe = append(fe, f.checkRequired("zh-CN", rec, fe)...); len(fe) > 0 {
		b.Fatalf("the input must be valid: %v", fe)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec, fe := f.normalizeInput("zh-CN", in, false)
		if fe = append(fe, f.checkRequired("zh-CN", rec, fe)...); len(fe) > 0 {
			b.Fatal(fe)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func decodeInput(tb testing.TB, s string) map[string]any {
	tb.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		tb.Fatal(err)
	}
	return m
}
