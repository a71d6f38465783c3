package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/api/apitest"
)

const (
	exportPath = "/api/apps/crm/forms/members/export"
	importPath = "/api/apps/crm/forms/members/import"
	csvType    = "Content-Type: text/csv"
)

// exportedCSV reads an exported CSV body.
func exportedCSV(t *testing.T, r apitest.Response) [][]string {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("export: %d %s", r.Status, r.Body)
	}
	if !bytes.HasPrefix(r.Body, []byte("\uFEFF")) {
		t.Fatalf("no byte order mark: %q", r.Body)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExportOverHTTP(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	for i, name := range []string{"张三", "李四"} {
		h.Expect(h.Do("POST", members, map[string]any{"name": name, "phone": fmt.Sprintf("1380000000%d", i), "points": i, "tier": "gold"}), 201, "")
	}
	r := h.Do("GET", exportPath+"?sort=_createdAt", nil)
	rows := exportedCSV(t, r)
	if strings.Join(rows[0], ",") != "姓名,手机号,门店,积分,等级,卡号" || strings.Join(rows[1][:5], ",") != "张三,13800000000,,0,金卡" {
		t.Fatalf("csv: %v", rows)
	}
	if ct, cd := r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" ||
		!strings.Contains(cd, `filename="members-`) || !strings.Contains(cd, "filename*=UTF-8''%E4%BC%9A%E5%91%98-") {
		t.Fatalf("headers: %q %q", ct, cd)
	}
	rows = exportedCSV(t, h.Do("GET", exportPath+"?lang=en&header=key&fields=name,tier&sort=-name", nil))
	if strings.Join(rows[0], ",") != "name,tier" || strings.Join(rows[1], ",") != "李四,金卡" {
		t.Fatalf("keys: %v", rows)
	}

	r = h.Do("GET", exportPath+"?format=xlsx&lang=en&filter="+url.QueryEscape(`{"name": "李四"}`), nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("xlsx: %d %v", r.Status, r.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[0]
	got, _ := f.GetRows(sheet)
	if sheet != "会员" || len(got) != 2 || got[0][0] != "姓名" || got[1][0] != "李四" || got[1][4] != "金卡" {
		t.Fatalf("sheet %q: %v", sheet, got)
	}
	h.Expect(h.Do("GET", exportPath+"?format=pdf", nil), 400, "request.query")
	h.Expect(h.Do("GET", exportPath+"?filter="+url.QueryEscape(`{"nosuch": 1}`), nil), 400, "")
	h.Expect(h.Do("GET", "/api/apps/crm/forms/nosuch/export", nil), 404, "")

	// The export is audited once the stream has ended.
	audit := h.Expect(h.Do("GET", "/api/audit?filter="+url.QueryEscape(`{"action": "record.export"}`), nil), 200, "")
	if entries := audit["items"].([]any); len(entries) != 3 {
		t.Fatalf("audit entries: %v", entries)
	}
}

// TestExportUnderPermissions: a store-scoped role exports only its rows,
// masked phones and no hidden field; without the export right, 403.
func TestExportUnderPermissions(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	ctx := context.Background()
	sys := auth.System()
	s1, err := h.Auth.CreateUnit(ctx, sys, auth.UnitInput{Kind: "store", Name: "一店", Code: "S1"})
	if err != nil {
		t.Fatal(err)
	}
	publishRole(t, h, "clerk", []any{map[string]any{
		"kind": "form", "key": "members", "actions": []any{"read", "export", "import", "create"},
		"scope":  map[string]any{"storeId": map[string]any{"$in": "$user.unitSubtree"}},
		"fields": map[string]any{"phone": "masked", "points": "hidden"},
	}})
	publishRole(t, h, "reader", []any{map[string]any{"kind": "form", "key": "members", "actions": []any{"read"}}})
	const pw = "Str0ng-Passw0rd!"
	for _, u := range []struct{ name, role string }{{"clerk1", "clerk"}, {"reader1", "reader"}} {
		if _, err := h.Auth.CreateUser(ctx, sys, auth.UserInput{Username: u.name, Password: pw,
			Memberships: []auth.Membership{{UnitID: s1.ID, Position: "store_clerk"}}, Roles: []auth.RoleRef{{App: "crm", Role: u.role}}}); err != nil {
			t.Fatal(err)
		}
	}
	h.Expect(h.Do("POST", members, map[string]any{"name": "一店会员", "phone": "13812341234", "storeId": s1.ID, "points": 7}), 201, "")
	h.Expect(h.Do("POST", members, map[string]any{"name": "二店会员", "phone": "13900001111", "storeId": "other", "points": 9}), 201, "")

	clerk := h.As(h.Login("clerk1", pw))
	rows := exportedCSV(t, clerk.Do("GET", exportPath, nil))
	if len(rows) != 2 || strings.Join(rows[0], ",") != "姓名,手机号,门店,等级,卡号" || rows[1][0] != "一店会员" || rows[1][1] != "138****1234" {
		t.Fatalf("clerk export: %v", rows)
	}
	r := clerk.Do("GET", exportPath+"?format=xlsx&fields=name,points,phone", nil)
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("xlsx: %v %s", err, r.Body)
	}
	got, _ := f.GetRows(f.GetSheetList()[0])
	if len(got) != 2 || strings.Join(got[0], ",") != "姓名,手机号" || got[1][1] != "138****1234" {
		t.Fatalf("clerk xlsx: %v", got)
	}
	clerk.Expect(clerk.Do("GET", exportPath+"?filter="+url.QueryEscape(`{"phone": "13812341234"}`), nil), 400, "record.field_not_readable")
	reader := h.As(h.Login("reader1", pw))
	reader.Expect(reader.Do("GET", exportPath, nil), 403, "access.forbidden")
	reader.Expect(reader.Do("POST", importPath, "姓名\nx\n", csvType), 403, "access.forbidden")

	// The clerk imports into its own store only; the hidden column is ignored.
	res := clerk.Expect(clerk.Do("POST", importPath+"?mode=skip", "姓名,门店,积分\n新会员,"+s1.ID+",5\n越界,other,5\n", csvType), 200, "")
	if num(res["created"]) != "1" || num(res["failed"]) != "1" || errAt(res, 0) != "3  record.out_of_scope" {
		t.Fatalf("clerk import: %v", res)
	}
}

// errAt renders error i of an import result as "row path code".
func errAt(res map[string]any, i int) string {
	list, _ := res["errors"].([]any)
	if i >= len(list) {
		return ""
	}
	e := list[i].(map[string]any)
	return fmt.Sprint(num(e["row"]), " ", e["path"], " ", e["code"])
}

// multipartFile wraps data as the "file" field of a form.
func multipartFile(t *testing.T, name string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return buf.Bytes(), "Content-Type: " + mw.FormDataContentType()
}

func TestImportOverHTTP(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	count := func() string { return num(h.Do("GET", members+"?count=true", nil).Map()["total"]) }
	bad := "姓名,手机号,积分\n张三,13800000001,1\n李四,12345,x\n王五,13800000003,3\n"

	res := h.Expect(h.Do("POST", importPath+"?dryRun=true&mode=skip", bad, csvType, "Accept-Language: en"), 200, "")
	if res["dryRun"] != true || num(res["created"]) != "2" || count() != "0" || errAt(res, 0) != "3 phone field.phone" {
		t.Fatalf("dry run: %v", res)
	}
	res = h.Expect(h.Do("POST", importPath, bad, csvType), 200, "")
	if res["outcome"] != "rejected" || num(res["created"]) != "0" || count() != "0" {
		t.Fatalf("mode all: %v", res)
	}
	res = h.Expect(h.Do("POST", importPath+"?mode=skip", bad, csvType), 200, "")
	if num(res["created"]) != "2" || num(res["failed"]) != "1" || errAt(res, 1) != "3 points field.type" || count() != "2" {
		t.Fatalf("mode skip: %v", res)
	}

	// Upsert by phone from an .xlsx upload, mapped explicitly.
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Mobile", "Name"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"13800000001", "张三丰"})
	_ = f.SetSheetRow("Sheet1", "A3", &[]any{"13800000009", "新人"})
	var xb bytes.Buffer
	if err := f.Write(&xb); err != nil {
		t.Fatal(err)
	}
	body, ct := multipartFile(t, "会员.xlsx", xb.Bytes())
	mapping := url.QueryEscape(`{"Mobile": "phone"}`)
	res = h.Expect(h.Do("POST", importPath+"?upsertBy=phone&mapping="+mapping, body, ct), 200, "")
	if num(res["updated"]) != "1" || num(res["created"]) != "1" || count() != "3" {
		t.Fatalf("upsert: %v", res)
	}
	page := h.Do("GET", members+"?filter="+url.QueryEscape(`{"phone": "13800000001"}`), nil).Map()
	if it := page["items"].([]any)[0].(map[string]any); it["name"] != "张三丰" || num(it["_version"]) != "2" {
		t.Fatalf("upserted: %v", it)
	}

	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("姓名,手机号\r\n赵六,13800000006\r\n")
	res = h.Expect(h.Do("POST", importPath, gbk, csvType), 200, "")
	page = h.Do("GET", members+"?filter="+url.QueryEscape(`{"phone": "13800000006"}`), nil).Map()
	if num(res["created"]) != "1" || page["items"].([]any)[0].(map[string]any)["name"] != "赵六" {
		t.Fatalf("GBK: %v %v", res, page)
	}
	p := h.Expect(h.Do("POST", importPath, "姓名\n张三\n\xff\xfe\n", csvType, "Accept-Language: en"), 400, "import.encoding")
	if !strings.Contains(fmt.Sprint(p["detail"]), "line 3") {
		t.Fatalf("encoding problem: %v", p)
	}
	h.Expect(h.Do("POST", importPath+"?format=xlsx", "PK\x03\x04broken", "Content-Type: "+
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), 400, "import.xlsx")
	h.Expect(h.Do("POST", importPath, "\xD0\xCF\x11\xE0old", "Content-Type: application/vnd.ms-excel"), 400, "import.xls")
	h.Expect(h.Do("POST", importPath, "a,b\n1,2\n", csvType), 400, "import.no_columns")
	h.Expect(h.Do("POST", importPath+"?dryRun=maybe", bad, csvType), 400, "request.query")
	h.Expect(h.Do("POST", importPath+"?mapping=[1]", bad, csvType), 400, "request.query")
	h.Expect(h.Do("POST", importPath+"?mode=sometimes", bad, csvType), 400, "import.mode")
	var other bytes.Buffer
	mw := multipart.NewWriter(&other)
	_ = mw.WriteField("note", "no file here")
	_ = mw.Close()
	h.Expect(h.Do("POST", importPath, other.Bytes(), "Content-Type: "+mw.FormDataContentType()), 400, "request.file")

	audit := h.Expect(h.Do("GET", "/api/audit?filter="+url.QueryEscape(`{"action": "record.import"}`), nil), 200, "")
	if entries := audit["items"].([]any); len(entries) != 4 {
		t.Fatalf("import audit entries: %d", len(entries))
	}
}

// TestImportProgressEvents reads the server-sent events of an import.
func TestImportProgressEvents(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	var b strings.Builder
	b.WriteString("name,phone\n")
	for i := range 2500 {
		fmt.Fprintf(&b, "会员%d,139%08d\n", i, i)
	}
	r := h.Do("POST", importPath+"?mode=skip", b.String(), csvType, "Accept: text/event-stream")
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d %v %s", r.Status, r.Header, r.Body)
	}
	type event struct {
		name string
		data map[string]any
	}
	var events []event
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	sc.Buffer(nil, 1<<20)
	var cur event
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &cur.data); err != nil {
				t.Fatal(err)
			}
		case line == "" && cur.name != "":
			events = append(events, cur)
			cur = event{}
		}
	}
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprint(e.name, ":", e.data["rows"], "/", e.data["ok"], "/", e.data["failed"], "/", e.data["created"]))
	}
	want := "progress:1000/1000/0/<nil> progress:2000/2000/0/<nil> progress:2500/2500/0/<nil> done:2500/<nil>/0/2500"
	if strings.Join(got, " ") != want {
		t.Fatalf("events %v\nwant %s", got, want)
	}
	if n := num(h.Do("GET", members+"?count=true", nil).Map()["total"]); n != "2500" {
		t.Fatalf("records: %s", n)
	}
}
