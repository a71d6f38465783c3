package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/server/openapi"
	"github.com/tangram/tangram/server/problem"
)

// Request body limits, per route. The server streams request bodies
// (fiber's StreamRequestBody, server.go): fasthttp reads at most 8 KiB
// ahead and hands the rest to the handler as a stream, enforcing no limit
// itself. Each route's limit is declared where it is registered:
//
//   - Router.Handle: the body is read whole, up to the JSON limit
//     (Deps.BodyLimit, TANGRAM_BODY_LIMIT, default 8 MiB), before the
//     handler runs, so c.Body() and decodeJSON work as they always did.
//   - Router.Upload: the handler reads the body as a stream
//     (requestBody), up to the upload limit (Deps.UploadLimit,
//     TANGRAM_UPLOAD_LIMIT, default 1 GiB); imports and file uploads.
//
// A Content-Length over the limit is refused before a byte is read; a
// chunked body is cut off where it passes the limit. Both are 413
// http.body_too_large, and since the handler has not run (or fails on the
// read), nothing is written. fasthttp then drains what the client still
// sends, up to 256 KiB, or closes the connection.

// DefaultUploadLimit bounds import and upload bodies unless configured
// otherwise: a 1,000,000-row CSV of ten columns is about 100 MB.
const DefaultUploadLimit = 1 << 30

// uploadLimitEnv configures the upload limit when Deps.UploadLimit is 0.
const uploadLimitEnv = "TANGRAM_UPLOAD_LIMIT"

// bodyLimits are the server's two limits. They are read per request, so
// SetBodyLimits takes effect at once. uploads are the routes registered
// with Router.Upload, for expect.
type bodyLimits struct {
	json, upload atomic.Int64
	uploads      []routePattern
}

// routePattern is a route's method and path split at "/"; a ":name"
// segment matches any one segment.
type routePattern struct {
	method string
	segs   []string
}

func (p routePattern) match(method, path string) bool {
	if method != p.method {
		return false
	}
	segs := strings.Split(path, "/")
	if len(segs) != len(p.segs) {
		return false
	}
	for i, s := range p.segs {
		if s != segs[i] && (!strings.HasPrefix(s, ":") || segs[i] == "") {
			return false
		}
	}
	return true
}

// expect answers "Expect: 100-continue" (curl sends it for bodies over
// 1 MiB): a declared length over the route's limit is refused with 413
// before the client sends the body. Answering after the client has begun
// to send would mean closing the connection on unread bytes, which resets
// it, and the client may see the reset instead of the 413. The problem
// body is set here although fasthttp's documentation asks an
// ExpectHandler not to touch the response: v1.77 writes it as it is, and
// a version that did not would still send the 413 status.
func (l *bodyLimits) expect(ctx *fasthttp.RequestCtx) int {
	n := int64(ctx.Request.Header.ContentLength())
	max := l.json.Load()
	for _, p := range l.uploads {
		if p.match(string(ctx.Method()), string(ctx.Path())) {
			max = l.upload.Load()
			break
		}
	}
	if n <= max {
		return fasthttp.StatusContinue
	}
	lang := "zh-CN"
	if i18n.IsEnglish(strings.TrimSpace(string(ctx.Request.Header.Peek(fiber.HeaderAcceptLanguage)))) {
		lang = "en"
	}
	b := problem.From(tooLarge(lang, max))
	b.Instance = string(ctx.Path())
	if raw, err := json.Marshal(b); err == nil {
		ctx.Response.Header.SetContentType(problem.ContentType)
		ctx.Response.SetBody(raw)
	}
	return fasthttp.StatusRequestEntityTooLarge
}

func newBodyLimits(json int, upload int64) *bodyLimits {
	if upload <= 0 {
		upload = DefaultUploadLimit
		if n, err := strconv.ParseInt(os.Getenv(uploadLimitEnv), 10, 64); err == nil && n > 0 {
			upload = n
		}
	}
	l := &bodyLimits{}
	l.json.Store(int64(json))
	l.upload.Store(upload)
	return l
}

