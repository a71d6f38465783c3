package form

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// allTypesFields has one field of every registered type (rollups count
// the visits pointing here). allTypesSpec(key) is a form of them.
const allTypesFields = `[
  {"key": "name", "type": "text", "label": {"zh-CN": "姓名", "en": "Name"}, "required": true},
  {"key": "note", "type": "textarea", "label": {"zh-CN": "备注", "en": "Note"}},
  {"key": "body", "type": "richtext", "label": "正文"},
  {"key": "qty", "type": "number", "label": {"zh-CN": "数量", "en": "Qty"}},
  {"key": "weight", "type": "number", "label": "重量", "precision": 3},
  {"key": "price", "type": "money", "label": {"zh-CN": "单价", "en": "Price"}},
  {"key": "discount", "type": "percent", "label": "折扣率"},
  {"key": "birthday", "type": "date", "label": "生日"},
  {"key": "visitedAt", "type": "datetime", "label": "到店时间"},
  {"key": "tier", "type": "select", "label": {"zh-CN": "等级", "en": "Tier"}, "options": [
    {"value": "normal", "label": {"zh-CN": "普通", "en": "Normal"}}, {"value": "gold", "label": {"zh-CN": "金卡", "en": "Gold"}}]},
  {"key": "interests", "type": "multiselect", "label": {"zh-CN": "兴趣", "en": "Interests"}, "options": [
    {"value": "food", "label": {"zh-CN": "美食", "en": "Food"}}, {"value": "beauty", "label": {"zh-CN": "美妆", "en": "Beauty"}},
    {"value": "sports", "label": {"zh-CN": "运动", "en": "Sports"}}]},
  {"key": "consent", "type": "checkbox", "label": {"zh-CN": "同意营销", "en": "Consent"}},
  {"key": "phone", "type": "phone", "label": "手机号", "unique": true},
  {"key": "email", "type": "email", "label": "邮箱"},
  {"key": "idNo", "type": "idcard", "label": "身份证号"},
  {"key": "home", "type": "address", "label": "地址"},
  {"key": "clerk", "type": "user", "label": "导购"},
  {"key": "store", "type": "orgunit", "label": "门店"},
  {"key": "referrer", "type": "relation", "label": "推荐人", "form": "refs"},
  {"key": "referrerName", "type": "lookup", "label": "推荐人姓名", "relation": "referrer", "field": "name"},
  {"key": "total", "type": "formula", "label": "总额", "expression": "price * qty", "resultType": "money"},
  {"key": "cardNo", "type": "autonumber", "label": "卡号", "pattern": "VIP-{000000}"},
  {"key": "items", "type": "subtable", "label": "明细", "fields": [
    {"key": "sku", "type": "text", "label": "SKU"}, {"key": "n", "type": "number", "label": "件数"}, {"key": "amt", "type": "money", "label": "金额"}]},
  {"key": "files", "type": "attachment", "label": "附件"},
  {"key": "photos", "type": "image", "label": "照片"},
  {"key": "loc", "type": "geolocation", "label": "位置"},
  {"key": "code", "type": "barcode", "label": "条码"},
  {"key": "visits", "type": "rollup", "label": "到访次数", "form": "visitlog", "via": "who", "op": "count"}
]`

func allTypesSpec(title string) string {
	return `{"title": {"zh-CN": "` + title + `", "en": "All types"}, "fields": ` + allTypesFields + `}`
}

