package files

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Service uploads and downloads the files of attachment and image fields
// on behalf of a principal. Upload needs the create or update right on the
// form and write access to the field, enforces the field's size limit and
// accepted types (the type is sniffed from the content, never taken from
// the client alone), streams the content into the Blobs backend and records
// the file's metadata. Download needs the read right on the file's form and
// a record in the caller's read scope that references the file.
type Service struct {
	st      store.Store
	records *form.Records
	blobs   Blobs
	now     func() time.Time
	readers []Reader
}

// Reader says whether p may download file id of app although no record p
// can read holds it: a file attached to a workflow comment lives in the
// record's timeline, not in a field. Engines that keep file ids outside
// records register one with AddReader.
type Reader func(ctx context.Context, p *auth.Principal, app, id string) (bool, error)

// AddReader registers r; call it while wiring, before serving.
func (s *Service) AddReader(r Reader) { s.readers = append(s.readers, r) }

// readable is FileReadable widened by the registered readers: a refusal
// stands unless one of them grants the file.
func (s *Service) readable(ctx context.Context, p *auth.Principal, f *File, id string) error {
	err := s.records.FileReadable(ctx, p, f.App, f.Form, f.Field, id)
	if err == nil || (errs.ClassOf(err) != errs.NotFound && errs.ClassOf(err) != errs.Forbidden) {
		return err
	}
	for _, r := range s.readers {
		ok, rerr := r(ctx, p, f.App, id)
		if rerr != nil {
			return rerr
		}
		if ok {
			return nil
		}
	}
	return err
}

// New returns the files service.
func New(st store.Store, records *form.Records, blobs Blobs) *Service {
	return &Service{st: st, records: records, blobs: blobs, now: time.Now}
}

// Ref is what an upload returns and what a record's file field holds.
type Ref struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"contentType"`
	SHA256      string `json:"sha256"`
}

// Upload is one file to store.
type Upload struct {
	App, Form string
	Field     string // "key" or "subtable.column"
	Name      string // display name
	// Declared is the client's content type; it only refines a generic
	// sniffed type (see contentType).
	Declared string
	// Size is the length the client announced, or -1; a larger one is
	// refused before anything is read.
	Size int64
	Body io.Reader
}

// File is the stored metadata of a file.
type File struct {
	Ref
	App, Form, Field string
	UploadedBy       string
	At               string
}

// errTooLarge ends an upload that passed the field's size limit.
var errTooLarge = errors.New("files: too large")

func tooLarge(max int64) error {
	return &errs.Error{Class: errs.TooLarge, Code: "file.too_large",
		Msg: "the file is larger than the field allows (" + formatSize(max) + ")"}
}

// Upload checks the caller's rights and the field's limits, stores the
// content and its metadata, and returns the reference to put into a record.
// Nothing is kept when any check fails.
func (s *Service) Upload(ctx context.Context, p *auth.Principal, u Upload) (Ref, error) {
	lim, err := s.records.FileUpload(ctx, p, u.App, u.Form, u.Field)
	if err != nil {
		return Ref{}, err
	}
	if !form.ValidFileName(u.Name) {
		return Ref{}, &errs.Error{Class: errs.Invalid, Code: "file.name",
			Msg:    "the file needs a name (1-255 characters, no path separators or control characters)",
			Fields: []errs.FieldError{{Path: "name", Code: "file.name", Message: "invalid file name"}}}
	}
	if u.Size > lim.MaxSize {
		return Ref{}, tooLarge(lim.MaxSize)
	}
	br := bufio.NewReaderSize(u.Body, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return Ref{}, err
	}
	ct := contentType(head, u.Declared)
	if !lim.Accepts(ct) {
		return Ref{}, &errs.Error{Class: errs.Unprocessable, Code: "file.type_not_accepted",
			Msg: "the field does not accept files of type " + ct}
	}
	id := store.NewID()
	size, sum, err := s.blobs.Put(ctx, id, &limitReader{r: br, left: lim.MaxSize})
	if errors.Is(err, errTooLarge) {
		return Ref{}, tooLarge(lim.MaxSize)
	}
	if err != nil {
		return Ref{}, err
	}
	ref := Ref{ID: id, Name: u.Name, Size: size, ContentType: ct, SHA256: sum}
	doc := store.Doc{
		"_id": id, "app": u.App, "form": u.Form, "field": lim.Field, "name": u.Name, "size": size,
		"contentType": ct, "sha256": sum, "uploadedBy": p.Actor(), "at": query.FormatTime(s.now()),
	}
	if _, err := s.st.Insert(ctx, form.FilesCollection, doc); err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), id)
		return Ref{}, err
	}
	return ref, nil
}

// Open returns the metadata and content of file id of app, if p may read
// it (see Service). A file of another app, a missing one and one in no
// record the caller can see are all 404 file.not_found.
func (s *Service) Open(ctx context.Context, p *auth.Principal, app, id string) (*File, io.ReadCloser, error) {
	notFound := &errs.Error{Class: errs.NotFound, Code: "file.not_found", Msg: "the file does not exist"}
	doc, err := s.st.Get(ctx, form.FilesCollection, id)
	if errs.ClassOf(err) == errs.NotFound {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, err
	}
	f := fileOf(doc)
	if f.App != app {
		return nil, nil, notFound
	}
	if err := s.readable(ctx, p, f, id); err != nil {
		return nil, nil, err
	}
	rc, err := s.blobs.Open(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, err
	}
	return f, rc, nil
}

func fileOf(d store.Doc) *File {
	str := func(k string) string { s, _ := d[k].(string); return s }
	f := &File{App: str("app"), Form: str("form"), Field: str("field"), UploadedBy: str("uploadedBy"), At: str("at")}
	f.ID, f.Name, f.ContentType, f.SHA256 = str("_id"), str("name"), str("contentType"), str("sha256")
	switch n := d["size"].(type) {
	case interface{ Int64() (int64, error) }:
		f.Size, _ = n.Int64()
	case int64:
		f.Size = n
	case int:
		f.Size = int64(n)
	}
	return f
}

// contentType is the sniffed type of the content's first bytes, without
// parameters. The client's declared type is used only where sniffing
// cannot tell: a zip container declared as an office or OpenDocument
// format (docx, xlsx, odt...). Anything else the client claims is ignored,
// so a script cannot pass as an image.
func contentType(head []byte, declared string) string {
	ct, _, _ := strings.Cut(http.DetectContentType(head), ";")
	ct = strings.TrimSpace(ct)
	decl, _, _ := strings.Cut(strings.ToLower(declared), ";")
	decl = strings.TrimSpace(decl)
	if ct == "application/zip" && (strings.HasPrefix(decl, "application/vnd.openxmlformats-officedocument.") ||
		strings.HasPrefix(decl, "application/vnd.oasis.opendocument.")) {
		return decl
	}
	return ct
}

// limitReader fails with errTooLarge once more than left bytes were read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, errTooLarge
	}
	return n, err
}

// formatSize renders a limit for messages ("20 MiB", "512 KiB", "100 B").
func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