// SetBodyLimits changes the JSON and upload body limits of the running
// server (bytes; 0 keeps a limit as it is).
func (s *Server) SetBodyLimits(json, upload int64) {
	if json > 0 {
		s.limits.json.Store(json)
	}
	if upload > 0 {
		s.limits.upload.Store(upload)
	}
}

// jsonRoute bounds a route's body by the JSON limit: the body is read
// whole before h runs. A route taking a body documents the 413.
func (l *bodyLimits) jsonRoute(op openapi.Operation, h fiber.Handler) (openapi.Operation, fiber.Handler) {
	if op.Request != nil {
		op.Errors = append(op.Errors, fiber.StatusRequestEntityTooLarge)
	}
	return op, func(c *fiber.Ctx) error {
		if err := readBody(c, l.json.Load()); err != nil {
			return err
		}
		return h(c)
	}
}

// Upload documents op and serves it with h, which reads the body as a
// stream through requestBody, bounded by the upload limit.
func (r *Router) Upload(op openapi.Operation, h fiber.Handler) {
	op.Errors = append(op.Errors, fiber.StatusRequestEntityTooLarge)
	op.Description += " The body is streamed, up to the server's upload limit (TANGRAM_UPLOAD_LIMIT, default 1 GiB; 413 http.body_too_large)."
	l := r.limits
	l.uploads = append(l.uploads, routePattern{method: op.Method, segs: strings.Split(op.Path, "/")})
	r.add(op, func(c *fiber.Ctx) error {
		max := l.upload.Load()
		if err := checkLength(c, max); err != nil {
			return err
		}
		if enc := strings.TrimSpace(string(c.Request().Header.ContentEncoding())); enc != "" && !strings.EqualFold(enc, "identity") {
			return badEncoding(requestLang(c), enc)
		}
		c.Locals(bodyKey{}, &limitedBody{r: rawBody(c), left: max, max: max, lang: requestLang(c), ctx: c})
		return h(c)
	})
}

// bodyKey keys the bounded body stream of an upload route in c.Locals.
type bodyKey struct{}

// requestBody is the body of an upload route as a stream that fails with
// 413 http.body_too_large past the upload limit. On any other route it is
// the body already read.
func requestBody(c *fiber.Ctx) io.Reader {
	if b, ok := c.Locals(bodyKey{}).(*limitedBody); ok {
		return b
	}
	return bytes.NewReader(c.Body())
}

// rawBody is the request's body stream, or its buffered body where the
// server does not stream (fiber's app.Test).
func rawBody(c *fiber.Ctx) io.Reader {
	if st := c.Request().BodyStream(); st != nil {
		return st
	}
	return bytes.NewReader(c.Request().Body())
}

// checkLength refuses a declared Content-Length over max.
func checkLength(c *fiber.Ctx, max int64) error {
	if n := c.Request().Header.ContentLength(); n > 0 && int64(n) > max {
		return tooLarge(requestLang(c), max)
	}
	return nil
}

// readBody reads the body whole, up to max bytes, into the request, so
// that c.Body() no longer touches the stream.
func readBody(c *fiber.Ctx, max int64) error {
	if err := checkLength(c, max); err != nil {
		return err
	}
	req := c.Request()
	st := req.BodyStream()
	if st == nil {
		if int64(len(req.Body())) > max {
			return tooLarge(requestLang(c), max)
		}
		return decodeBody(c, max)
	}
	var buf bytes.Buffer
	if n := req.Header.ContentLength(); n > 0 {
		buf.Grow(n)
	}
	if _, err := buf.ReadFrom(io.LimitReader(st, max+1)); err != nil {
		return unreadable(requestLang(c), err)
	}
	if int64(buf.Len()) > max {
		return tooLarge(requestLang(c), max)
	}
	req.SetBodyRaw(buf.Bytes())
	return decodeBody(c, max)
}

