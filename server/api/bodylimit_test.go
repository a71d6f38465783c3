package api_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tangram/tangram/server/api"
	"github.com/tangram/tangram/server/api/apitest"
)

// send makes a request with body of the given length; -1 sends it chunked
// (Transfer-Encoding: chunked, no Content-Length). headers are
// "Name: value" pairs.
func send(t *testing.T, h *apitest.Harness, method, path string, body io.Reader, length int64, headers ...string) apitest.Response {
	t.Helper()
	req, err := http.NewRequest(method, h.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Authorization", "Bearer "+h.Token)
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return apitest.Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// chunked hides a reader's length, so the client sends it chunked.
func chunked(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b)) }

// spooled lists what is left in the import spool directory.
func spooled(t *testing.T, h *apitest.Harness) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(h.DataDir, "spool"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestJSONBodyLimit: a JSON route reads at most the JSON limit, whether
// the body says its length up front or comes chunked; over it is 413
// http.body_too_large as problem+json, in the caller's language, and
// nothing is written.
func TestJSONBodyLimit(t *testing.T) {
	h := apitest.New(t, apitest.Options{BodyLimit: 64 << 10})
	crmApp(t, h)
	count := func() string { return num(h.Do("GET", members+"?count=true", nil).Map()["total"]) }
	big := []byte(`{"name": "张三", "phone": "13800000001", "storeId": "` + strings.Repeat("x", 100<<10) + `"}`)

	p := h.Expect(h.Do("POST", members, big), 413, "http.body_too_large")
	if p["detail"] != "请求体超过 64 KiB 的上限" || p["type"] != "https://tangram.dev/problems/http.body_too_large" {
		t.Fatalf("problem: %v", p)
	}
	p = h.Expect(send(t, h, "POST", members, chunked(big), -1, "Content-Type: application/json", "Accept-Language: en"), 413, "http.body_too_large")
	if p["detail"] != "the request body is larger than the limit of 64 KiB" {
		t.Fatalf("chunked problem: %v", p)
	}
	if n := count(); n != "0" {
		t.Fatalf("records after refused bodies: %s", n)
	}
	// Under the limit, a chunked body is read whole like any other; the
	// connection that refused a body serves the next request.
	ok := []byte(`{"name": "李四", "phone": "13800000002"}`)
	h.Expect(send(t, h, "POST", members, chunked(ok), -1, "Content-Type: application/json"), 201, "")
	h.Expect(h.Do("PATCH", members+"/nope", big), 413, "http.body_too_large")
	if n := count(); n != "1" {
		t.Fatalf("records: %s", n)
	}
	spec := h.Do("GET", "/api/openapi.json", nil).Map()
	ops := spec["paths"].(map[string]any)["/api/apps/{app}/forms/{form}/records"].(map[string]any)
	if _, ok := ops["post"].(map[string]any)["responses"].(map[string]any)["413"]; !ok {
		t.Fatalf("createRecord does not document 413")
	}
}

// gzipped compresses b.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// TestCompressedBodies: a gzip JSON body is decoded within the JSON
// limit (a small bomb is 413, not gigabytes of memory); a broken one is
// 400; upload routes, which stream the body as sent, take no encoding;
// an .xlsx import past its own bound is 413 import.xlsx_too_large.
func TestCompressedBodies(t *testing.T) {
	h := apitest.New(t, apitest.Options{BodyLimit: 64 << 10})
	crmApp(t, h)
	gz := "Content-Encoding: gzip"
	h.Expect(h.Do("POST", members, gzipped([]byte(`{"name": "张三", "phone": "13800000001"}`)), gz), 201, "")
	bomb := gzipped([]byte(`{"name": "李四", "storeId": "` + strings.Repeat(" ", 8<<20) + `"}`))
	if len(bomb) > 64<<10 {
		t.Fatalf("bomb of %d bytes", len(bomb))
	}
	h.Expect(h.Do("POST", members, bomb, gz), 413, "http.body_too_large")
	h.Expect(h.Do("POST", members, "not gzip at all", gz), 400, "request.encoding")
	h.Expect(h.Do("POST", members, `{"name": "王五"}`, "Content-Encoding: snappy"), 400, "request.content_encoding")
	h.Expect(h.Do("POST", importPath, gzipped([]byte("姓名\n赵六\n")), csvType, gz), 400, "request.content_encoding")
	if n := num(h.Do("GET", members+"?count=true", nil).Map()["total"]); n != "1" {
		t.Fatalf("records: %s", n)
	}

	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "手机号"})
	for i := range 200 {
		_ = f.SetSheetRow("Sheet1", fmt.Sprint("A", i+2), &[]any{fmt.Sprint("会员", i), fmt.Sprintf("139%08d", i)})
	}
	var xb bytes.Buffer
	if err := f.Write(&xb); err != nil {
		t.Fatal(err)
	}
	restore := api.SetMaxXLSXUpload(int64(xb.Len() - 1))
	defer restore()
	xlsx := "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	p := h.Expect(h.Do("POST", importPath, xb.Bytes(), xlsx, "Accept-Language: en"), 413, "import.xlsx_too_large")
	if !strings.Contains(fmt.Sprint(p["detail"]), "save it as CSV") {
		t.Fatalf("problem: %v", p)
	}
	api.SetMaxXLSXUpload(int64(xb.Len()))
	res := h.Expect(h.Do("POST", importPath, xb.Bytes(), xlsx), 200, "")
	if num(res["created"]) != "200" {
		t.Fatalf("xlsx import: %v", res)
	}
}

