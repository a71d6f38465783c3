package form

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// Import. Rows stream from the Sheet (csv.Reader over the upload, or
// excelize's row iterator) in batches of ImportBatchSize; only the batches
// in flight (one written, one read ahead, one waiting) and the hashes of
// the unique values seen so far (import_dups.go) are kept, so memory does
// not grow with the file beyond 16–24 bytes per unique value. A reader
// goroutine (import_read.go) parses the next batch while one is written.
// Each cell goes through its field type's Parse, each row through the
// records service's validation; errors are collected per row with the row
// number (the header is row 1) and the field path. New rows of a batch are
// written in one transaction by the records service's batch create (see
// import_batch.go); rows matched by UpsertBy are patched one by one.
//
// Modes. "skip" writes the good rows and reports the bad ones. "all"
// reads the file twice: first every row is validated as a dry run inside
// rolled-back transactions; if any row fails nothing is written. Then the
// rows are written, batch by batch. A million rows cannot be one
// transaction (it would hold the store's single writer for minutes and
// exceed MongoDB's transaction limits), so all-or-nothing holds against
// the data as validated: if a write fails after validation (another user
// took a unique value in between, the store failed), writing stops there,
// the result's outcome is "partial" and StoppedAt says where; every row
// before that row was written and none after it.

// Import modes.
const (
	ImportAll  = "all"
	ImportSkip = "skip"
)

// Import bounds and steps.
const (
	MaxImportRows       = 1_000_000
	MaxImportColumns    = 500
	ImportBatchSize     = 500
	MaxImportErrors     = 1000
	ImportProgressEvery = 1000
)

// Import outcomes.
const (
	OutcomeDryRun   = "dry_run"  // validated only
	OutcomeWritten  = "written"  // every good row written (mode skip: bad rows skipped)
	OutcomeRejected = "rejected" // mode all: a row failed validation, nothing written
	OutcomePartial  = "partial"  // writing stopped at StoppedAt
)

// ImportOptions tune an import.
type ImportOptions struct {
	Mode   string // ImportAll (default) or ImportSkip
	DryRun bool   // validate every row, write nothing
	// UpsertBy names a unique field (or _id): a row whose value matches a
	// record patches it instead of creating one. Empty cells leave fields
	// as they are.
	UpsertBy string
	// Mapping maps column headers to field keys ("" ignores a column).
	Mapping map[string]string
	Lang    string // "zh-CN" (default) or "en"
	// IP and RequestID go into the audit entries.
	IP, RequestID string
	// Progress, when set, is called every ImportProgressEvery rows and at
	// the end of each phase.
	Progress func(ImportProgress)
}

// ImportProgress counts the rows of the running phase: "validate" (the
// dry run of mode all) or "write".
type ImportProgress struct {
	Phase  string `json:"phase"`
	Rows   int    `json:"rows"`
	OK     int    `json:"ok"`
	Failed int    `json:"failed"`
}

// ImportError is one problem of one row.
type ImportError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ImportResult sums up an import. In a dry run Created and Updated are
// what the import would do.
type ImportResult struct {
	Rows            int            `json:"rows"`
	Created         int            `json:"created"`
	Updated         int            `json:"updated"`
	Failed          int            `json:"failed"`
	Errors          []ImportError  `json:"errors"`
	ErrorsTruncated bool           `json:"errorsTruncated,omitempty"`
	DryRun          bool           `json:"dryRun"`
	Mode            string         `json:"mode"`
	Outcome         string         `json:"outcome"`
	StoppedAt       int            `json:"stoppedAt,omitempty"`
	Columns         []ImportColumn `json:"columns"`
}

// Importer is a prepared import: rights checked, header mapped. Run does it.
type Importer struct {
	r       *Records
	p       *auth.Principal
	f       *Form
	sheet   Sheet
	o       ImportOptions
	lang    string
	dCreate *access.Decision
	dUpdate *access.Decision
	// errCreate and errUpdate refuse the rows needing a right the caller
	// lacks (an upsert may be allowed to update but not to create).
	errCreate, errUpdate error
	cols                 []ImportColumn
	fieldAt              []string          // per column: the field key, or ""
	colOf                map[string]string // field key -> column letter
}