// allTypes publishes refs, alltypes, its twin alltypes2 and visitlog, and
// creates two records using every type.
func (e *env) allTypes() []store.Doc {
	e.t.Helper()
	e.publish(meta.KindForm, "refs", `{"title": "推荐人", "fields": [{"key": "name", "type": "text", "label": "姓名"}]}`)
	e.publish(meta.KindForm, "alltypes", allTypesSpec("全类型"))
	e.publish(meta.KindForm, "alltypes2", allTypesSpec("全类型二"))
	e.publish(meta.KindForm, "visitlog", `{"title": "到访", "fields": [{"key": "who", "type": "relation", "label": "会员", "form": "alltypes"}]}`)
	ref := e.create(e.admin, "refs", map[string]any{"name": "老李"})
	file := map[string]any{"id": "f_001", "name": "合同.pdf", "size": 1024, "contentType": "application/pdf", "sha256": strings.Repeat("ab", 32)}
	photo := map[string]any{"id": "p_001", "name": "门头.png", "size": 2048, "contentType": "image/png", "sha256": strings.Repeat("cd", 32)}
	e.registerFile("alltypes", "files", file)
	e.registerFile("alltypes", "photos", photo)
	return []store.Doc{
		e.create(e.admin, "alltypes", map[string]any{
			"name": "张三", "note": "第一行\n第二行，含逗号", "body": "<p>你好<b>世界</b></p>", "qty": 3, "weight": "1.250",
			"price": "12.50", "discount": "12.5", "birthday": "1990-05-01", "visitedAt": "2026-11-23T14:30:05+08:00",
			"tier": "gold", "interests": []any{"food", "sports"}, "consent": true, "phone": "13812341234",
			"email": "zhang@example.com", "idNo": "11010519491231002X", "home": map[string]any{"province": "440000", "detail": "深圳市南山区科技园 1 号"},
			"clerk": "u_001", "store": "store_001", "referrer": ref[SysID],
			"items": []any{map[string]any{"sku": "A-1", "n": 2, "amt": "3.50"}}, "files": []any{file}, "photos": []any{photo},
			"loc": map[string]any{"lat": "31.2304", "lng": "121.4737"}, "code": "ABC-123",
		}),
		e.create(e.admin, "alltypes", map[string]any{
			"name": "=1+2 Smith", "note": "-负数开头", "price": "-3.00", "qty": 1, "tier": "normal", "interests": []any{"beauty"},
			"consent": false, "discount": "-0.5",
			"home": map[string]any{"province": "440000", "city": "440300", "district": "440305", "detail": "南山"},
			"loc":  map[string]any{"lat": 1, "lng": 2, "accuracy": 5},
		}),
	}
}

// registerFile stores the metadata of an uploaded file (as engine/files
// does), so records of form may reference it in field.
func (e *env) registerFile(form, field string, ref map[string]any) {
	e.t.Helper()
	doc := store.Doc{"app": "crm", "form": form, "field": field, "uploadedBy": "admin", "at": "2026-11-23T00:00:00Z"}
	for k, v := range ref {
		doc[k] = v
	}
	doc[SysID] = ref["id"]
	delete(doc, "id")
	if _, err := e.st.Insert(e.ctx, FilesCollection, doc); err != nil {
		e.t.Fatal(err)
	}
}

// export runs a whole export into memory.
func (e *env) export(p *auth.Principal, form, format string, q ExportQuery) []byte {
	e.t.Helper()
	q.Format = format
	x, err := e.rec.PrepareExport(e.ctx, p, "crm", form, q)
	if err != nil {
		e.t.Fatalf("prepare export: %v", err)
	}
	var buf bytes.Buffer
	var w TableWriter = NewCSVWriter(&buf)
	if format == "xlsx" {
		if w, err = NewXLSXWriter(&buf, x.Title()); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := x.Run(e.ctx, w); err != nil {
		e.t.Fatalf("export: %v", err)
	}
	return buf.Bytes()
}

// readCSV parses an exported CSV (after its byte order mark).
func readCSV(t testing.TB, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatalf("no byte order mark: %q", data[:min(20, len(data))])
	}
	rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// stored lists a form's records by name, as the admin reads them.
func (e *env) stored(form string) map[string]store.Doc {
	e.t.Helper()
	page, err := e.rec.List(e.ctx, e.admin, "crm", form, ListQuery{Limit: MaxPageSize})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]store.Doc{}
	for _, d := range page.Items {
		out[str(d["name"])] = d
	}
	return out
}

