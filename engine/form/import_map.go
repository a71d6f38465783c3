package form

import (
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/errs"
)

// Column mapping. A column's header names its field by key or by label
// (zh-CN or en), compared without case, white space or full-width forms,
// since headers are typed by people ("手机号 ", "Phone", "ＰＨＯＮＥ"); an
// explicit mapping {header: key} wins over both. Columns that match
// nothing are reported, not fatal: spreadsheets carry extra columns.
// Columns of computed or read-only fields, and of fields the caller may
// not write, are reported as ignored rather than failing every row, so an
// exported file (which has them) imports back.

// Column statuses.
const (
	ColumnMapped  = "mapped"
	ColumnUnknown = "unknown"
	ColumnIgnored = "ignored"
)

// ImportColumn is one column of an imported sheet and what became of it.
type ImportColumn struct {
	Column string `json:"column"` // the spreadsheet's letter: A, B, ... AA
	Header string `json:"header"`
	Field  string `json:"field,omitempty"`
	Status string `json:"status"`
	// Reason says why a column is unknown ("ambiguous": the header is the
	// label of several fields) or ignored ("blank", "mapping": mapped to
	// nothing, "system", "computed", "readonly", "not_writable").
	Reason string `json:"reason,omitempty"`
}

// headerKey is the comparable form of a header, key or label.
func headerKey(s string) string {
	s = width.Fold.String(strings.TrimPrefix(s, "\uFEFF"))
	return strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// columnLetter is the spreadsheet name of 0-based column i.
func columnLetter(i int) string {
	s, _ := excelize.ColumnNumberToName(i + 1)
	return s
}

// mapColumns decides the field of every column of the header row.
func (im *Importer) mapColumns(header []string) error {
	f, lang := im.f, im.lang
	if len(header) > MaxImportColumns {
		return ioErr(lang, errs.TooLarge, "import.too_many_columns", MaxImportColumns)
	}
	var fe []errs.FieldError
	explicit := map[string]string{}
	for h, k := range im.o.Mapping {
		_, isField := f.byKey[k]
		if k != "" && !isField && k != SysID {
			fe = append(fe, ioFieldErr(lang, "mapping."+h, "import.mapping_field", k))
		}
		explicit[headerKey(h)] = k
	}
	byKey, byLabel := map[string]string{}, map[string][]string{}
	for _, fd := range f.Fields {
		byKey[headerKey(fd.Key)] = fd.Key
		for _, l := range labelTexts(fd.Label) {
			if n := headerKey(l); n != "" && !contains(byLabel[n], fd.Key) {
				byLabel[n] = append(byLabel[n], fd.Key)
			}
		}
	}
	// System headers come last: a field labelled "版本" keeps its column.
	for k, names := range systemLabels {
		byKey[headerKey(k)] = k
		for _, l := range names {
			if n := headerKey(l); len(byLabel[n]) == 0 {
				byLabel[n] = []string{k}
			}
		}
	}
	used, mappedAt := map[string]bool{}, map[string]int{}
	im.fieldAt = make([]string, len(header))
	im.colOf = map[string]string{}
	for i, h := range header {
		col := ImportColumn{Column: columnLetter(i), Header: strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))}
		n := headerKey(h)
		key, ok := explicit[n]
		switch {
		case ok && n != "":
			used[n] = true
			if key == "" {
				col.Status, col.Reason = ColumnIgnored, "mapping"
			}
		case n == "":
			col.Status, col.Reason = ColumnIgnored, "blank"
		case byKey[n] != "":
			key = byKey[n]
		case len(byLabel[n]) == 1:
			key = byLabel[n][0]
		case len(byLabel[n]) > 1:
			col.Status, col.Reason = ColumnUnknown, "ambiguous"
		default:
			col.Status = ColumnUnknown
		}
		if col.Status == "" {
			col.Field = key
			col.Status, col.Reason = im.columnStatus(key)
		}
		if col.Status == ColumnMapped {
			if j, dup := mappedAt[key]; dup {
				fe = append(fe, ioFieldErr(lang, "header["+col.Column+"]", "import.duplicate_column", columnLetter(j), col.Column, key))
			}
			mappedAt[key] = i
			im.fieldAt[i] = key
			im.colOf[key] = col.Column
		}
		im.cols = append(im.cols, col)
	}
	for h := range im.o.Mapping {
		if n := headerKey(h); !used[n] {
			fe = append(fe, ioFieldErr(lang, "mapping."+h, "import.mapping_column", h))
		}
	}
	if len(fe) > 0 {
		return &errs.Error{Class: errs.Invalid, Code: fe[0].Code, Msg: fe[0].Message, Fields: fe}
	}
	fields := 0
	for k := range mappedAt {
		if k != SysID {
			fields++
		}
	}
	if fields == 0 {
		return ioErr(lang, errs.Invalid, "import.no_columns", strings.Join(firstHeaders(header, 10), ", "))
	}
	if k := im.o.UpsertBy; k != "" {
		if _, ok := mappedAt[k]; !ok {
			return ioErr(lang, errs.Invalid, "import.upsert_column", k)
		}
	}
	return nil
}

// columnStatus says whether a column of field key can be imported.
func (im *Importer) columnStatus(key string) (status, reason string) {
	f := im.f
	if strings.HasPrefix(key, "_") {
		if key == SysID && im.o.UpsertBy == SysID {
			return ColumnMapped, ""
		}
		return ColumnIgnored, "system"
	}
	fd, ok := f.byKey[key]
	switch {
	case !ok: // a mapping naming no field, reported as such
		return ColumnUnknown, ""
	case f.computed[key] || f.virtual[key]:
		return ColumnIgnored, "computed"
	case fd.ReadOnly:
		return ColumnIgnored, "readonly"
	case !im.writable(key):
		return ColumnIgnored, "not_writable"
	}
	return ColumnMapped, ""
}

// writable reports whether the caller may write key when creating or when
// updating (whichever the import may do); the records service still
// checks each row against the one it does.
func (im *Importer) writable(key string) bool {
	for _, d := range []*access.Decision{im.dCreate, im.dUpdate} {
		if d != nil && d.Field(key).Rule == access.Visible {
			return true
		}
	}
	return false
}

// labelTexts lists a label's texts: a plain string, or one per language.
func labelTexts(raw []byte) []string {
	var out []string
	for _, lang := range []string{"zh-CN", "en"} {
		if s := labelText(raw, lang, ""); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func firstHeaders(header []string, n int) []string {
	var out []string
	for _, h := range header {
		if h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")); h != "" && len(out) < n {
			out = append(out, h)
		}
	}
	return out
}