// importCSV is n member rows with a note column of pad bytes, which the
// mapping ignores.
func importCSV(w io.Writer, n, pad int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	note := strings.Repeat("x", pad)
	fmt.Fprintln(bw, "name,phone,points,note")
	for i := range n {
		fmt.Fprintf(bw, "会员%d,139%08d,%d,%s\n", i, i, i%1000, note)
	}
	return bw.Flush()
}

var ignoreNote = "mapping=" + url.QueryEscape(`{"note": ""}`)

// TestImportStreamsPastTheJSONLimit: an import is an upload route, so a
// CSV many times the JSON limit imports, raw or as a chunked multipart
// form written while it is sent; the spool file is gone afterwards.
func TestImportStreamsPastTheJSONLimit(t *testing.T) {
	h := apitest.New(t, apitest.Options{BodyLimit: 16 << 10})
	crmApp(t, h)
	var raw bytes.Buffer
	_ = importCSV(&raw, 3000, 20)
	if raw.Len() < 100<<10 {
		t.Fatalf("body too small for the test: %d", raw.Len())
	}
	res := h.Expect(h.Do("POST", importPath+"?"+ignoreNote, raw.Bytes(), csvType), 200, "")
	if num(res["created"]) != "3000" || res["outcome"] != "written" {
		t.Fatalf("raw import: %v", res)
	}

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("comment", "parts before the file are skipped")
		fw, err := mw.CreateFormFile("file", "会员.csv")
		if err == nil {
			err = importCSV(fw, 2000, 20)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	res = h.Expect(send(t, h, "POST", importPath+"?mode=skip&"+ignoreNote, pr, -1, "Content-Type: "+mw.FormDataContentType()), 200, "")
	// The second file repeats the first one's phones.
	if num(res["created"]) != "0" || num(res["failed"]) != "2000" {
		t.Fatalf("multipart import: %v", res)
	}
	if left := spooled(t, h); len(left) != 0 {
		t.Fatalf("spool files left: %v", left)
	}
}

// TestUploadLimit: imports and file uploads over the upload limit are 413
// (refused up front with a Content-Length, cut off when chunked), leave
// no file and write nothing; malformed multipart bodies are 400.
func TestUploadLimit(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	for key, spec := range map[string]any{"members": membersForm, "visits": visitsForm} {
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+key, map[string]any{"spec": spec}), 201, "")
		h.Expect(h.Do("POST", "/api/apps/crm/meta/form/"+key+"/publish", nil), 200, "")
	}
	h.Server.SetBodyLimits(0, 100<<10)
	count := func() string { return num(h.Do("GET", members+"?count=true", nil).Map()["total"]) }

	png := pngBytes(150<<10, 7)
	h.Expect(h.Do("POST", visitFiles+"?field=logo", png, "Content-Type: image/png", "X-File-Name: logo.png"), 413, "http.body_too_large")
	p := h.Expect(send(t, h, "POST", visitFiles+"?field=logo", chunked(png), -1, "Content-Type: image/png", "X-File-Name: logo.png",
		"Accept-Language: en"), 413, "http.body_too_large")
	if p["detail"] != "the request body is larger than the limit of 100 KiB" {
		t.Fatalf("problem: %v", p)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "logo.png")
	_, _ = fw.Write(png)
	_ = mw.Close()
	h.Expect(send(t, h, "POST", visitFiles+"?field=logo", chunked(form.Bytes()), -1, "Content-Type: "+mw.FormDataContentType()), 413, "http.body_too_large")
	if docs, blobs := storedFiles(t, h); docs != 0 || blobs != 0 {
		t.Fatalf("refused uploads left %d documents and %d blobs", docs, blobs)
	}
	// Under the limit the same streamed upload is stored whole.
	small := pngBytes(60<<10, 9)
	ref := h.Expect(send(t, h, "POST", visitFiles+"?field=logo", chunked(small), -1, "Content-Type: image/png", "X-File-Name: small.png"), 201, "")
	if num(ref["size"]) != fmt.Sprint(len(small)) || ref["name"] != "small.png" {
		t.Fatalf("upload: %v", ref)
	}

	var csv bytes.Buffer
	_ = importCSV(&csv, 2000, 40)
	h.Expect(h.Do("POST", importPath+"?"+ignoreNote, csv.Bytes(), csvType), 413, "http.body_too_large")
	h.Expect(send(t, h, "POST", importPath+"?"+ignoreNote, chunked(csv.Bytes()), -1, csvType), 413, "http.body_too_large")
	if n := count(); n != "0" {
		t.Fatalf("records after refused imports: %s", n)
	}
	if left := spooled(t, h); len(left) != 0 {
		t.Fatalf("spool files left: %v", left)
	}

	for _, path := range []string{visitFiles + "?field=logo", importPath} {
		h.Expect(h.Do("POST", path, "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nname\n张三\n",
			"Content-Type: multipart/form-data; boundary=XyZ"), 400, "request.multipart")
		h.Expect(h.Do("POST", path, "garbage", "Content-Type: multipart/form-data; boundary=XyZ"), 400, "request.multipart")
		h.Expect(h.Do("POST", path, "--XyZ--\r\n", "Content-Type: multipart/form-data"), 400, "request.multipart")
		h.Expect(h.Do("POST", path, "--XyZ--\r\n", "Content-Type: multipart/form-data; boundary=XyZ"), 400, "request.file")
	}
	if docs, blobs := storedFiles(t, h); docs != 1 || blobs != 1 || count() != "0" {
		t.Fatalf("after malformed bodies: %d documents, %d blobs, %s records", docs, blobs, count())
	}
}

