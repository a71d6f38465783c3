package form

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Files. Attachment and image fields hold references to files uploaded
// through engine/files, whose metadata lives in FilesCollection. On every
// write the records service checks each new reference against that
// collection (the file exists and was uploaded for this app, form and
// field, with the same size, type and digest) and keeps the system array
// SysFiles: the ids of every file the record references, so "may the
// caller see a record holding file X" is one store query under the
// caller's scope.

const (
	// SysFiles is the system array of the ids of the files a record's
	// attachment and image fields reference (sub-table columns included).
	// It is maintained by the service and never shown to readers.
	SysFiles = "_files"
	// FilesCollection holds the metadata of uploaded files:
	// {_id, app, form, field, name, size, contentType, sha256, uploadedBy, at}.
	FilesCollection = "files"
)

var fFiles = query.Field{Path: SysFiles, Kind: query.KindString, Array: true}

// FileLimits are the upload limits of one attachment or image field.
type FileLimits struct {
	Field   string   // the field's path: "key", or "subtable.column"
	MaxSize int64    // bytes
	Accept  []string // allowed MIME types (type/* for a family); empty: any
}

// Accepts reports whether the field accepts content type ct.
func (l FileLimits) Accepts(ct string) bool { return mimeAccepted(l.Accept, ct) }

// ValidFileName reports whether name may be a file's display name: not
// empty, at most 255 characters, no control characters or path separators.
func ValidFileName(name string) bool { return validFileName(name) }

// FileField returns the limits of the attachment or image field at path:
// a top-level key, or "subtable.column" for a sub-table column.
func (f *Form) FileField(path string) (FileLimits, bool) {
	top, col, nested := strings.Cut(path, ".")
	fd, ok := f.byKey[top]
	if !ok {
		return FileLimits{}, false
	}
	if nested {
		if fd.Type != "subtable" {
			return FileLimits{}, false
		}
		fd = nil
		for _, c := range f.byKey[top].Fields {
			if c.Key == col {
				fd = c
			}
		}
		if fd == nil {
			return FileLimits{}, false
		}
	}
	ft, ok := LookupFieldType(fd.Type)
	t, isFile := ft.(*fileType)
	if !ok || !isFile {
		return FileLimits{}, false
	}
	s := t.settings(fd)
	return FileLimits{Field: path, MaxSize: *s.MaxSize, Accept: s.Accept}, true
}

// fileUse is one file reference found in a record.
type fileUse struct {
	path  string // where it is, for errors: "photos[0]", "items[1].scan[0]"
	field string // the field it belongs to: "photos", "items.scan"
	ref   map[string]any
	top   string // the top-level key holding it
}

// fileRefs lists the file references in rec's attachment and image
// fields, top-level and in sub-table columns, in field order.
func fileRefs(f *Form, rec store.Doc) []fileUse {
	var out []fileUse
	for _, fd := range f.Fields {
		switch {
		case isFileField(fd):
			out = appendRefs(out, fd.Key, fd.Key, fd.Key, rec[fd.Key])
		case fd.Type == "subtable":
			rows, _ := rec[fd.Key].([]any)
			for i, row := range rows {
				m, _ := row.(map[string]any)
				for _, col := range fd.Fields {
					if isFileField(col) && m != nil {
						p := fd.Key + "[" + strconv.Itoa(i) + "]." + col.Key
						out = appendRefs(out, fd.Key, p, fd.Key+"."+col.Key, m[col.Key])
					}
				}
			}
		}
	}
	return out
}

func appendRefs(out []fileUse, top, path, field string, v any) []fileUse {
	list, _ := v.([]any)
	for i, it := range list {
		if m, ok := it.(map[string]any); ok {
			out = append(out, fileUse{path: path + "[" + strconv.Itoa(i) + "]", field: field, ref: m, top: top})
		}
	}
	return out
}

func isFileField(fd *Field) bool { return fd.Type == "attachment" || fd.Type == "image" }

// setFileIDs keeps rec's SysFiles in step with its file fields: the sorted
// distinct ids, or no SysFiles when there are none.
func setFileIDs(f *Form, rec store.Doc) {
	seen := map[string]bool{}
	var ids []string
	for _, r := range fileRefs(f, rec) {
		if id, ok := r.ref["id"].(string); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		delete(rec, SysFiles)
		return
	}
	sort.Strings(ids)
	list := make([]any, len(ids))
	for i, id := range ids {
		list[i] = id
	}
	rec[SysFiles] = list
}