// PrepareImport checks that p may import into form (the import right, and
// create or, with UpsertBy, update), reads the header row and maps the
// columns. Errors are 403, 404, or 400 naming what is wrong with the
// options or the header; no row is read yet. The import right opens the
// feature; what each row may write (row scope, field rules) is decided by
// the create and update rights, exactly as for the same write via the API.
func (r *Records) PrepareImport(ctx context.Context, p *auth.Principal, app, form string, sheet Sheet, o ImportOptions) (*Importer, error) {
	lang := o.Lang
	if lang == "" {
		lang = LangOf(ctx)
	}
	o.Lang = lang
	if _, err := r.decide(ctx, p, app, form, access.Import); err != nil {
		return nil, err
	}
	f, err := r.Form(ctx, app, form)
	if err != nil {
		return nil, err
	}
	switch o.Mode {
	case "":
		o.Mode = ImportAll
	case ImportAll, ImportSkip:
	default:
		return nil, &errs.Error{Class: errs.Invalid, Code: "import.mode", Msg: ioMsg(lang, "import.mode"),
			Fields: []errs.FieldError{ioFieldErr(lang, "mode", "import.mode")}}
	}
	im := &Importer{r: r, p: p, f: f, sheet: sheet, o: o, lang: lang}
	if im.dCreate, im.errCreate = r.decide(ctx, p, app, form, access.Create); im.errCreate != nil && errs.ClassOf(im.errCreate) != errs.Forbidden {
		return nil, im.errCreate
	}
	if k := o.UpsertBy; k != "" {
		fd, ok := f.byKey[k]
		if k != SysID && (!ok || !fd.Unique || f.computed[k] || f.virtual[k]) {
			return nil, &errs.Error{Class: errs.Invalid, Code: "import.upsert_key", Msg: ioMsg(lang, "import.upsert_key"),
				Fields: []errs.FieldError{ioFieldErr(lang, "upsertBy", "import.upsert_key")}}
		}
		if im.dUpdate, im.errUpdate = r.decide(ctx, p, app, form, access.Update); im.errUpdate != nil && errs.ClassOf(im.errUpdate) != errs.Forbidden {
			return nil, im.errUpdate
		}
	}
	if im.dCreate == nil && im.dUpdate == nil {
		return nil, im.errCreate
	}
	header, err := im.header()
	if err != nil {
		return nil, err
	}
	if err := im.mapColumns(header); err != nil {
		return nil, err
	}
	if xs, ok := sheet.(*xlsxSheet); ok {
		pct := map[int]bool{}
		for i, k := range im.fieldAt {
			if fd, ok := f.byKey[k]; ok && fd.Type == "percent" {
				pct[i] = true
			}
		}
		xs.showColumns(pct)
	}
	return im, nil
}

// header reads row 1.
func (im *Importer) header() ([]string, error) {
	rr, err := im.sheet.Rows()
	if err != nil {
		return nil, err
	}
	defer rr.Close()
	cells, _, err := rr.Next()
	var ur *ErrRowUnreadable
	switch {
	case errors.Is(err, io.EOF), err == nil && len(firstHeaders(cells, 1)) == 0:
		return nil, ioErr(im.lang, errs.Invalid, "import.empty")
	case errors.As(err, &ur):
		e := ioErr(im.lang, errs.Invalid, "import."+im.sheet.Format())
		e.Cause = err
		return nil, e
	}
	return append([]string(nil), cells...), err
}

// Columns tells what became of each column.
func (im *Importer) Columns() []ImportColumn { return append([]ImportColumn(nil), im.cols...) }

