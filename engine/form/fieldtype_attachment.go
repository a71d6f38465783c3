package form

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// attachment (and image, which registers the same type with image
// defaults) holds references to uploaded files. The records service
// receives and stores the bytes and hands back a reference {id, name,
// size, contentType, sha256}; a record only stores the references, checked
// here for shape and for the field's limits so a client cannot attach a
// file the form would have refused at upload.
type fileType struct {
	typeSpec
	defaultAccept []string
}

type fileSettings struct {
	MaxFiles *int     `json:"maxFiles"`
	MaxSize  *int64   `json:"maxSize"`
	Accept   []string `json:"accept"`
}

const (
	fileDefaultMaxFiles = 10
	fileDefaultMaxSize  = 20 << 20 // 20 MiB
)

// fileConfig is the settings schema shared by attachment and image.
const fileConfig = `{
  "type": "object",
  "properties": {
    "maxFiles": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10, "description": "at most this many files"},
    "maxSize": {"type": "integer", "minimum": 1, "maximum": 2147483648, "default": 20971520, "description": "largest file in bytes"},
    "accept": {"type": "array", "maxItems": 100, "items": {"type": "string", "pattern": "^[a-z0-9][a-z0-9!#$&^_.+-]*/([a-z0-9][a-z0-9!#$&^_.+-]*|\\*)$"}, "description": "allowed MIME types; type/* allows a family"}
  }
}`

func init() {
	registerType(&fileType{typeSpec: newSpec("attachment", "附件", "Attachment", "upload.attachment", "media", fileConfig,
		`{"key": "contract", "type": "attachment", "label": {"zh-CN": "合同", "en": "Contract"}, "maxFiles": 3, "accept": ["application/pdf", "image/*"]}`)})
}

var (
	mimeRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$`)
	sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)
	fileKeys = []string{"id", "name", "size", "contentType", "sha256"}
)

func (t *fileType) settings(f *Field) *fileSettings {
	return settingsOf(t.spec.Key, f, func(s *fileSettings) {
		if s.MaxFiles == nil {
			n := fileDefaultMaxFiles
			s.MaxFiles = &n
		}
		if s.MaxSize == nil {
			n := int64(fileDefaultMaxSize)
			s.MaxSize = &n
		}
		if len(s.Accept) == 0 {
			s.Accept = t.defaultAccept
		}
	})
}

// Check validates the settings against the schema.
func (t *fileType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is an array of reference objects; only presence is filterable.
func (t *fileType) Stored(*Field) Stored {
	return Stored{Kind: query.KindString, Array: true, Ops: opsExists}
}

// Schema is an array of file references.
func (t *fileType) Schema(f *Field) map[string]any {
	s := t.settings(f)
	ref := map[string]any{
		"type": "object", "additionalProperties": false, "required": []any{"id", "name", "size", "contentType", "sha256"},
		"properties": map[string]any{
			"id":          map[string]any{"type": "string", "pattern": refRe.String()},
			"name":        map[string]any{"type": "string", "minLength": 1, "maxLength": 255},
			"size":        map[string]any{"type": "integer", "minimum": 0, "maximum": *s.MaxSize},
			"contentType": map[string]any{"type": "string"},
			"sha256":      map[string]any{"type": "string", "pattern": sha256Re.String()},
		},
	}
	return map[string]any{"type": "array", "items": ref, "maxItems": *s.MaxFiles}
}

// Normalize checks every reference and the field's limits; an empty list
// is no value.
func (t *fileType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	list, ok := asList(v)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.array")}
	}
	s := t.settings(f)
	var fe []errs.FieldError
	if len(list) > *s.MaxFiles {
		fe = append(fe, c.failAs("field.max_items", "field.max_items.files", *s.MaxFiles))
	}
	out := make([]any, 0, len(list))
	seen := map[string]bool{}
	for i, it := range list {
		rc := c.at("[" + strconv.Itoa(i) + "]")
		ref, bad := normalizeFileRef(rc, s, it)
		if id, _ := ref["id"].(string); id != "" && seen[id] {
			bad = append(bad, rc.at("id").fail("field.duplicate", id))
		} else if id != "" {
			seen[id] = true
		}
		fe = append(fe, bad...)
		out = append(out, ref)
	}
	if fe != nil || len(out) == 0 {
		return nil, fe
	}
	return out, nil
}

// normalizeFileRef checks one reference; ref holds what was readable even
// when there are errors (for the duplicate check).
func normalizeFileRef(c Ctx, s *fileSettings, v any) (map[string]any, []errs.FieldError) {
	m, ok := asObject(v)
	if !ok {
		return nil, []errs.FieldError{c.failAs("field.type", "field.type.object")}
	}
	fe := unknownKeys(c, m, fileKeys...)
	for _, k := range fileKeys {
		if m[k] == nil {
			fe = append(fe, c.at(k).fail("field.required"))
		}
	}
	ref := map[string]any{}
	if id, ok := m["id"].(string); ok && refRe.MatchString(id) {
		ref["id"] = id
	} else if m["id"] != nil {
		fe = append(fe, c.at("id").fail("field.ref"))
	}
	if name, ok := m["name"].(string); ok && validFileName(name) {
		ref["name"] = name
	} else if m["name"] != nil {
		fe = append(fe, c.at("name").fail("field.file"))
	}
	if m["size"] != nil {
		d, _, bad := decimalOf(c.at("size"), m["size"])
		size, isInt := d.scaled(0)
		switch {
		case bad != nil || !isInt || size < 0:
			fe = append(fe, c.at("size").fail("field.file"))
		case size > *s.MaxSize:
			fe = append(fe, c.at("size").fail("field.file_size", formatBytes(*s.MaxSize)))
		default:
			ref["size"] = size
		}
	}
	if ct, ok := m["contentType"].(string); ok {
		ct = strings.ToLower(strings.TrimSpace(ct))
		switch {
		case !mimeRe.MatchString(ct):
			fe = append(fe, c.at("contentType").failAs("field.file", "field.file.content"))
		case !mimeAccepted(s.Accept, ct):
			fe = append(fe, c.at("contentType").fail("field.file_type", ct))
		default:
			ref["contentType"] = ct
		}
	} else if m["contentType"] != nil {
		fe = append(fe, c.at("contentType").failAs("field.file", "field.file.content"))
	}
	if sum, ok := m["sha256"].(string); ok && sha256Re.MatchString(strings.ToLower(sum)) {
		ref["sha256"] = strings.ToLower(sum)
	} else if m["sha256"] != nil {
		fe = append(fe, c.at("sha256").failAs("field.file", "field.file.sha256"))
	}
	return ref, fe
}

// validFileName refuses names that are empty, too long, carry control
// characters or path separators (a name is shown and used when the file
// is downloaded, never a path).
func validFileName(name string) bool {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > 255 || strings.TrimSpace(name) == "" || strings.ContainsAny(name, `/\`) {
		return false
	}
	return strings.IndexFunc(name, unicode.IsControl) < 0
}

// mimeAccepted matches a content type against the accepted list; an empty
// list accepts everything.
func mimeAccepted(accept []string, ct string) bool {
	if len(accept) == 0 {
		return true
	}
	for _, a := range accept {
		if a == ct || strings.HasSuffix(a, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(a, "*")) {
			return true
		}
	}
	return false
}

// formatBytes renders a size for messages ("20 MiB", "512 KiB").
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// Parse reads a JSON array of references; files themselves cannot come
// from a spreadsheet cell.
func (t *fileType) Parse(c Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	return cellArray(c, cell)
}
