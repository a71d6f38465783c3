package form

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
)

// openSheet opens an upload as the HTTP layer does.
func openSheet(format string, data []byte, lang string) (Sheet, error) {
	if format == "xlsx" {
		return OpenXLSX(bytes.NewReader(data), int64(len(data)), lang)
	}
	return OpenCSV(bytes.NewReader(data), int64(len(data)), lang)
}

// importFile imports a whole upload, failing the test on an error.
func (e *env) importFile(p *auth.Principal, form, format string, data []byte, o ImportOptions) *ImportResult {
	e.t.Helper()
	res, err := e.tryImport(p, form, format, data, o)
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	return res
}

func (e *env) tryImport(p *auth.Principal, form, format string, data []byte, o ImportOptions) (*ImportResult, error) {
	if o.Lang == "" {
		o.Lang = "en"
	}
	sh, err := openSheet(format, data, o.Lang)
	if err != nil {
		return nil, err
	}
	defer sh.Close()
	im, err := e.rec.PrepareImport(e.ctx, p, "crm", form, sh, o)
	if err != nil {
		return nil, err
	}
	return im.Run(e.ctx)
}

// errorLines renders a result's errors as "row path code".
func errorLines(res *ImportResult) string {
	var out []string
	for _, e := range res.Errors {
		out = append(out, fmt.Sprintf("%d %s %s", e.Row, e.Path, e.Code))
	}
	return strings.Join(out, "; ")
}

func (e *env) count(form string) int {
	e.t.Helper()
	return len(e.stored(form))
}

const membersCSV = "姓名,手机号,等级,积分,备注,Extra\n" +
	"张三,13800000001,金卡,10,VIP,x\n" +
	"李四,138000,普通,abc,,\n" + // row 3: bad phone, bad number
	"王五,13800000003,钻石,,,\n" + // row 4: unknown option
	"赵六,13800000004,Normal,7,,\n"