// TestExpectContinue: a client that asks before sending ("Expect:
// 100-continue", as curl does for big files) is told 413 before it sends a
// byte when the declared length is over the route's limit, and gets
// "100 Continue" otherwise.
func TestExpectContinue(t *testing.T) {
	h := apitest.New(t, apitest.Options{BodyLimit: 64 << 10})
	crmApp(t, h)
	h.Server.SetBodyLimits(0, 256<<10)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{ExpectContinueTimeout: 20 * time.Second}}
	// ask sends body and returns the status, the bytes the client sent and
	// the problem's content type and detail.
	ask := func(path, ctype string, body []byte) (int, int64, string) {
		t.Helper()
		read := &countingReader{r: bytes.NewReader(body)}
		req, err := http.NewRequest("POST", h.URL+path, read)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = int64(len(body))
		req.Header.Set("Expect", "100-continue")
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+h.Token)
		req.Header.Set("Accept-Language", "en")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		var p map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&p)
		_ = resp.Body.Close()
		return resp.StatusCode, read.n, resp.Header.Get("Content-Type") + " " + fmt.Sprint(p["detail"])
	}
	var csv bytes.Buffer
	_ = importCSV(&csv, 3000, 100) // about 400 KiB: over the upload limit
	if st, n, p := ask(importPath+"?"+ignoreNote, "text/csv", csv.Bytes()); st != 413 || n != 0 ||
		p != "application/problem+json the request body is larger than the limit of 256 KiB" {
		t.Fatalf("import over the upload limit: %d after %d bytes sent: %s", st, n, p)
	}
	big := []byte(`{"name": "张三", "storeId": "` + strings.Repeat("x", 100<<10) + `"}`)
	if st, n, p := ask(members, "application/json", big); st != 413 || n != 0 ||
		p != "application/problem+json the request body is larger than the limit of 64 KiB" {
		t.Fatalf("JSON over the JSON limit: %d after %d bytes sent: %s", st, n, p)
	}
	csv.Reset()
	_ = importCSV(&csv, 1000, 100) // about 130 KiB: over the JSON limit, under the upload limit
	if st, n, _ := ask(importPath+"?"+ignoreNote, "text/csv", csv.Bytes()); st != 200 || n != int64(csv.Len()) {
		t.Fatalf("import under the upload limit: %d after %d of %d bytes", st, n, csv.Len())
	}
	if n := num(h.Do("GET", members+"?count=true", nil).Map()["total"]); n != "1000" {
		t.Fatalf("records: %s", n)
	}
}