// TestExportImportRoundTrip exports records holding every field type, to
// CSV and to .xlsx, imports the file into a twin form (a dry run, then for
// real) and finds the same stored values.
func TestExportImportRoundTrip(t *testing.T) {
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			e := newEnv(t)
			e.allTypes()
			data := e.export(e.admin, "alltypes", format, ExportQuery{})
			// A reference names a file of one form and field: the twin
			// form's records may hold these files once they belong to it.
			for _, id := range []string{"f_001", "p_001"} {
				if _, err := e.st.Update(e.ctx, FilesCollection, id, store.Patch{Set: map[string]any{"form": "alltypes2"}}, nil); err != nil {
					t.Fatal(err)
				}
			}
			dry := e.importFile(e.admin, "alltypes2", format, data, ImportOptions{DryRun: true})
			if dry.Created != 2 || dry.Failed != 0 || dry.Outcome != OutcomeDryRun || len(e.stored("alltypes2")) != 0 {
				t.Fatalf("dry run: %+v", dry)
			}
			res := e.importFile(e.admin, "alltypes2", format, data, ImportOptions{})
			if res.Created != 2 || res.Failed != 0 || res.Outcome != OutcomeWritten {
				t.Fatalf("import: %+v", res)
			}
			ignored := map[string]string{}
			for _, c := range res.Columns {
				if c.Status != ColumnMapped {
					ignored[c.Field] = c.Reason
				}
			}
			if len(ignored) != 4 || ignored["total"] != "computed" || ignored["cardNo"] != "computed" ||
				ignored["referrerName"] != "computed" || ignored["visits"] != "computed" {
				t.Fatalf("ignored columns %v", ignored)
			}
			src, dst := e.stored("alltypes"), e.stored("alltypes2")
			if len(dst) != 2 {
				t.Fatalf("imported %d records", len(dst))
			}
			for name, a := range src {
				b := dst[name]
				for _, fd := range allFieldKeys(t, e, "alltypes") {
					if fd == "cardNo" {
						continue // numbered afresh by the form it lands in
					}
					if jsonText(a[fd]) != jsonText(b[fd]) {
						t.Errorf("%s.%s: exported %s, imported %s", name, fd, jsonText(a[fd]), jsonText(b[fd]))
					}
				}
			}
		})
	}
}

func allFieldKeys(t *testing.T, e *env, form string) []string {
	f, err := e.rec.Form(e.ctx, "crm", form)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fd := range f.Fields {
		out = append(out, fd.Key)
	}
	return out
}

