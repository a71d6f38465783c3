package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/server/openapi"
	"github.com/tangram/tangram/server/problem"
)

// Export and import of a form's records as CSV or .xlsx; engine/form does
// the work under the caller's rights, this file speaks HTTP.
//
// Both stream. An export is written page by page while the records are
// read, and an import asked for with Accept: text/event-stream reports its
// progress while it runs. fasthttp sends a streamed body after the handler
// has returned, from another goroutine, so everything the stream needs is
// captured first (the upload is in its spool file by then). The
// server's WriteTimeout would cut a long stream; the handler
// takes the write deadline over and every page or progress event pushes
// it streamWindow further, so only a client that stops reading is cut off.
//
// The upload is streamed (Router.Upload): bounded by the upload limit
// (TANGRAM_UPLOAD_LIMIT, default 1 GiB), read off the connection as it
// arrives (a multipart body through mime/multipart), and copied to an
// unlinked spool file in the data dir, never to memory. The file is read
// from there: an .xlsx is a zip, which needs random access; a CSV's
// encoding is decided from all of its bytes before the first row is
// imported (a GBK file must not half-import as mojibake), and mode all
// reads it twice (validate, then write). engine/form reads it row by row
// in batches, so memory does not grow with the file. The spool file
// belongs to the request, or to the progress stream once that starts.

const (
	mimeCSV  = "text/csv"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	// streamWindow is how long a streamed response may wait for the next
	// page or progress event before the connection is given up.
	streamWindow = 60 * time.Second
)

// maxXLSXUpload bounds an .xlsx import: excelize reads a workbook into
// memory whole (only big worksheets are unzipped to temporary files), so
// the upload limit, made for streamed CSV, is too generous for it. A
// sheet of a million rows and ten columns is about 50 MB zipped.
var maxXLSXUpload int64 = 128 << 20

func registerIOComponents(sp *openapi.Spec) {
	sp.Component("ImportResult", openapi.Schema{
		"type": "object",
		"properties": openapi.Schema{
			"rows":    openapi.Schema{"type": "integer", "description": "data rows read (blank rows skipped)"},
			"created": openapi.Schema{"type": "integer", "description": "in a dry run: would be created"},
			"updated": openapi.Schema{"type": "integer"},
			"failed":  openapi.Schema{"type": "integer", "description": "rows with errors"},
			"errors": openapi.Schema{"type": "array", "maxItems": form.MaxImportErrors, "items": openapi.Schema{
				"type": "object",
				"properties": openapi.Schema{
					"row":     openapi.Schema{"type": "integer", "description": "as the spreadsheet numbers it; the header is row 1"},
					"column":  openapi.Schema{"type": "string", "description": "the column's letter"},
					"path":    openapi.Schema{"type": "string", "description": "the field path, e.g. phone or items[2].qty"},
					"code":    openapi.Schema{"type": "string"},
					"message": openapi.Schema{"type": "string"},
				},
			}},
			"errorsTruncated": openapi.Schema{"type": "boolean", "description": "more errors than the first 1000"},
			"dryRun":          openapi.Schema{"type": "boolean"},
			"mode":            openapi.Schema{"type": "string", "enum": []string{form.ImportAll, form.ImportSkip}},
			"outcome": openapi.Schema{"type": "string", "enum": []string{form.OutcomeDryRun, form.OutcomeWritten, form.OutcomeRejected, form.OutcomePartial},
				"description": "rejected: mode all found bad rows and wrote nothing; partial: writing stopped at stoppedAt, every row before it was written"},
			"stoppedAt": openapi.Schema{"type": "integer"},
			"columns": openapi.Schema{"type": "array", "items": openapi.Schema{
				"type": "object",
				"properties": openapi.Schema{
					"column": openapi.Schema{"type": "string"}, "header": openapi.Schema{"type": "string"},
					"field":  openapi.Schema{"type": "string"},
					"status": openapi.Schema{"type": "string", "enum": []string{form.ColumnMapped, form.ColumnUnknown, form.ColumnIgnored}},
					"reason": openapi.Schema{"type": "string"},
				},
			}},
		},
	})
}

func (s *Server) recordIORoutes(r *Router) {
	registerIOComponents(s.Spec)
	s.exportRoute(r)
	s.importRoute(r)
}