// TestImportRefusedBeforeTheBody: a caller without the import right gets
// 403 while the body is still being sent; the server does not read it.
func TestImportRefusedBeforeTheBody(t *testing.T) {
	h := apitest.New(t)
	crmApp(t, h)
	publishRole(t, h, "member_reader", []any{map[string]any{"kind": "form", "key": "members", "actions": []any{"read", "create"}}})
	reader := h.As(userWithRoles(t, h, "reader1", "member_reader"))
	pr, pw := io.Pipe()
	open := make(chan struct{})
	go func() {
		_, _ = io.WriteString(pw, "姓名,手机号\n张三,13800000001\n")
		<-open // the body stays open until the answer is in
		pw.Close()
	}()
	answer := make(chan apitest.Response, 1)
	go func() { answer <- send(t, reader, "POST", importPath, pr, -1, csvType) }()
	select {
	case r := <-answer:
		close(open)
		reader.Expect(r, 403, "")
	case <-time.After(30 * time.Second):
		close(open)
		t.Fatal("no answer while the body was open: the server waits for the body before checking the right")
	}
	if n := num(h.Do("GET", members+"?count=true", nil).Map()["total"]); n != "0" {
		t.Fatalf("records: %s", n)
	}
}

// TestImportHeapStaysBounded streams a CSV of about 40 MB (40,000 rows
// with a wide ignored column) through a pipe into the import and samples
// the heap while it runs: the body is never held in memory, so the heap
// grows by less than the file's size (holding it once would be more).
func TestImportHeapStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 40,000 rows")
	}
	h := apitest.New(t)
	crmApp(t, h)
	const rows, pad = 40_000, 1000
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(importCSV(pw, rows, pad)) }()

	// A low GC target keeps HeapInuse close to what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	res := h.Expect(send(t, h, "POST", importPath+"?mode=skip&"+ignoreNote, pr, -1, csvType), 200, "")
	close(done)
	<-sampled
	if num(res["created"]) != fmt.Sprint(rows) {
		t.Fatalf("import: %v", res)
	}
	body := int64(rows) * int64(pad+30)
	growth := int64(peak.Load()) - int64(base)
	t.Logf("body about %d MiB; heap in use %d MiB before, peak %d MiB (growth %d MiB)", body>>20, base>>20, peak.Load()>>20, growth>>20)
	if growth > 32<<20 {
		t.Fatalf("heap grew by %d MiB importing a %d MiB body", growth>>20, body>>20)
	}
}
