package api

import (
	"mime"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/files"
	"github.com/tangram/tangram/server/openapi"
)

// The files API: uploads into attachment and image fields and downloads,
// through the files service (engine/files), which checks the caller's
// rights on the form and the field's limits. Without Deps.Files there are
// no file routes.

func (s *Server) fileRoutes(r *Router) {
	svc := s.deps.Files
	if svc == nil {
		return
	}
	s.Spec.Component("FileRef", openapi.Schema{
		"type": "object", "required": []string{"id", "name", "size", "contentType", "sha256"},
		"description": "A stored file; put it into the record's attachment or image field as is.",
		"properties": openapi.Schema{
			"id":          openapi.Schema{"type": "string"},
			"name":        openapi.Schema{"type": "string"},
			"size":        openapi.Schema{"type": "integer"},
			"contentType": openapi.Schema{"type": "string", "description": "sniffed from the content"},
			"sha256":      openapi.Schema{"type": "string"},
		},
	})
	r.Upload(openapi.Operation{Method: "POST", Path: "/api/apps/:app/forms/:form/files", ID: "uploadFile", Tag: "files",
		Summary: "Upload a file for an attachment or image field",
		Description: "The body is multipart/form-data with the file in the part \"file\", or the raw bytes with the name in " +
			"Content-Disposition (filename) or X-File-Name (percent-encoded). Needs the create or update right on the form. " +
			"The type is sniffed from the content and must be in the field's accept list (422 file.type_not_accepted); " +
			"a file over the field's maxSize is 413 file.too_large. A malformed multipart body is 400 request.multipart.",
		Params: []openapi.Param{
			{Name: "field", In: "query", Required: true, Description: "the field's key, or subtable.column"},
			{Name: "X-File-Name", In: "header", Description: "the file name of a raw upload, percent-encoded"},
			langParam,
		},
		RequestType: "multipart/form-data", Request: openapi.Schema{"type": "object"},
		Response: openapi.Ref("FileRef"), Status: 201, Errors: []int{400, 404, 413, 422},
	}, func(c *fiber.Ctx) error {
		u, err := uploadOf(c)
		if err != nil {
			return err
		}
		u.App, u.Form, u.Field = c.Params("app"), c.Params("form"), c.Query("field")
		ref, err := svc.Upload(recordCtx(c), principal(c), u)
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(ref)
	})
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/files/:id", ID: "downloadFile", Tag: "files",
		Summary: "Download a file",
		Description: "Needs the read right on the file's form and a record in the caller's read scope that references " +
			"the file; otherwise 404 file.not_found, exactly like a missing file.",
		RawResponse: "application/octet-stream", Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		f, rc, err := svc.Open(recordCtx(c), principal(c), c.Params("app"), c.Params("id"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, f.ContentType)
		c.Set(fiber.HeaderContentDisposition, contentDisposition(f.ContentType, f.Name))
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		c.Set(fiber.HeaderETag, strconv.Quote(f.SHA256))
		c.Context().SetBodyStream(rc, int(f.Size)) // closed by fasthttp once sent
		return nil
	})
}

// uploadOf reads the file of an upload request as a stream: the
// multipart part "file", or the raw body named by Content-Disposition or
// X-File-Name.
func uploadOf(c *fiber.Ctx) (files.Upload, error) {
	f, err := uploadedFile(c)
	if err != nil {
		return files.Upload{}, err
	}
	name := f.name
	if name == "" {
		if _, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentDisposition)); err == nil {
			name = params["filename"] // filename* (RFC 5987) is decoded into it
		}
	}
	if name == "" {
		if n, err := url.PathUnescape(c.Get("X-File-Name")); err == nil {
			name = n
		}
	}
	return files.Upload{Name: name, Declared: f.declared, Size: f.size, Body: f.body}, nil
}

// inlineTypes are shown in the browser (image thumbnails); every other
// type is downloaded.
var inlineTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// contentDisposition names the file for the browser: an ASCII fallback
// and the exact name in RFC 5987 form.
func contentDisposition(ct, name string) string {
	kind := "attachment"
	if inlineTypes[ct] {
		kind = "inline"
	}
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return kind + `; filename="` + fallback + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes every byte outside attr-char.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}