func (s *Server) exportRoute(r *Router) {
	rec := s.deps.Records
	r.Handle(openapi.Operation{Method: "GET", Path: "/api/apps/:app/forms/:form/export", ID: "exportRecords", Tag: "records",
		Summary: "Export the records the caller may read as CSV or .xlsx (export right)",
		Description: "The rows and fields a list would give (row scope, view, filter, search; hidden fields absent, masked ones " +
			"masked), rendered for people: amounts in yuan, option labels, 是/否. CSV is UTF-8 with a byte order mark. " +
			"At most 1,000,000 rows (413 export.too_large, checked before the first byte). The response is streamed; " +
			"a connection closed before the end means the file is incomplete. Audited as record.export.",
		Params: []openapi.Param{
			{Name: "format", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"csv", "xlsx"}, "default": "csv"}},
			{Name: "filter", In: "query", Description: "JSON filter, as for listRecords"},
			{Name: "sort", In: "query"},
			{Name: "view", In: "query", Description: "a published view: its filter, sort and columns"},
			{Name: "q", In: "query", Description: "search text"},
			{Name: "fields", In: "query", Description: "comma-separated field keys (system fields such as _id allowed); default: the view's columns, else every readable field"},
			{Name: "lang", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"zh-CN", "en"}}, Description: "headers and labels (default: Accept-Language)"},
			{Name: "header", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"label", "key"}, "default": "label"}},
			langParam,
		},
		RawResponse: mimeCSV, Errors: []int{404, 413},
	}, func(c *fiber.Ctx) error {
		format, err := ioFormat(c.Query("format"))
		if err != nil {
			return err
		}
		lang, err := queryLang(c)
		if err != nil {
			return err
		}
		header := c.Query("header")
		if header != "" && header != "label" && header != "key" {
			return queryErr("header", "must be label or key")
		}
		cl := callerOf(c)
		q := form.ExportQuery{Format: format, Filter: []byte(c.Query("filter")), Sort: c.Query("sort"), View: c.Query("view"),
			Search: c.Query("q"), Lang: lang, HeaderKeys: header == "key", IP: cl.IP, RequestID: cl.RequestID}
		if f := strings.TrimSpace(c.Query("fields")); f != "" {
			q.Fields = strings.Split(f, ",")
		}
		ctx := context.WithoutCancel(recordCtx(c))
		x, err := rec.PrepareExport(ctx, principal(c), c.Params("app"), c.Params("form"), q)
		if err != nil {
			return err
		}
		name, ascii := x.FileName(format)
		c.Set(fiber.HeaderContentType, mimeCSV+"; charset=utf-8")
		if format == "xlsx" {
			c.Set(fiber.HeaderContentType, mimeXLSX)
		}
		c.Set(fiber.HeaderContentDisposition, attachment(name, ascii))
		c.Set(fiber.HeaderCacheControl, "no-store")
		out := s.stream(c)
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			dw := out.writer(w)
			var tw form.TableWriter = form.NewCSVWriter(dw)
			if format == "xlsx" {
				var err error
				if tw, err = form.NewXLSXWriter(dw, x.Title()); err != nil {
					out.abort("export failed", err)
					return
				}
			}
			// An .xlsx is written only at the end: the deadline must move
			// on while its rows are gathered too.
			x.OnPage = func(int) error {
				out.extend()
				return w.Flush()
			}
			if _, err := x.Run(ctx, tw); err != nil {
				out.abort("export failed", err)
			}
		})
		return nil
	})
}

