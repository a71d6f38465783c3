package form

import (
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/meta"
)

// TestRecordFileIndex: a record's _files lists the files of its top-level
// and sub-table file fields, follows patches, is never shown, and decides
// FileReadable; references are checked against the files collection at
// their paths, sub-table columns included.
func TestRecordFileIndex(t *testing.T) {
	e := newEnv(t)
	e.publish(meta.KindForm, "visits", `{"title": "巡店", "fields": [
	  {"key": "name", "type": "text", "label": "名称"},
	  {"key": "photos", "type": "image", "label": "照片"},
	  {"key": "items", "type": "subtable", "label": "明细", "fields": [{"key": "scan", "type": "attachment", "label": "扫描件"}]}]}`)
	ref := func(id, ct string) map[string]any {
		return map[string]any{"id": id, "name": id + ".bin", "size": 10, "contentType": ct, "sha256": strings.Repeat("ab", 32)}
	}
	a, b := ref("file_aaaa01", "image/png"), ref("file_bbbb01", "application/pdf")
	e.registerFile("visits", "photos", a)
	e.registerFile("visits", "items.scan", b)
	f, err := e.rec.Form(e.ctx, "crm", "visits")
	if err != nil {
		t.Fatal(err)
	}
	if lim, ok := f.FileField("items.scan"); !ok || lim.MaxSize != 20<<20 || !lim.Accepts("application/pdf") {
		t.Fatalf("items.scan limits: %+v %v", lim, ok)
	}
	if _, ok := f.FileField("name"); ok {
		t.Fatal("a text field has file limits")
	}
	doc := e.create(e.admin, "visits", map[string]any{"name": "v", "photos": []any{a},
		"items": []any{map[string]any{"scan": []any{b}}}})
	if _, shown := doc[SysFiles]; shown {
		t.Fatalf("_files shown: %v", doc)
	}
	id := doc[SysID].(string)
	raw, err := e.st.Get(e.ctx, RecordsCollection("crm", "visits"), id)
	if err != nil || jsonText(raw[SysFiles]) != `["file_aaaa01","file_bbbb01"]` {
		t.Fatalf("stored _files %v (%v)", raw[SysFiles], err)
	}
	if err := e.rec.FileReadable(e.ctx, e.admin, "crm", "visits", "items.scan", "file_bbbb01"); err != nil {
		t.Fatalf("readable: %v", err)
	}
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "visits", id, map[string]any{"items": nil}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.rec.FileReadable(e.ctx, e.admin, "crm", "visits", "items.scan", "file_bbbb01"), "file.not_found")
	if err := e.rec.FileReadable(e.ctx, e.admin, "crm", "visits", "photos", "file_aaaa01"); err != nil {
		t.Fatalf("photo readable after unrelated patch: %v", err)
	}
	_, err = e.rec.Create(e.ctx, e.admin, "crm", "visits", map[string]any{"items": []any{map[string]any{"scan": []any{ref("file_cccc01", "application/pdf")}}}}, WriteOptions{Lang: "en"})
	if fe := fieldErrors(err); len(fe) != 1 || fe[0] != "items[0].scan[0].id record.file_not_found" {
		t.Fatalf("unknown sub-table file: %v", err)
	}
}
