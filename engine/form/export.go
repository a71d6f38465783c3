package form

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// Export. Rows come from List, page by page (MaxPageSize rows and the
// keyset cursor), so an export sees exactly what the caller's list would:
// the row scope, the view, the filter, hidden fields removed and masked
// ones masked. Each page is rendered and written before the next is read,
// so memory does not grow with the number of rows. The export right is
// needed on top of read; where the roles granting it restrict more than
// the read roles (a narrower scope, a field masked), that applies too.

// MaxExportRows bounds one export. It is checked with a count before the
// first byte is sent (a CSV cannot carry an error once it has started),
// and it keeps an .xlsx under Excel's 1,048,576 rows.
const MaxExportRows = 1_000_000

// ExportQuery selects what to export and how.
type ExportQuery struct {
	Format string // "csv" or "xlsx", for the audit entry
	Filter []byte // as ListQuery
	Sort   string
	View   string
	Search string
	// Fields are the columns by key (system fields such as _id allowed);
	// empty: the view's columns, else every field the caller may read.
	Fields []string
	// Lang is the language of headers, option labels and 是/否: "zh-CN"
	// (default) or "en".
	Lang string
	// HeaderKeys writes field keys instead of labels in the header.
	HeaderKeys bool
	// IP and RequestID go into the audit entry.
	IP, RequestID string
}

// Exporter is a prepared export: rights checked, query validated, rows
// counted, first page read. Run writes it.
type Exporter struct {
	r      *Records
	p      *auth.Principal
	f      *Form
	q      ExportQuery
	lq     ListQuery
	lang   string
	cols   []ExportColumn
	ed     *access.Decision
	escope *query.Node
	first  Page
	total  int64
	// OnPage, when set, runs after each page is written (the HTTP layer
	// flushes the response and extends its write deadline); an error
	// stops the export.
	OnPage func(rows int) error
}

// PrepareExport checks that p may export form (403 otherwise), validates
// the query exactly as List does (400 on a bad filter, 404 on a missing
// form), refuses more than MaxExportRows rows (413 export.too_large), and
// resolves the columns. Nothing is written until Run.
func (r *Records) PrepareExport(ctx context.Context, p *auth.Principal, app, form string, q ExportQuery) (*Exporter, error) {
	lang := q.Lang
	if lang == "" {
		lang = LangOf(ctx)
	}
	ctx = WithLang(ctx, lang)
	ed, err := r.decide(ctx, p, app, form, access.Export)
	if err != nil {
		return nil, err
	}
	f, err := r.Form(ctx, app, form)
	if err != nil {
		return nil, err
	}
	rd, err := r.decide(ctx, p, app, form, access.Read)
	if err != nil {
		return nil, err
	}
	x := &Exporter{r: r, p: p, f: f, q: q, lang: lang, ed: ed}
	if x.escope, err = ed.Filter(f.QFields); err != nil {
		return nil, err
	}
	x.lq = ListQuery{Filter: q.Filter, Sort: q.Sort, Limit: MaxPageSize, View: q.View, Search: q.Search, Count: true}
	if x.first, err = r.List(ctx, p, app, form, x.lq); err != nil {
		return nil, err
	}
	x.lq.Count = false
	if x.first.Total != nil {
		x.total = *x.first.Total
	}
	if x.total > MaxExportRows {
		return nil, ioErr(lang, errs.TooLarge, "export.too_large", x.total, MaxExportRows)
	}
	keys := q.Fields
	if len(keys) == 0 && q.View != "" {
		v, err := r.view(ctx, f, q.View, p.Vars(), lang)
		if err != nil {
			return nil, err
		}
		for _, c := range v.columns {
			keys = append(keys, topKey(c))
		}
	}
	if x.cols, err = x.columns(ctx, keys, rd, len(q.Fields) == 0); err != nil {
		return nil, err
	}
	return x, nil
}

// columns resolves the column keys (every field when keys is empty),
// leaving out fields hidden from the caller by either decision: a hidden
// field is absent, not an error, as in a list. An unknown key is a 400
// when the caller named it, and skipped when it comes from the view (a
// view may outlive a field removed from the form).
func (x *Exporter) columns(ctx context.Context, keys []string, rd *access.Decision, fromView bool) ([]ExportColumn, error) {
	if len(keys) == 0 {
		for _, fd := range x.f.Fields {
			keys = append(keys, fd.Key)
		}
	}
	rn := newRenderer(ctx, x.r, x.f.App, x.lang)
	var out []ExportColumn
	var fe []errs.FieldError
	seen := map[string]bool{}
	for i, k := range keys {
		k = strings.TrimSpace(k)
		if seen[k] {
			continue
		}
		seen[k] = true
		col := ExportColumn{Key: k}
		if fd, ok := x.f.byKey[k]; ok {
			if rd.Field(k).Rule == access.Hidden || x.ed.Field(k).Rule == access.Hidden {
				continue
			}
			col.Header = labelText(fd.Label, x.lang, k)
			col.render, col.Kind = rn.field(x.f, fd, 0)
		} else if names, ok := systemLabels[k]; ok {
			col.Header = names[0]
			if isEnglish(x.lang) {
				col.Header = names[1]
			}
			col.render, col.Kind = rn.system(k)
		} else {
			if !fromView {
				fe = append(fe, ioFieldErr(x.lang, "fields["+strconv.Itoa(i)+"]", "export.unknown_field", k))
			}
			continue
		}
		if x.q.HeaderKeys {
			col.Header = k
		}
		out = append(out, col)
	}
	if len(fe) > 0 {
		return nil, &errs.Error{Class: errs.Invalid, Code: fe[0].Code, Msg: fe[0].Message, Fields: fe}
	}
	return out, nil
}

