package form

import (
	"strings"
	"testing"
)

var sha = strings.Repeat("ab", 32)

func fileRef(id, name, ct string, size int64) map[string]any {
	return map[string]any{"id": id, "name": name, "size": size, "contentType": ct, "sha256": sha}
}

func TestAttachment(t *testing.T) {
	ftNormalize(t, "attachment", true, []ntCase{
		{name: "ref", in: ftJSON(`[{"id": "f1", "name": "合同.pdf", "size": 1024, "contentType": "Application/PDF", "sha256": "` + strings.ToUpper(sha) + `"}]`),
			want: []any{fileRef("f1", "合同.pdf", "application/pdf", 1024)}},
		{name: "empty", in: ftJSON(`[]`), want: nil},
		{name: "default max size", in: []any{fileRef("f1", "a.zip", "application/zip", 20<<20+1)}, errs: []string{"f[0].size field.file_size"}},
		{name: "every problem", settings: `{"maxFiles": 2, "accept": ["image/*", "application/pdf"]}`,
			in: ftJSON(`[
				{"id": "f1", "name": "a/b.pdf", "size": -1, "contentType": "text/html", "sha256": "xyz", "url": "http://x"},
				{"id": "f1", "name": "b.png", "size": 1.5, "contentType": "image/png", "sha256": "` + sha + `"},
				{"name": "c.png"},
				"f4"]`),
			errs: []string{
				"f field.max_items",
				"f[0].name field.file", "f[0].size field.file", "f[0].contentType field.file_type", "f[0].sha256 field.file", "f[0].url field.unknown",
				"f[1].id field.duplicate", "f[1].size field.file",
				"f[2].id field.required", "f[2].size field.required", "f[2].contentType field.required", "f[2].sha256 field.required",
				"f[3] field.type",
			}},
		{name: "bad shapes", in: ftJSON(`[{"id": "a b", "name": "", "size": "1", "contentType": "pdf", "sha256": 5}]`),
			errs: []string{"f[0].id field.ref", "f[0].name field.file", "f[0].contentType field.file", "f[0].sha256 field.file"}},
		{name: "size as text is exact", in: ftJSON(`[{"id": "f1", "name": "a", "size": "10", "contentType": "text/plain", "sha256": "` + sha + `"}]`),
			want: []any{fileRef("f1", "a", "text/plain", 10)}},
		{name: "not a list", in: ftJSON(`{"id": "f1"}`), errs: []string{"f field.type"}},
	})
	ftParse(t, "attachment", []psCase{
		{cell: `[{"id": "f1"}]`, want: []any{map[string]any{"id": "f1"}}},
		{cell: "合同.pdf", want: nil, errs: []string{"f field.type"}},
		{cell: "", want: nil},
	})
	ftCheck(t, "attachment", []ckCase{
		{"fine", `{"maxFiles": 3, "maxSize": 1048576, "accept": ["application/pdf", "image/*"]}`, nil},
		{"accept", `{"accept": ["pdf", "*/*"]}`, []string{"accept[0] field.config", "accept[1] field.config"}},
		{"max files", `{"maxFiles": 0}`, []string{"maxFiles field.config"}},
	})
}

func TestImage(t *testing.T) {
	ftNormalize(t, "image", true, []ntCase{
		{name: "png", in: []any{fileRef("i1", "门头.png", "image/png", 2048)}, want: []any{fileRef("i1", "门头.png", "image/png", 2048)}},
		{name: "pdf refused by default", in: []any{fileRef("i1", "a.pdf", "application/pdf", 1)}, errs: []string{"f[0].contentType field.file_type"}},
		{name: "svg refused by default", in: []any{fileRef("i1", "a.svg", "image/svg+xml", 1)}, errs: []string{"f[0].contentType field.file_type"}},
		{name: "accept setting", settings: `{"accept": ["image/heic"]}`, in: []any{fileRef("i1", "a.heic", "image/heic", 1)}, want: []any{fileRef("i1", "a.heic", "image/heic", 1)}},
		{name: "max size setting", settings: `{"maxSize": 1024}`, in: []any{fileRef("i1", "a.jpg", "image/jpeg", 1025)}, errs: []string{"f[0].size field.file_size"}},
	})
	ftCheck(t, "image", []ckCase{{"fine", `{"maxFiles": 9}`, nil}})
	if got := formatBytes(20 << 20); got != "20 MiB" {
		t.Errorf("formatBytes = %q", got)
	}
	if got := formatBytes(1500); got != "1500 B" {
		t.Errorf("formatBytes = %q", got)
	}
}