// decodeBody decodes a compressed body (Content-Encoding gzip, deflate,
// br or zstd) here, bounded by the same limit, and drops the header:
// fiber's c.Body() would decode it without a bound, and a megabyte of
// gzip can hold gigabytes.
func decodeBody(c *fiber.Ctx, max int64) error {
	req := c.Request()
	enc := strings.ToLower(strings.TrimSpace(string(req.Header.ContentEncoding())))
	if enc == "" || enc == "identity" {
		return nil
	}
	var dec []byte
	var err error
	switch enc {
	case "gzip":
		dec, err = req.BodyGunzipWithLimit(int(max))
	case "deflate":
		dec, err = req.BodyInflateWithLimit(int(max))
	case "br":
		dec, err = req.BodyUnbrotliWithLimit(int(max))
	case "zstd":
		dec, err = req.BodyUnzstdWithLimit(int(max))
	default:
		return badEncoding(requestLang(c), enc)
	}
	switch {
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		return tooLarge(requestLang(c), max)
	case err != nil:
		e := errs.New(errs.Invalid, "request.encoding", "%s", i18n.Message(bodyMessages, requestLang(c), "request.encoding", enc))
		e.Cause = err
		return e
	}
	req.Header.Del(fiber.HeaderContentEncoding)
	req.SetBodyRaw(dec)
	return nil
}

// badEncoding refuses a Content-Encoding the route cannot read (an
// upload is streamed as sent, so it takes none).
func badEncoding(lang, enc string) error {
	return &errs.Error{Class: errs.Invalid, Code: "request.content_encoding", Msg: i18n.Message(bodyMessages, lang, "request.content_encoding", enc),
		Fields: []errs.FieldError{{Path: "Content-Encoding", Code: "request.content_encoding", Message: enc}}}
}

// limitedBody is an upload's body stream: it fails with 413 once more
// than max bytes came, and moves the connection's read deadline on while
// bytes flow, so a big upload is not cut by the server's ReadTimeout
// (only a client that stops sending is).
type limitedBody struct {
	r         io.Reader
	left, max int64
	lang      string
	ctx       *fiber.Ctx
	last      time.Time
	err       error
}

// uploadIdle is how long an upload may send nothing before it is cut.
const uploadIdle = 30 * time.Second

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if now := time.Now(); now.Sub(b.last) > time.Second {
		b.last = now
		_ = b.ctx.Context().SetReadDeadline(now.Add(uploadIdle))
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	switch {
	case b.left < 0:
		b.err = tooLarge(b.lang, b.max)
		return 0, b.err
	case err != nil && !errors.Is(err, io.EOF):
		b.err = unreadable(b.lang, err)
		return n, b.err
	}
	return n, err
}

var bodyMessages = map[string][2]string{
	"import.xlsx_too_large":    {".xlsx 文件超过 %s：工作簿要整个读入内存，请另存为 CSV 再导入", "the .xlsx file is larger than %s: a workbook is read into memory whole; save it as CSV and import that"},
	"request.encoding":         {"请求体不是有效的 %s 压缩数据", "the body is not valid %s data"},
	"request.content_encoding": {"此处不接受请求体的压缩方式 %q", "the body's Content-Encoding %q is not accepted here"},
	"http.body_too_large":      {"请求体超过 %s 的上限", "the request body is larger than the limit of %s"},
	"request.unreadable":       {"请求体未能读完（连接中断或超时）", "the request body could not be read to its end (connection cut or timed out)"},
}

func tooLarge(lang string, max int64) error {
	return errs.New(errs.TooLarge, "http.body_too_large", "%s", i18n.Message(bodyMessages, lang, "http.body_too_large", byteSize(max)))
}

func unreadable(lang string, cause error) error {
	e := errs.New(errs.Invalid, "request.unreadable", "%s", i18n.Message(bodyMessages, lang, "request.unreadable"))
	e.Cause = cause
	return e
}

// byteSize renders a limit for people: "8 MiB", "1 GiB", "1500 B".
func byteSize(n int64) string {
	for _, u := range []struct {
		shift uint
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " B"
}