// filesUpdate adds the change of SysFiles between cur and next to a patch.
func filesUpdate(up *store.Patch, cur, next store.Doc) {
	if sameJSON(cur[SysFiles], next[SysFiles]) {
		return
	}
	if v, ok := next[SysFiles]; ok {
		up.Set[SysFiles] = v
	} else {
		up.Unset = append(up.Unset, SysFiles)
	}
}

// checkFiles reports the references in rec (only those under the top-level
// keys in changed, unless changed is nil) whose file does not exist, was
// uploaded for another app, form or field, or differs in size, type or
// digest from what was uploaded. Each is reported at its path.
func checkFiles(ctx context.Context, ops store.Ops, f *Form, rec store.Doc, changed map[string]bool, lang string) ([]errs.FieldError, error) {
	var refs []fileUse
	var ids []query.Value
	seen := map[string]bool{}
	for _, r := range fileRefs(f, rec) {
		if changed != nil && !changed[r.top] {
			continue
		}
		id, _ := r.ref["id"].(string)
		refs = append(refs, r)
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, query.Str(id))
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	found := map[string]store.Doc{}
	if len(ids) > 0 {
		docs, err := ops.Find(ctx, FilesCollection, store.Query{Filter: query.And(
			&query.Node{Op: query.OpIn, Field: fID, Values: ids},
			query.Eq(query.Field{Path: "app", Kind: query.KindString}, query.Str(f.App)),
			query.Eq(query.Field{Path: "form", Kind: query.KindString}, query.Str(f.Key)),
		), Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if id, ok := d[SysID].(string); ok {
				found[id] = d
			}
		}
	}
	var fe []errs.FieldError
	for _, r := range refs {
		id, _ := r.ref["id"].(string)
		d := found[id]
		switch {
		case d == nil || d["field"] != r.field:
			fe = append(fe, fieldErr(lang, r.path+".id", "record.file_not_found", id))
		case !sameJSON(d["size"], r.ref["size"]) || d["sha256"] != r.ref["sha256"] || d["contentType"] != r.ref["contentType"]:
			fe = append(fe, fieldErr(lang, r.path, "record.file_mismatch", id))
		}
	}
	return fe, nil
}

// changedFileKeys are the top-level keys whose value differs between cur
// and next, for checkFiles on a patch: an unchanged reference was checked
// when it was written.
func changedFileKeys(f *Form, cur, next store.Doc) map[string]bool {
	out := map[string]bool{}
	for _, fd := range f.Fields {
		if !sameJSON(cur[fd.Key], next[fd.Key]) {
			out[fd.Key] = true
		}
	}
	return out
}

// FileUpload returns the limits of the file field at path for p's upload
// to app/form: p needs the create or the update right on the form and may
// write the field.
func (r *Records) FileUpload(ctx context.Context, p *auth.Principal, app, form, path string) (FileLimits, error) {
	d, err := r.decide(ctx, p, app, form, access.Create)
	if errs.ClassOf(err) == errs.Forbidden {
		d, err = r.decide(ctx, p, app, form, access.Update)
	}
	if err != nil {
		return FileLimits{}, err
	}
	f, err := r.Form(ctx, app, form)
	if err != nil {
		return FileLimits{}, err
	}
	lim, ok := f.FileField(path)
	if !ok {
		return FileLimits{}, &errs.Error{Class: errs.Invalid, Code: "file.field", Msg: "field must name an attachment or image field of the form",
			Fields: []errs.FieldError{{Path: "field", Code: "file.field", Message: "not an attachment or image field: " + path}}}
	}
	top, _, _ := strings.Cut(path, ".")
	if err := d.CheckWrite([]string{top}); err != nil {
		return FileLimits{}, err
	}
	return lim, nil
}

// FileReadable checks that p may download file id, uploaded for field of
// app/form: p needs the read right on the form (else 403), the field must
// not be hidden from p, and at least one live record in p's read scope
// must reference the file (else 404 file.not_found, exactly like a
// missing file).
func (r *Records) FileReadable(ctx context.Context, p *auth.Principal, app, form, field, id string) error {
	d, err := r.decide(ctx, p, app, form, access.Read)
	if err != nil {
		return err
	}
	f, err := r.Form(ctx, app, form)
	if err != nil {
		return err
	}
	notFound := &errs.Error{Class: errs.NotFound, Code: "file.not_found", Msg: "the file does not exist"}
	top, _, _ := strings.Cut(field, ".")
	if !d.Readable(top) {
		return notFound
	}
	scope, err := scopeOf(f, d, false)
	if err != nil {
		return err
	}
	n, err := r.reads().Count(ctx, f.Coll, query.And(scope, query.Cmp(fFiles, query.OpContains, query.Str(id))))
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}
