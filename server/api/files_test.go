package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api/apitest"
)

var visitsForm = map[string]any{
	"title": "巡店",
	"fields": []any{
		map[string]any{"key": "name", "type": "text", "label": "名称"},
		map[string]any{"key": "storeId", "type": "text", "label": "门店"},
		map[string]any{"key": "photos", "type": "image", "label": "照片", "maxSize": 2048},
		map[string]any{"key": "logo", "type": "image", "label": "标志"},
		map[string]any{"key": "contract", "type": "attachment", "label": "合同", "accept": []any{"application/pdf"}},
	},
}

const visitFiles = "/api/apps/crm/forms/visits/files"

// pngBytes is n bytes that sniff as image/png.
func pngBytes(n int, fill byte) []byte {
	b := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{fill}, n-8)...)
	return b
}

// uploadMultipart posts data as the part "file" named name.
func uploadMultipart(h *apitest.Harness, field, name string, data []byte) apitest.Response {
	h.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		h.T.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return h.Do("POST", visitFiles+"?field="+field, body.Bytes(), "Content-Type: "+mw.FormDataContentType())
}

// storedFiles counts the metadata documents and the blobs on disk.
func storedFiles(t *testing.T, h *apitest.Harness) (docs int64, blobs int) {
	t.Helper()
	n, err := h.Store.Count(context.Background(), "files", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = filepath.WalkDir(filepath.Join(h.DataDir, "files"), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			blobs++
		}
		return nil
	})
	return n, blobs
}