// TestExportRendering: values for people, in both languages, formula-like
// text escaped, keys as headers on request, chosen columns only.
func TestExportRendering(t *testing.T) {
	e := newEnv(t)
	e.allTypes()
	rows := readCSV(t, e.export(e.admin, "alltypes", "csv", ExportQuery{Sort: "_createdAt"}))
	byHeader := func(row []string) map[string]string {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		return m
	}
	zhang, smith := byHeader(rows[1]), byHeader(rows[2])
	want := map[string]string{"姓名": "张三", "单价": "12.50", "折扣率": "12.5%", "等级": "金卡", "兴趣": "美食、运动",
		"同意营销": "是", "到店时间": "2026-11-23 14:30:05", "总额": "37.50", "地址": "广东省 深圳市南山区科技园 1 号",
		"位置": "31.2304,121.4737", "推荐人姓名": "老李", "重量": "1.25", "生日": "1990-05-01",
		"明细": `[{"amt":"3.50","n":2,"sku":"A-1"}]`}
	for h, v := range want {
		if zhang[h] != v {
			t.Errorf("%s = %q, want %q", h, zhang[h], v)
		}
	}
	if smith["姓名"] != "'=1+2 Smith" || smith["备注"] != "'-负数开头" || smith["单价"] != "-3.00" || smith["同意营销"] != "否" ||
		!strings.HasPrefix(smith["位置"], "{") || !strings.Contains(smith["地址"], `"district":"440305"`) {
		t.Fatalf("second row: %v", smith)
	}

	rows = readCSV(t, e.export(e.admin, "alltypes", "csv", ExportQuery{Sort: "_createdAt", Lang: "en", Fields: []string{"_id", "name", "tier", "interests", "consent"}}))
	if strings.Join(rows[0], "|") != "Record ID|Name|Tier|Interests|Consent" || strings.Join(rows[1][1:], "|") != "张三|Gold|Food, Sports|Yes" {
		t.Fatalf("english: %v", rows)
	}
	rows = readCSV(t, e.export(e.admin, "alltypes", "csv", ExportQuery{HeaderKeys: true, Fields: []string{"name", "price"}, Filter: []byte(`{"tier": "gold"}`)}))
	if len(rows) != 2 || strings.Join(rows[0], ",") != "name,price" {
		t.Fatalf("keys and filter: %v", rows)
	}
	_, err := e.rec.PrepareExport(e.ctx, e.admin, "crm", "alltypes", ExportQuery{Fields: []string{"nosuch"}, Lang: "en"})
	wantCode(t, err, "export.unknown_field")
	// A view gives the filter and the columns (one it names is gone).
	e.publish(meta.KindView, "gold", `{"title": "金卡", "form": "alltypes", "filter": {"tier": "gold"}, "columns": [{"field": "name"}, {"field": "price"}, {"field": "gone"}]}`)
	rows = readCSV(t, e.export(e.admin, "alltypes", "csv", ExportQuery{View: "gold"}))
	if len(rows) != 2 || strings.Join(rows[0], ",") != "姓名,单价" || strings.Join(rows[1], ",") != "张三,12.50" {
		t.Fatalf("view: %v", rows)
	}

	// Every export is audited with its row count once it has ended.
	page, err := e.audit.Query(e.ctx, auth.AuditQuery{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range page.Entries {
		if en.Action == "record.export" {
			n++
			if en.Target != "form:alltypes" || str(en.Details["rows"]) == "" || en.Details["format"] != "csv" {
				t.Fatalf("audit entry %+v", en)
			}
		}
	}
	if n != 4 {
		t.Fatalf("%d export entries", n)
	}
}

// TestExportRights: the export right is needed besides read, and its
// roles' field rules apply on top of the read roles'.
func TestExportRights(t *testing.T) {
	e := newEnv(t).crm()
	e.create(e.admin, "members", map[string]any{"name": "张三", "phone": "13812341234", "storeId": "s1"})
	e.create(e.admin, "members", map[string]any{"name": "李四", "phone": "13900001111", "storeId": "s2"})
	e.publish(meta.KindRole, "reader", `{"title": "reader", "permissions": [{"kind": "form", "key": "members", "actions": ["read"]}]}`)
	e.publish(meta.KindRole, "exporter", `{"title": "exporter", "permissions": [{"kind": "form", "key": "members", "actions": ["read", "export"],
	  "scope": {"storeId": "s1"}, "fields": {"phone": "masked", "idNo": "hidden"}}]}`)
	_, err := e.rec.PrepareExport(e.ctx, user("r", nil, "reader"), "crm", "members", ExportQuery{})
	wantCode(t, err, "access.forbidden")

	// Reading through both roles sees everything; exporting, only what
	// the exporting role allows.
	both := user("b", nil, "reader", "exporter")
	rows := readCSV(t, e.export(both, "members", "csv", ExportQuery{Fields: []string{"name", "phone", "idNo"}}))
	if len(rows) != 2 || strings.Join(rows[0], ",") != "姓名,手机号" || strings.Join(rows[1], ",") != "张三,138****1234" {
		t.Fatalf("export through the exporting role: %v", rows)
	}
}

// BenchmarkExport exports 100,000 members (imported first) to CSV and to
// .xlsx through List pages, reporting rows/s and the peak heap in use
// while exporting, which stays flat whatever the number of rows. Run with
//
//	go test ./engine/form -run '^$' -bench Export -benchtime 1x
func BenchmarkExport(b *testing.B) {
	const rows = 100_000
	e := newEnv(b).crm()
	var buf bytes.Buffer
	buf.WriteString("姓名,手机号,积分,门店\n")
	for i := range rows {
		fmt.Fprintf(&buf, "会员%06d,139%08d,%d,store_%03d\n", i, i, i%5000, i%200)
	}
	if res := e.importFile(e.admin, "members", "csv", buf.Bytes(), ImportOptions{}); res.Created != rows {
		b.Fatalf("seed: %+v", res)
	}
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			var elapsed time.Duration
			var peak uint64
			size := 0
			for range b.N {
				runtime.GC()
				stop, top := sampleHeap()
				start := time.Now()
				var out countingWriter
				x, err := e.rec.PrepareExport(e.ctx, e.admin, "crm", "members", ExportQuery{Format: format})
				if err != nil {
					b.Fatal(err)
				}
				var w TableWriter = NewCSVWriter(&out)
				if format == "xlsx" {
					if w, err = NewXLSXWriter(&out, x.Title()); err != nil {
						b.Fatal(err)
					}
				}
				if n, err := x.Run(e.ctx, w); err != nil || n != rows {
					b.Fatalf("export: %d rows, %v", n, err)
				}
				elapsed += time.Since(start)
				stop()
				peak, size = max(peak, top.Load()), out.n
			}
			b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
		})
	}
}

// countingWriter discards what it is given and counts it.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}
