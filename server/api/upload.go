package api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/errs"
)

// The file of an upload route (Router.Upload): the part "file" of a
// multipart/form-data body, read with mime/multipart straight off the
// body stream, or the raw body. Nothing is buffered beyond the multipart
// reader's few KiB; the handler copies the file where it belongs (the
// blob store, or the import's spool file).

// uploaded is the file of an upload request.
type uploaded struct {
	name     string    // the part's file name ("" for a raw body)
	declared string    // the client's content type, lower case
	size     int64     // the raw body's Content-Length; -1 when unknown
	body     io.Reader // the file's bytes, bounded by the upload limit
}

// uploadedFile finds the file of the request: the multipart part "file"
// (parts before it are skipped), else the raw body. A multipart body
// without that part is 400 request.file, a malformed one 400
// request.multipart.
func uploadedFile(c *fiber.Ctx) (uploaded, error) {
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	body := requestBody(c)
	if !strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		size := int64(c.Request().Header.ContentLength())
		if size < 0 {
			size = -1
		}
		return uploaded{declared: ct, size: size, body: body}, nil
	}
	// The boundary is case sensitive: parse the header as sent.
	_, params, err := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	if err != nil || params["boundary"] == "" {
		return uploaded{}, malformedMultipart(err)
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		// A bare io.EOF is the closing delimiter; a wrapped one, a body
		// that ended without it.
		if err == io.EOF { //nolint:errorlint // see above
			return uploaded{}, &errs.Error{Class: errs.Invalid, Code: "request.file", Msg: "the multipart body needs the file in the part \"file\"",
				Fields: []errs.FieldError{{Path: "file", Code: "request.file", Message: "missing"}}}
		}
		if err != nil {
			return uploaded{}, multipartErr(err)
		}
		if part.FormName() == "file" {
			return uploaded{name: part.FileName(), declared: strings.ToLower(part.Header.Get(fiber.HeaderContentType)), size: -1,
				body: &multipartBody{r: part}}, nil
		}
		if _, err := io.Copy(io.Discard, part); err != nil {
			return uploaded{}, multipartErr(err)
		}
	}
}

// multipartBody reads a part, turning the multipart reader's complaints
// about the body's structure into 400 request.multipart.
type multipartBody struct{ r io.Reader }

func (m *multipartBody) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = multipartErr(err)
	}
	return n, err
}

// multipartErr keeps the body's own errors (413, a cut connection) and
// calls anything else the multipart reader says malformed.
func multipartErr(err error) error {
	if _, ok := errs.As(err); ok {
		return err
	}
	return malformedMultipart(err)
}

func malformedMultipart(cause error) error {
	return &errs.Error{Class: errs.Invalid, Code: "request.multipart", Msg: "the multipart/form-data body is malformed", Cause: cause}
}

// spool copies r to a temporary file under dir (the data dir's spool/,
// else the system's temporary directory) for readers that need random
// access: an .xlsx is a zip, and a CSV import reads the file more than
// once. The file is unlinked at once, so nothing is left behind whatever
// happens to the process; closing it frees the space.
func spool(dir string, r io.Reader) (*os.File, int64, error) {
	if dir == "" {
		dir = os.TempDir()
	} else {
		dir = filepath.Join(dir, "spool")
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, 0, err
		}
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, 0, err
	}
	_ = os.Remove(f.Name()) // the open file stays readable until closed
	size, err := io.Copy(f, r)
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, size, nil
}