// TestFilesOverHTTP: an upload's reference goes into a record; a user who
// can see that record downloads the same bytes, one who cannot gets 404,
// one without the read right 403; oversize and wrong-type uploads are
// refused with nothing stored; records refuse unknown file ids; removing
// the reference from the record removes the access.
func TestFilesOverHTTP(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/visits", map[string]any{"spec": visitsForm}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/visits/publish", nil), 200, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/members", map[string]any{"spec": membersForm}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/members/publish", nil), 200, "")
	publishRole(t, h, "clerk", []any{map[string]any{"kind": "form", "key": "visits", "actions": []any{"read", "create", "update"},
		"scope": map[string]any{"storeId": "S1"}}})
	publishRole(t, h, "member_reader", []any{map[string]any{"kind": "form", "key": "members", "actions": []any{"read"}}})
	clerk := h.As(userWithRoles(t, h, "clerk1", "clerk"))
	outsider := h.As(userWithRoles(t, h, "outsider1", "member_reader"))
	const records = "/api/apps/crm/forms/visits/records"

	// Upload, attach, download in scope.
	data := pngBytes(1500, 'a')
	ref := clerk.Expect(uploadMultipart(clerk, "photos", "门店 1.png", data), 201, "")
	sum := sha256.Sum256(data)
	if ref["contentType"] != "image/png" || num(ref["size"]) != "1500" || ref["sha256"] != hex.EncodeToString(sum[:]) || ref["name"] != "门店 1.png" {
		t.Fatalf("ref: %v", ref)
	}
	rec := clerk.Expect(clerk.Do("POST", records, map[string]any{"name": "v1", "storeId": "S1", "photos": []any{ref}}), 201, "")
	if _, shown := rec["_files"]; shown {
		t.Fatalf("_files shown: %v", rec)
	}
	fileURL := "/api/apps/crm/files/" + ref["id"].(string)
	r := clerk.Do("GET", fileURL, nil)
	if r.Status != 200 || !bytes.Equal(r.Body, data) {
		t.Fatalf("download: %d, %d bytes", r.Status, len(r.Body))
	}
	if got := sha256.Sum256(r.Body); hex.EncodeToString(got[:]) != ref["sha256"] {
		t.Fatal("sha256 differs")
	}
	if r.Header.Get("Content-Type") != "image/png" || r.Header.Get("Content-Length") != "1500" ||
		r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		r.Header.Get("Content-Disposition") != `inline; filename="__ 1.png"; filename*=UTF-8''%E9%97%A8%E5%BA%97%201.png` {
		t.Fatalf("headers: %v", r.Header)
	}

	// A file in a record outside the clerk's scope is 404; without the
	// read right on the form 403; another app's path 404.
	other := h.Expect(uploadMultipart(h, "photos", "s2.png", pngBytes(100, 'b')), 201, "")
	h.Expect(h.Do("POST", records, map[string]any{"name": "v2", "storeId": "S2", "photos": []any{other}}), 201, "")
	clerk.Expect(clerk.Do("GET", "/api/apps/crm/files/"+other["id"].(string), nil), 404, "file.not_found")
	h.Expect(h.Do("GET", "/api/apps/crm/files/"+other["id"].(string), nil), 200, "")
	outsider.Expect(outsider.Do("GET", fileURL, nil), 403, "")
	h.Expect(h.Do("GET", "/api/apps/shop/files/"+ref["id"].(string), nil), 404, "file.not_found")
	// An uploaded file no record references yet is not downloadable.
	loose := clerk.Expect(uploadMultipart(clerk, "photos", "loose.png", pngBytes(64, 'c')), 201, "")
	clerk.Expect(clerk.Do("GET", "/api/apps/crm/files/"+loose["id"].(string), nil), 404, "file.not_found")

	// Limits: nothing is stored for a refused upload.
	docs, blobs := storedFiles(t, h)
	if docs != 3 || blobs != 3 {
		t.Fatalf("stored before refusals: %d docs, %d blobs", docs, blobs)
	}
	clerk.Expect(uploadMultipart(clerk, "photos", "big.png", pngBytes(4096, 'd')), 413, "file.too_large")
	clerk.Expect(clerk.Do("POST", visitFiles+"?field=photos", pngBytes(4096, 'd'), "Content-Type: application/octet-stream",
		"X-File-Name: big.png"), 413, "file.too_large")
	clerk.Expect(uploadMultipart(clerk, "contract", "fake.pdf", pngBytes(100, 'e')), 422, "file.type_not_accepted")
	clerk.Expect(clerk.Do("POST", visitFiles+"?field=photos", "<html><script>alert(1)</script>", "Content-Type: image/png",
		"X-File-Name: x.png"), 422, "file.type_not_accepted")
	clerk.Expect(uploadMultipart(clerk, "name", "a.png", pngBytes(10, 'f')), 400, "file.field")
	outsider.Expect(uploadMultipart(outsider, "photos", "a.png", pngBytes(10, 'f')), 403, "")
	if d, b := storedFiles(t, h); d != docs || b != blobs {
		t.Fatalf("a refused upload stored something: %d docs, %d blobs", d, b)
	}

	// A raw-body upload of a PDF into the attachment field.
	pdf := []byte("%PDF-1.4\n%test\n")
	pref := clerk.Expect(clerk.Do("POST", visitFiles+"?field=contract", pdf, "Content-Type: application/pdf",
		`Content-Disposition: attachment; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf`), 201, "")
	if pref["name"] != "合同.pdf" || pref["contentType"] != "application/pdf" {
		t.Fatalf("raw ref: %v", pref)
	}

	// Records refuse unknown ids, files of another field, and altered refs.
	unknown := map[string]any{"id": store.NewID(), "name": "x.png", "size": 10, "contentType": "image/png", "sha256": strings.Repeat("0", 64)}
	e := clerk.Expect(clerk.Do("POST", records, map[string]any{"storeId": "S1", "photos": []any{unknown}}), 422, "record.validation")
	if fe := fieldPaths(e); fe != "photos[0].id record.file_not_found" {
		t.Fatalf("unknown id: %v", e)
	}
	e = clerk.Expect(clerk.Do("POST", records, map[string]any{"storeId": "S1", "logo": []any{loose}}), 422, "record.validation")
	if fe := fieldPaths(e); fe != "logo[0].id record.file_not_found" {
		t.Fatalf("file of another field: %v", e)
	}
	altered := map[string]any{}
	for k, v := range loose {
		altered[k] = v
	}
	altered["size"] = 65
	e = clerk.Expect(clerk.Do("POST", records, map[string]any{"storeId": "S1", "photos": []any{altered}}), 422, "record.validation")
	if fe := fieldPaths(e); fe != "photos[0] record.file_mismatch" {
		t.Fatalf("altered ref: %v", e)
	}

	// Patching the photo away ends the access through that record.
	id := rec["_id"].(string)
	clerk.Expect(clerk.Do("PATCH", records+"/"+id, map[string]any{"photos": nil}), 200, "")
	clerk.Expect(clerk.Do("GET", fileURL, nil), 404, "file.not_found")
	clerk.Expect(clerk.Do("PATCH", records+"/"+id, map[string]any{"photos": []any{ref, loose}}), 200, "")
	clerk.Expect(clerk.Do("GET", fileURL, nil), 200, "")
	clerk.Expect(clerk.Do("GET", "/api/apps/crm/files/"+loose["id"].(string), nil), 200, "")
}

// fieldPaths renders a problem's field errors as "path code" lines.
func fieldPaths(problem map[string]any) string {
	var out []string
	list, _ := problem["errors"].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		p, _ := m["path"].(string)
		c, _ := m["code"].(string)
		out = append(out, p+" "+c)
	}
	return strings.Join(out, "\n")
}