// Run imports the rows. The result is returned with an error too, saying
// how far the import got; an error is one of the store or the context,
// never of a row (those are in the result). A real import (not a dry run)
// records the audit entry "record.import" with the counts; each record
// gets its history revision, and each upserted one its "record.update"
// entry, as through the API (see import_batch.go for creates).
func (im *Importer) Run(ctx context.Context) (res *ImportResult, err error) {
	ctx = WithLang(ctx, im.lang)
	res = &ImportResult{Errors: []ImportError{}, DryRun: im.o.DryRun, Mode: im.o.Mode, Columns: im.Columns()}
	if !im.o.DryRun {
		defer func() {
			if aerr := im.audit(ctx, res, err); err == nil {
				err = aerr
			}
		}()
	}
	if im.o.DryRun || im.o.Mode == ImportAll {
		if err := im.pass(ctx, res, "validate", true); err != nil {
			res.Outcome = OutcomeRejected // nothing was written
			if im.o.DryRun {
				res.Outcome = OutcomeDryRun
			}
			return res, err
		}
		switch {
		case im.o.DryRun:
			res.Outcome = OutcomeDryRun
			return res, nil
		case res.Failed > 0:
			res.Created, res.Updated, res.StoppedAt, res.Outcome = 0, 0, 0, OutcomeRejected
			return res, nil
		}
		*res = ImportResult{Errors: []ImportError{}, Mode: im.o.Mode, Columns: res.Columns}
	}
	err = im.pass(ctx, res, "write", false)
	switch {
	case err != nil:
		res.Outcome = OutcomePartial
	case res.Outcome == "":
		res.Outcome = OutcomeWritten
	}
	return res, err
}

// passState is what one reading of the file keeps besides the batch.
type passState struct {
	dry, stop bool // stop: mode all's write phase ends at the first failure
	stopped   bool
	seen      *dupTracker
}