func TestImportModes(t *testing.T) {
	e := newEnv(t).crm()

	dry := e.importFile(e.admin, "members", "csv", []byte(membersCSV), ImportOptions{DryRun: true, Mode: ImportSkip})
	if dry.Rows != 4 || dry.Created != 2 || dry.Failed != 2 || e.count("members") != 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	if got := errorLines(dry); got != "3 phone field.phone; 3 points field.type; 4 tier field.option" {
		t.Fatalf("dry run errors: %s", got)
	}
	if c := dry.Columns[5]; c.Header != "Extra" || c.Status != ColumnUnknown || c.Column != "F" {
		t.Fatalf("unknown column: %+v", c)
	}

	all := e.importFile(e.admin, "members", "csv", []byte(membersCSV), ImportOptions{})
	if all.Outcome != OutcomeRejected || all.Created != 0 || all.Failed != 2 || e.count("members") != 0 {
		t.Fatalf("mode all with bad rows: %+v", all)
	}
	if all.Errors[0].Column != "B" || all.Errors[0].Row != 3 {
		t.Fatalf("error position: %+v", all.Errors[0])
	}

	skip := e.importFile(e.admin, "members", "csv", []byte(membersCSV), ImportOptions{Mode: ImportSkip})
	if skip.Outcome != OutcomeWritten || skip.Created != 2 || skip.Failed != 2 || errorLines(skip) != errorLines(dry) {
		t.Fatalf("mode skip: %+v", skip)
	}
	got := e.stored("members")
	if len(got) != 2 || got["张三"]["tier"] != "gold" || str(got["赵六"]["points"]) != "7" || !strings.HasPrefix(str(got["张三"]["cardNo"]), "VIP-") {
		t.Fatalf("stored: %v", got)
	}

	// The same rows again, all or nothing: the phones are taken now.
	again := e.importFile(e.admin, "members", "csv", []byte("姓名,手机号\n新人,13800000009\n重复,13800000001\n"), ImportOptions{})
	if again.Outcome != OutcomeRejected || errorLines(again) != "3 phone record.unique" || e.count("members") != 2 {
		t.Fatalf("unique in the store: %+v", again)
	}
	good := e.importFile(e.admin, "members", "csv", []byte("name,phone\n新人,13800000009\n"), ImportOptions{})
	if good.Created != 1 || good.Outcome != OutcomeWritten || e.count("members") != 3 {
		t.Fatalf("mode all: %+v", good)
	}

	// Every import is audited, once, with its counts; dry runs are not.
	page, err := e.audit.Query(e.ctx, auth.AuditQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var imports []string
	creates := 0
	for _, en := range page.Entries {
		switch en.Action {
		case "record.import":
			imports = append(imports, fmt.Sprint(en.Details["outcome"], "/", en.Details["created"]))
		case "record.create":
			creates++
		}
	}
	// The records themselves are audited by the import's entry; their
	// history names who created them.
	if strings.Join(imports, ",") != "written/1,rejected/0,written/2,rejected/0" || creates != 0 {
		t.Fatalf("audit: imports %v, creates %d", imports, creates)
	}
	revs, err := e.rec.History(e.ctx, e.admin, "crm", "members", str(got["张三"][SysID]))
	if err != nil || len(revs) != 1 || revs[0].Op != OpCreate || revs[0].By != "admin" {
		t.Fatalf("history: %+v %v", revs, err)
	}
}

func TestImportDuplicatesAndUpsert(t *testing.T) {
	e := newEnv(t).crm()
	old := e.create(e.admin, "members", map[string]any{"name": "旧名", "phone": "13800000001", "points": 1})
	csvData := "手机号,姓名,积分\n" +
		"138 0000 0001,新名,5\n" + // upsert: spelled differently, same number
		"13800000002,新会员,\n" +
		"13800000002,又一个,\n" // the same value as row 3
	res := e.importFile(e.admin, "members", "csv", []byte(csvData), ImportOptions{UpsertBy: "phone", Mode: ImportSkip})
	if res.Updated != 1 || res.Created != 1 || errorLines(res) != "4 phone import.duplicate" || !strings.Contains(res.Errors[0].Message, "row 3") {
		t.Fatalf("upsert: %+v", res)
	}
	got := e.stored("members")
	if len(got) != 2 || got["新名"][SysID] != old[SysID] || str(got["新名"]["points"]) != "5" || str(got["新名"][SysVersion]) != "2" {
		t.Fatalf("after upsert: %v", got)
	}
	// Upsert by record id, as an export with _id gives.
	data := "记录ID,姓名\n" + str(old[SysID]) + ",按ID改名\n,无ID新建\nnosuchid,找不到\n"
	res = e.importFile(e.admin, "members", "csv", []byte(data), ImportOptions{UpsertBy: SysID, Mode: ImportSkip})
	if res.Updated != 1 || res.Created != 1 || errorLines(res) != "4  record.not_found" {
		t.Fatalf("upsert by id: %+v", res)
	}
	_, err := e.tryImport(e.admin, "members", "csv", []byte(data), ImportOptions{UpsertBy: "name"})
	wantCode(t, err, "import.upsert_key")
	_, err = e.tryImport(e.admin, "members", "csv", []byte("姓名\nx\n"), ImportOptions{UpsertBy: "phone"})
	wantCode(t, err, "import.upsert_column")
}

func TestImportColumnsAndMapping(t *testing.T) {
	e := newEnv(t).crm()
	_, err := e.tryImport(e.admin, "members", "csv", []byte("a,b\n1,2\n"), ImportOptions{})
	wantCode(t, err, "import.no_columns")
	_, err = e.tryImport(e.admin, "members", "csv", []byte(""), ImportOptions{})
	wantCode(t, err, "import.empty")
	_, err = e.tryImport(e.admin, "members", "csv", []byte("name,姓名\nx,y\n"), ImportOptions{})
	wantCode(t, err, "import.duplicate_column")
	_, err = e.tryImport(e.admin, "members", "csv", []byte("name\nx\n"), ImportOptions{Mode: "some"})
	wantCode(t, err, "import.mode")
	_, err = e.tryImport(e.admin, "members", "csv", []byte("name\nx\n"), ImportOptions{Mapping: map[string]string{"name": "nosuch"}})
	wantCode(t, err, "import.mapping_field")
	_, err = e.tryImport(e.admin, "members", "csv", []byte("name"+strings.Repeat(",x", MaxImportColumns)+"\n"), ImportOptions{})
	wantCode(t, err, "import.too_many_columns")

	// Rows are numbered as a spreadsheet shows them: a cell over two
	// lines is one row, a blank line is a row.
	res := e.importFile(e.admin, "members", "csv", []byte("姓名,手机号\n\"第一\n第二\",13800000001\n\n李四,12345\n"), ImportOptions{Mode: ImportSkip})
	if res.Rows != 2 || errorLines(res) != "4 phone field.phone" {
		t.Fatalf("row numbers: %+v", res)
	}

	// Explicit mapping, headers differing in case, width and spaces, a
	// semicolon-separated file, computed columns ignored.
	data := "客户名称;ＰＨＯＮＥ; Points ;卡号;备注\n甲;13800000011;3;VIP-X;忽略我\n"
	res = e.importFile(e.admin, "members", "csv", []byte(data), ImportOptions{Mapping: map[string]string{"客户名称": "name", "备注": ""}})
	var cols []string
	for _, c := range res.Columns {
		cols = append(cols, c.Field+":"+c.Status+":"+c.Reason)
	}
	if strings.Join(cols, " ") != "name:mapped: phone:mapped: points:mapped: cardNo:ignored:computed :ignored:mapping" || res.Created != 1 {
		t.Fatalf("columns %v, result %+v", cols, res)
	}
}

func TestImportEncodings(t *testing.T) {
	e := newEnv(t).crm()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("姓名,手机号,等级\r\n张三丰,13800000021,普通\r\n")
	if err != nil {
		t.Fatal(err)
	}
	res := e.importFile(e.admin, "members", "csv", []byte(gbk), ImportOptions{})
	if got := e.stored("members")["张三丰"]; res.Created != 1 || got == nil || got["tier"] != "normal" {
		t.Fatalf("GBK: %+v %v", res, e.stored("members"))
	}
	bom := "\uFEFF姓名\n李四\n"
	if res := e.importFile(e.admin, "members", "csv", []byte(bom), ImportOptions{}); res.Created != 1 {
		t.Fatalf("UTF-8 with BOM: %+v", res)
	}
	for name, data := range map[string]string{
		"neither":       "name\nok\n\xff\xfe\n",
		"damaged UTF-8": "姓名\n张三\n李四\n王\xff五\n",
	} {
		_, err := e.tryImport(e.admin, "members", "csv", []byte(data), ImportOptions{})
		if ee := wantCode(t, err, "import.encoding"); !strings.Contains(ee.Msg, "line "+map[string]string{"neither": "3", "damaged UTF-8": "4"}[name]) {
			t.Fatalf("%s: %v", name, ee.Msg)
		}
	}
	_, err = e.tryImport(e.admin, "members", "xlsx", []byte("PK\x03\x04 not really a workbook"), ImportOptions{})
	wantCode(t, err, "import.xlsx")
}

// TestImportXLSXAsPeopleWriteIt: a workbook made in Excel holds numbers,
// percentages as fractions with a % format, dates as serials, booleans.
func TestImportXLSXAsPeopleWriteIt(t *testing.T) {
	e := newEnv(t)
	e.allTypes()
	f := excelize.NewFile()
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	rows := [][]any{{"姓名", "单价", "折扣率", "生日", "同意营销", "数量"}, {"表格", 12.5, 0.125, 32994, true, 4}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	_ = f.SetCellStyle("Sheet1", "C2", "C2", pct)
	_ = f.SetCellStyle("Sheet1", "D2", "D2", date)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res := e.importFile(e.admin, "alltypes2", "xlsx", buf.Bytes(), ImportOptions{})
	got := e.stored("alltypes2")["表格"]
	if res.Created != 1 || str(got["price"]) != "1250" || str(got["discount"]) != "12.5" || got["birthday"] != "1990-05-01" ||
		got["consent"] != true || str(got["total"]) != "5000" {
		t.Fatalf("xlsx: %+v %v", res, got)
	}
}

func TestImportRightsAndProgress(t *testing.T) {
	e := newEnv(t).crm()
	e.publish(meta.KindRole, "clerk", `{"title": "clerk", "permissions": [{"kind": "form", "key": "members", "actions": ["read", "create", "import"],
	  "scope": {"storeId": "s1"}, "fields": {"points": "readonly"}}]}`)
	e.publish(meta.KindRole, "reader", `{"title": "reader", "permissions": [{"kind": "form", "key": "members", "actions": ["read", "create"]}]}`)
	_, err := e.tryImport(user("r", nil, "reader"), "members", "csv", []byte("name\nx\n"), ImportOptions{})
	wantCode(t, err, "access.forbidden")

	var b strings.Builder
	b.WriteString("name,storeId,points\n")
	for i := range 2100 {
		store := "s1"
		if i == 1500 {
			store = "s2" // outside the clerk's rows
		}
		fmt.Fprintf(&b, "会员%d,%s,%d\n", i, store, i)
	}
	var events []ImportProgress
	res := e.importFile(user("c", nil, "clerk"), "members", "csv", []byte(b.String()), ImportOptions{Mode: ImportSkip,
		Progress: func(p ImportProgress) { events = append(events, p) }})
	if res.Created != 2099 || errorLines(res) != "1502  record.out_of_scope" {
		t.Fatalf("clerk import: %+v", res)
	}
	if res.Columns[2].Status != ColumnIgnored || res.Columns[2].Reason != "not_writable" {
		t.Fatalf("read-only column: %+v", res.Columns[2])
	}
	if len(events) != 3 || events[0].Rows != 1000 || events[2] != (ImportProgress{Phase: "write", Rows: 2100, OK: 2099, Failed: 1}) {
		t.Fatalf("progress: %+v", events)
	}
}

// TestImportAllStopsAtAWriteFailure: mode all validates every row, then
// writes; a row that fails at write time (its phone taken in between)
// stops the import there, every row before it written and none after.
func TestImportAllStopsAtAWriteFailure(t *testing.T) {
	e := newEnv(t).crm()
	var b strings.Builder
	b.WriteString("name,phone\n")
	for i := range 700 {
		fmt.Fprintf(&b, "会员%d,139%08d\n", i, i)
	}
	progress := func(p ImportProgress) {
		if p.Phase == "validate" && p.Rows == 700 {
			e.create(e.admin, "members", map[string]any{"name": "抢先", "phone": "13900000600"}) // file row 602
		}
	}
	res := e.importFile(e.admin, "members", "csv", []byte(b.String()), ImportOptions{Progress: progress})
	if res.Outcome != OutcomePartial || res.StoppedAt != 602 || res.Created != 600 || errorLines(res) != "602 phone record.unique" {
		t.Fatalf("result: %+v", res)
	}
	got := e.stored("members")
	if len(got) != 601 || got["会员599"] == nil || got["会员600"] != nil || got["会员601"] != nil {
		t.Fatalf("%d stored", len(got))
	}
}

// TestImportFailureAfterNumbersTakesNone: a failure only known after a
// row's number is taken (a formula over the number) rolls the batch's
// transaction back, and the batch is written again without that row, so
// a failed row takes no number and the others are numbered without gaps.
func TestImportFailureAfterNumbersTakesNone(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindForm, "tickets", `{"title": "工单", "fields": [
	  {"key": "title", "type": "text", "label": "标题"},
	  {"key": "no", "type": "autonumber", "label": "编号", "pattern": "T-{000000}"},
	  {"key": "check", "type": "formula", "label": "校验", "expression": "no == 'T-000003' ? null.x : 1", "resultType": "number"}
	]}`)
	res := e.importFile(e.admin, "tickets", "csv", []byte("标题\n一\n二\n三\n四\n"), ImportOptions{Mode: ImportSkip})
	if res.Created != 2 || res.Failed != 2 || !strings.HasPrefix(errorLines(res), "4 check ") {
		t.Fatalf("result: %+v", res)
	}
	page, err := e.rec.List(e.ctx, e.admin, "crm", "tickets", ListQuery{Sort: "no"})
	if err != nil || len(page.Items) != 2 || page.Items[0]["title"] != "一" || page.Items[0]["no"] != "T-000001" ||
		page.Items[1]["title"] != "二" || page.Items[1]["no"] != "T-000002" {
		t.Fatalf("stored: %v %v", page.Items, err)
	}
}