func (s *Server) importRoute(r *Router) {
	rec := s.deps.Records
	r.Upload(openapi.Operation{Method: "POST", Path: "/api/apps/:app/forms/:form/import", ID: "importRecords", Tag: "records",
		Summary: "Import records from CSV or .xlsx (import right, and create or update)",
		Description: "The file is the raw body (text/csv or " + mimeXLSX + ") or the field \"file\" of multipart/form-data. " +
			"Columns map by field key, zh-CN or en label (ignoring case and spaces), or the mapping. CSV may be UTF-8 (with or " +
			"without BOM), GBK/GB18030 or UTF-16; other bytes are a 400 import.encoding naming the line. mode=all (default) " +
			"validates every row first and writes nothing if one fails; mode=skip writes the good rows. With " +
			"Accept: text/event-stream the answer is server-sent events: \"progress\" {phase, rows, ok, failed} every 1000 " +
			"rows, then \"done\" with the result (and \"error\" first if the import failed). At most 1,000,000 rows and " +
			"500 columns.",
		Params: []openapi.Param{
			{Name: "format", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{"csv", "xlsx"}}, Description: "default: from the file's first bytes"},
			{Name: "mode", In: "query", Schema: openapi.Schema{"type": "string", "enum": []string{form.ImportAll, form.ImportSkip}, "default": form.ImportAll}},
			{Name: "dryRun", In: "query", Schema: openapi.Schema{"type": "boolean"}, Description: "validate every row, write nothing"},
			{Name: "upsertBy", In: "query", Description: "a unique field (or _id): rows matching a record update it"},
			{Name: "mapping", In: "query", Description: "JSON object {columnHeader: fieldKey}; \"\" ignores a column"},
			{Name: "Accept", In: "header", Description: "text/event-stream for progress events"},
			langParam,
		},
		Request: openapi.Schema{"type": "string", "format": "binary"}, RequestType: mimeCSV,
		Response: openapi.Ref("ImportResult"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		lang := requestLang(c)
		cl := callerOf(c)
		o := form.ImportOptions{Mode: c.Query("mode"), UpsertBy: c.Query("upsertBy"), Lang: lang, IP: cl.IP, RequestID: cl.RequestID}
		var err error
		if o.DryRun, err = boolQuery(c, "dryRun"); err != nil {
			return err
		}
		if m := c.Query("mapping"); m != "" {
			d := json.NewDecoder(strings.NewReader(m))
			if err := d.Decode(&o.Mapping); err != nil || d.More() {
				return queryErr("mapping", "must be a JSON object of column headers to field keys")
			}
		}
		sse := strings.Contains(c.Get(fiber.HeaderAccept), "text/event-stream")
		// The import right first: a caller without it is refused before a
		// gigabyte is read. PrepareImport checks it again with the rest.
		if g := s.deps.Guard; g != nil {
			t := access.Target{App: c.Params("app"), Kind: meta.KindForm, Key: c.Params("form")}
			if err := g.Check(recordCtx(c), principal(c), t, access.Import); err != nil {
				return err
			}
		}
		up, err := uploadedFile(c)
		if err != nil {
			return err
		}
		src, size, err := spool(s.deps.SpoolDir, up.body)
		if err != nil {
			return err
		}
		cleanup := func() { _ = src.Close() }
		streaming := false
		defer func() {
			if !streaming {
				cleanup()
			}
		}()
		sheet, err := openSheet(c.Query("format"), src, size, lang)
		if err != nil {
			return err
		}
		ctx := context.WithoutCancel(recordCtx(c))
		var emit func(form.ImportProgress)
		o.Progress = func(p form.ImportProgress) {
			if emit != nil {
				emit(p)
			}
		}
		im, err := rec.PrepareImport(ctx, principal(c), c.Params("app"), c.Params("form"), sheet, o)
		if err != nil {
			_ = sheet.Close()
			return err
		}
		if !sse {
			defer sheet.Close()
			res, err := im.Run(ctx)
			if err != nil {
				return err
			}
			return c.JSON(res)
		}
		c.Set(fiber.HeaderContentType, "text/event-stream")
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set("X-Accel-Buffering", "no") // no proxy buffering of the events
		out := s.stream(c)
		streaming = true // the stream owns the upload now
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			defer cleanup()
			defer sheet.Close()
			ictx, cancel := context.WithCancel(ctx)
			defer cancel()
			send := func(event string, v any) error {
				b, err := json.Marshal(v)
				if err != nil {
					return err
				}
				if _, err := fmt.Fprintf(out.writer(w), "event: %s\ndata: %s\n\n", event, b); err != nil {
					return err
				}
				return w.Flush()
			}
			// A client that went away stops the import at the next batch.
			emit = func(p form.ImportProgress) {
				if send("progress", p) != nil {
					cancel()
				}
			}
			if _, err := fmt.Fprint(w, ": import started\n\n"); err != nil || w.Flush() != nil {
				return
			}
			res, err := im.Run(ictx)
			if err != nil {
				b := out.problem("import failed", err)
				_ = send("error", b)
			}
			_ = send("done", res)
		})
		return nil
	})
}

// streamOut is what a streamed response keeps of its request.
type streamOut struct {
	s    *Server
	conn net.Conn
	rid  any
	path string
}