// systemLabels are the headers of the system fields an export may name,
// zh-CN and en; imports recognize them too.
var systemLabels = map[string][2]string{
	SysID: {"记录ID", "Record ID"}, SysVersion: {"版本", "Version"},
	SysCreatedAt: {"创建时间", "Created at"}, SysUpdatedAt: {"更新时间", "Updated at"},
	SysCreatedBy: {"创建人", "Created by"}, SysUpdatedBy: {"更新人", "Updated by"},
	SysState: {"流程状态", "Workflow state"},
}

// Total is the number of rows counted when the export was prepared.
func (x *Exporter) Total() int64 { return x.total }

// Columns are the export's columns, in order.
func (x *Exporter) Columns() []ExportColumn { return append([]ExportColumn(nil), x.cols...) }

// FileName names the file: the form's title in the export's language and
// the time, e.g. "会员-20261123-143000.csv". ASCIIName is the fallback for
// clients without RFC 5987 support.
func (x *Exporter) FileName(ext string) (name, ascii string) {
	stamp := x.r.now().In(query.DefaultLocation).Format("20060102-150405")
	title := strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`\/:*?"<>|`, r) {
			return '_'
		}
		return r
	}, labelText(x.f.Title, x.lang, x.f.Key))
	return title + "-" + stamp + "." + ext, x.f.Key + "-" + stamp + "." + ext
}

// Title is the form's title in the export's language (an .xlsx sheet name).
func (x *Exporter) Title() string { return labelText(x.f.Title, x.lang, x.f.Key) }

// Run writes the header and every row to w, page by page, then closes w,
// and records the audit entry "record.export" with the number of rows
// written, whether the export finished or not.
func (x *Exporter) Run(ctx context.Context, w TableWriter) (rows int, err error) {
	ctx = WithLang(ctx, x.lang)
	defer func() {
		if aerr := x.audit(ctx, rows, err); err == nil {
			err = aerr
		}
	}()
	if err := w.Header(x.cols); err != nil {
		return 0, err
	}
	cells := make([]Cell, len(x.cols))
	page := x.first
	for {
		for _, doc := range page.Items {
			// The export roles' field rules and scope on top of the read
			// roles' (List applied those). A row is matched as the caller
			// sees it, so a scope on a field masked to them excludes the
			// row: closed rather than open.
			x.ed.Read(doc)
			if !Match(x.escope, doc) {
				continue
			}
			if rows >= MaxExportRows {
				return rows, ioErr(x.lang, errs.TooLarge, "export.too_large", rows+1, MaxExportRows)
			}
			for i, c := range x.cols {
				cells[i] = Cell{}
				if v := doc[c.Key]; v != nil {
					cells[i] = c.render(v)
				}
			}
			if err := w.Row(cells); err != nil {
				return rows, err
			}
			rows++
		}
		if err := w.Flush(); err != nil {
			return rows, err
		}
		if x.OnPage != nil {
			if err := x.OnPage(rows); err != nil {
				return rows, err
			}
		}
		if page.Next == "" {
			break
		}
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		x.lq.Cursor = page.Next
		if page, err = x.r.List(ctx, x.p, x.f.App, x.f.Key, x.lq); err != nil {
			return rows, err
		}
	}
	return rows, w.Close()
}

// audit records the export. It runs when the stream has ended, possibly
// after the request's context is gone, so it does not inherit its
// cancellation.
func (x *Exporter) audit(ctx context.Context, rows int, runErr error) error {
	if x.r.audit == nil {
		return nil
	}
	details := map[string]any{"form": x.f.Key, "format": x.q.Format, "rows": rows, "complete": runErr == nil}
	for k, v := range map[string]string{"filter": string(x.q.Filter), "view": x.q.View, "q": x.q.Search, "sort": x.q.Sort} {
		if v != "" {
			details[k] = v
		}
	}
	fields := make([]string, len(x.cols))
	for i, c := range x.cols {
		fields[i] = c.Key
	}
	details["fields"] = fields
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return x.r.audit.Record(ctx, auth.Entry{
		Actor: x.p.Actor(), ActorName: actorName(x.p), Action: "record.export", App: x.f.App,
		Target: "form:" + x.f.Key, Details: details, IP: x.q.IP, RequestID: x.q.RequestID,
	})
}