// pass reads every row once, validating (dry) or writing. A reader
// goroutine (import_read.go) parses the next batch, and prepares its
// creates, while this one writes the current one.
func (im *Importer) pass(ctx context.Context, res *ImportResult, phase string, dry bool) error {
	rr, err := im.sheet.Rows()
	if err != nil {
		return err
	}
	defer rr.Close()
	if _, _, err := rr.Next(); err != nil {
		return err
	}
	st := &passState{dry: dry, stop: !dry && im.o.Mode == ImportAll, seen: newDupTracker()}
	reported := 0
	progress := func(force bool) {
		if im.o.Progress != nil && (force || res.Rows/ImportProgressEvery > reported/ImportProgressEvery) {
			reported = res.Rows
			im.o.Progress(ImportProgress{Phase: phase, Rows: res.Rows, OK: res.Created + res.Updated, Failed: res.Failed})
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	batches := make(chan *importBatch, 1)
	go im.read(rctx, rr, batches)
	defer func() {
		// The reader must be done with rr before it is closed.
		cancel()
		for range batches {
		}
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		if len(b.rows) > 0 {
			res.Rows += len(b.rows)
			if err := im.writeBatch(ctx, res, st, b); err != nil {
				return err
			}
			progress(false)
		}
		if b.stop != nil {
			im.stopAt(res, st, b.stop.row, b.stop.fe)
		}
		if st.stopped {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	progress(true)
	return nil
}

// stopAt ends the pass at row with a problem that is not the row's own,
// unless the last batch already stopped it.
func (im *Importer) stopAt(res *ImportResult, st *passState, row int, fe errs.FieldError) {
	if st.stopped {
		return
	}
	st.stopped = true
	res.Failed++
	res.StoppedAt, res.Outcome = row, OutcomePartial
	im.addErrors(res, row, &errs.Error{Class: errs.Invalid, Code: fe.Code, Msg: fe.Message})
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// parseRow turns a row's cells into input values with the field types'
// Parse; cell problems are kept with the row.
func (im *Importer) parseRow(cells []string, row int) *importRow {
	ir := &importRow{row: row, input: make(map[string]any, len(cells))}
	for i, cell := range cells {
		if i >= len(im.fieldAt) || im.fieldAt[i] == "" || strings.TrimSpace(cell) == "" {
			continue
		}
		key := im.fieldAt[i]
		if key == SysID {
			ir.id = strings.TrimSpace(cell)
			continue
		}
		v, bad := im.f.types[key].Parse(Ctx{Lang: im.lang, Path: key}, im.f.byKey[key], cell)
		if len(bad) > 0 {
			ir.fe = append(ir.fe, bad...)
			continue
		}
		if v != nil {
			ir.input[key] = v
		}
	}
	return ir
}

// addErrors reports err at row, one entry per field error; returns false
// when err is no row problem (an internal error ends the import).
func (im *Importer) addErrors(res *ImportResult, row int, err error) bool {
	e, ok := errs.As(err)
	if !ok || e.Class == errs.Internal {
		return false
	}
	add := func(ie ImportError) {
		if len(res.Errors) >= MaxImportErrors {
			res.ErrorsTruncated = true
			return
		}
		res.Errors = append(res.Errors, ie)
	}
	if len(e.Fields) == 0 {
		add(ImportError{Row: row, Code: e.Code, Message: e.Msg})
		return true
	}
	for _, fe := range e.Fields {
		key := fe.Path
		if i := strings.IndexAny(key, ".["); i >= 0 {
			key = key[:i]
		}
		add(ImportError{Row: row, Column: im.colOf[key], Path: fe.Path, Code: fe.Code, Message: fe.Message})
	}
	return true
}

// audit records the import with its counts.
func (im *Importer) audit(ctx context.Context, res *ImportResult, runErr error) error {
	if im.r.audit == nil {
		return nil
	}
	details := map[string]any{"form": im.f.Key, "format": im.sheet.Format(), "mode": im.o.Mode, "rows": res.Rows,
		"created": res.Created, "updated": res.Updated, "failed": res.Failed, "outcome": res.Outcome}
	if im.o.UpsertBy != "" {
		details["upsertBy"] = im.o.UpsertBy
	}
	if runErr != nil {
		code := "internal"
		if e, ok := errs.As(runErr); ok {
			code = e.Code
		}
		details["error"] = code
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return im.r.audit.Record(ctx, auth.Entry{
		Actor: im.p.Actor(), ActorName: actorName(im.p), Action: "record.import", App: im.f.App,
		Target: "form:" + im.f.Key, Details: details, IP: im.o.IP, RequestID: im.o.RequestID,
	})
}

// Messages of imports and exports, zh-CN and English.
var ioMessages = map[string][2]string{
	"import.encoding":         {"文件第 %d 行既不是有效的 UTF-8，也不是 GBK/GB18030 编码；请在 Excel 中另存为“CSV UTF-8”后重试", "line %d of the file is neither valid UTF-8 nor GBK/GB18030; save it as \"CSV UTF-8\" and try again"},
	"import.xlsx":             {"无法读取该 Excel 文件，请确认是未损坏的 .xlsx 文件", "the file is not a readable .xlsx workbook"},
	"import.csv":              {"无法读取该 CSV 文件", "the file is not readable CSV"},
	"import.empty":            {"文件是空的：第 1 行应为表头", "the file is empty: row 1 must hold the column headers"},
	"import.too_many_columns": {"一次最多导入 %d 列", "at most %d columns per import"},
	"import.no_columns":       {"没有一列能对应到表单字段（表头：%s）", "no column matches a field of the form (headers: %s)"},
	"import.duplicate_column": {"%s 列和 %s 列都对应字段 %q", "columns %s and %s both map to field %q"},
	"import.mapping_field":    {"表单中没有字段 %q", "the form has no field %q"},
	"import.mapping_column":   {"文件中没有表头为 %q 的列", "the file has no column headed %q"},
	"import.mode":             {"mode 须为 all 或 skip", "mode must be all or skip"},
	"import.upsert_key":       {"upsertBy 须为表单的唯一字段或 _id", "upsertBy must be a unique field of the form or _id"},
	"import.upsert_column":    {"文件中没有对应 %q 的列", "the file has no column for %q"},
	"import.duplicate":        {"与第 %d 行重复", "the same value as row %d"},
	"import.too_many_rows":    {"一次最多导入 %d 行，从这一行起未导入", "at most %d rows per import; rows from here on were not imported"},
	"import.row_unreadable":   {"无法读取这一行，从这一行起未导入：%s", "this row cannot be read; rows from here on were not imported: %s"},
	"export.too_large":        {"共 %d 行，超过单次导出上限 %d 行，请加筛选条件分批导出", "%d rows exceed the export limit of %d; narrow the filter and export in parts"},
	"export.unknown_field":    {"表单中没有字段 %q", "the form has no field %q"},
}

// ioMsg renders an import/export message in lang.
func ioMsg(lang, code string, args ...any) string {
	return i18n.Message(ioMessages, lang, code, args...)
}

// ioErr builds a coded import/export error in lang.
func ioErr(lang string, class errs.Class, code string, args ...any) *errs.Error {
	return &errs.Error{Class: class, Code: code, Msg: ioMsg(lang, code, args...)}
}

// ioFieldErr builds a field error in lang.
func ioFieldErr(lang, path, code string, args ...any) errs.FieldError {
	return errs.FieldError{Path: path, Code: code, Message: ioMsg(lang, code, args...)}
}