// stream takes the response's write deadline over from the server (see
// the top of the file) and captures what the stream goroutine needs.
func (s *Server) stream(c *fiber.Ctx) *streamOut {
	_ = c.Context().SetWriteDeadline(time.Now().Add(streamWindow))
	return &streamOut{s: s, conn: c.Context().Conn(), rid: c.Locals("requestid"), path: c.Path()}
}

// extend pushes the write deadline streamWindow ahead.
func (o *streamOut) extend() { _ = o.conn.SetWriteDeadline(time.Now().Add(streamWindow)) }

// writer pushes the write deadline on as data flows.
func (o *streamOut) writer(w io.Writer) io.Writer { return &deadlineWriter{w: w, conn: o.conn} }

// problem logs a failure of a stream and renders it for the client.
func (o *streamOut) problem(msg string, err error) problem.Body {
	b := problem.From(err)
	b.Instance = o.path
	if rid, ok := o.rid.(string); ok {
		b.RequestID = rid
	}
	o.s.deps.Log.Error(msg, "requestId", o.rid, "err", err.Error())
	return b
}

// abort ends a stream that cannot be finished. The status line is gone,
// so the connection is closed before the last chunk: the client sees an
// incomplete response, not a short file that looks whole.
func (o *streamOut) abort(msg string, err error) {
	o.problem(msg, err)
	_ = o.conn.Close()
}

// deadlineWriter extends the connection's write deadline at most once a
// second as bytes are written.
type deadlineWriter struct {
	w    io.Writer
	conn net.Conn
	last time.Time
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if now := time.Now(); now.Sub(d.last) > time.Second {
		d.last = now
		_ = d.conn.SetWriteDeadline(now.Add(streamWindow))
	}
	return d.w.Write(p)
}

// openSheet opens the upload as the format says, or as its first bytes
// say: a zip is a workbook, anything else CSV.
func openSheet(format string, src io.ReaderAt, size int64, lang string) (form.Sheet, error) {
	magic := make([]byte, 4)
	n, _ := src.ReadAt(magic, 0)
	magic = magic[:n]
	if format == "" {
		format = "csv"
		if bytes.HasPrefix(magic, []byte("PK\x03\x04")) {
			format = "xlsx"
		}
	}
	if bytes.HasPrefix(magic, []byte{0xD0, 0xCF, 0x11, 0xE0}) {
		return nil, errs.New(errs.Invalid, "import.xls", "this is an Excel 97-2003 .xls file; save it as .xlsx or CSV")
	}
	switch format {
	case "csv":
		return form.OpenCSV(src, size, lang)
	case "xlsx":
		if size > maxXLSXUpload {
			return nil, errs.New(errs.TooLarge, "import.xlsx_too_large", "%s",
				i18n.Message(bodyMessages, lang, "import.xlsx_too_large", byteSize(maxXLSXUpload)))
		}
		return form.OpenXLSX(src, size, lang)
	}
	return nil, queryErr("format", "must be csv or xlsx")
}

// ioFormat reads the export format (default csv).
func ioFormat(s string) (string, error) {
	switch s {
	case "", "csv":
		return "csv", nil
	case "xlsx":
		return s, nil
	}
	return "", queryErr("format", "must be csv or xlsx")
}

// queryLang reads the lang parameter, or Accept-Language without one.
func queryLang(c *fiber.Ctx) (string, error) {
	switch l := c.Query("lang"); {
	case l == "":
		return requestLang(c), nil
	case strings.EqualFold(l, "zh-CN") || strings.EqualFold(l, "zh"):
		return "zh-CN", nil
	case strings.HasPrefix(strings.ToLower(l), "en"):
		return "en", nil
	}
	return "", queryErr("lang", "must be zh-CN or en")
}

// boolQuery reads an optional boolean query parameter strictly: a typo
// in dryRun must not write data.
func boolQuery(c *fiber.Ctx, name string) (bool, error) {
	switch strings.ToLower(c.Query(name)) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, queryErr(name, "must be true or false")
}

func queryErr(name, msg string) error {
	return &errs.Error{Class: errs.Invalid, Code: "request.query", Msg: "bad query parameter",
		Fields: []errs.FieldError{{Path: name, Code: "request.query", Message: msg}}}
}

// attachment is the Content-Disposition of a download: an ASCII filename
// for old clients and the real one in RFC 5987 encoding (Chinese titles).
func attachment(name, ascii string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}
