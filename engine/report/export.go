package report

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
)

// Exports write results with the records export's table writers
// (engine/form's CSV for Excel and .xlsx): a result as one table, a
// dashboard as a zip of one table per widget. Cells are what people read:
// option labels and record titles for dimensions, amounts in yuan.

// Export formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// tableWriter opens a writer of the format.
func tableWriter(w io.Writer, format, sheet, lang string) (form.TableWriter, error) {
	switch format {
	case FormatCSV:
		return form.NewCSVWriter(w), nil
	case FormatXLSX:
		return form.NewXLSXWriter(w, sheet)
	}
	return nil, coded(lang, errs.Invalid, "export.format")
}

// WriteResult writes a result as one table: the rows, then the others row
// and the total, labelled in the first column.
func WriteResult(w io.Writer, r *Result, format string) error {
	tw, err := tableWriter(w, format, r.Title, r.lang)
	if err != nil {
		return err
	}
	cols := make([]form.ExportColumn, len(r.Columns))
	for i, c := range r.Columns {
		cols[i] = form.ExportColumn{Key: c.Key, Header: c.Label, Kind: cellKind(c)}
	}
	if err := tw.Header(cols); err != nil {
		return err
	}
	row := func(vals map[string]any, label string) error {
		cells := make([]form.Cell, len(r.Columns))
		for i, c := range r.Columns {
			cells[i] = cellOf(c, vals[c.Key])
		}
		if label != "" && len(cells) > 0 && r.Columns[0].Role == RoleDimension {
			cells[0] = form.Cell{Text: label}
		}
		return tw.Row(cells)
	}
	for _, vals := range r.Rows {
		if err := row(vals, ""); err != nil {
			return err
		}
	}
	if r.Others != nil {
		if err := row(r.Others, othersLabel(r)); err != nil {
			return err
		}
	}
	if r.Totals != nil {
		total := "合计"
		if isEnglish(r.lang) {
			total = "Total"
		}
		if err := row(r.Totals, total); err != nil {
			return err
		}
	}
	return tw.Close()
}

func cellKind(c Column) form.CellKind {
	switch {
	case c.Role == RoleDimension:
		return form.CellText
	case c.Format == FormatMoney:
		return form.CellMoney
	case c.Type == "int" || c.Type == "decimal":
		return form.CellNumber
	}
	return form.CellText
}

// cellOf renders one value: a dimension by its label, money in yuan, a
// percentage as its ratio (the sheet formats it), others as they are.
func cellOf(c Column, v any) form.Cell {
	if v == nil {
		return form.Cell{}
	}
	if c.Role == RoleDimension {
		return form.Cell{Text: display(c, v)}
	}
	kind := cellKind(c)
	if kind == form.CellMoney {
		if r := ratOf(v); r != nil {
			return form.Cell{Text: roundText(new(big.Rat).Quo(r, big.NewRat(100, 1)), 2), Kind: kind}
		}
	}
	if kind == form.CellNumber && ratOf(v) == nil {
		kind = form.CellText
	}
	return form.Cell{Text: fmt.Sprint(v), Kind: kind}
}

// ExportDashboard writes a dashboard's widgets as a zip holding one file
// per widget (its results for the filter values), in widget order. A
// widget that failed gets a one-line file saying why.
func (s *Service) ExportDashboard(ctx context.Context, w io.Writer, p *auth.Principal, app, key, format string, req DashboardRequest) error {
	if format != FormatCSV && format != FormatXLSX {
		return coded(req.Lang, errs.Invalid, "export.format")
	}
	data, err := s.RunDashboard(ctx, p, app, key, req)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for i, wd := range data.Widgets {
		name := fmt.Sprintf("%02d-%s.%s", i+1, safeName(wd.Title, wd.ID), format)
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: s.now()})
		if err != nil {
			return err
		}
		if wd.Error != nil {
			if _, err := fmt.Fprintf(f, "%s: %s\r\n", wd.Error.Code, wd.Error.Message); err != nil {
				return err
			}
			continue
		}
		if err := WriteResult(f, wd.Result, format); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	s.auditExport(ctx, p, app, "dashboard:"+key, format, len(data.Widgets))
	return nil
}

// safeName keeps a file name free of path separators and control
// characters.
func safeName(title, fallback string) string {
	if title == "" {
		title = fallback
	}
	out := []rune{}
	for _, r := range title {
		if r < 32 || r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|' {
			r = '_'
		}
		out = append(out, r)
		if len(out) >= 60 {
			break
		}
	}
	return string(out)
}

// auditExport records an export: who took which data out. Exports are
// streamed, so the entry is written when the file is done, without the
// request's cancellation.
func (s *Service) auditExport(ctx context.Context, p *auth.Principal, app, target, format string, rows int) {
	if s.audit == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = s.audit.Record(ctx, auth.Entry{Actor: p.Actor(), ActorName: p.Username, Action: "report.export", App: app,
		Target: target, Details: map[string]any{"format": format, "rows": rows}})
}

// AuditExport records the export of one result (the HTTP layer streams
// it, then calls this).
func (s *Service) AuditExport(ctx context.Context, p *auth.Principal, app string, r *Result, format string) {
	s.auditExport(ctx, p, app, "report:"+r.Report, format, len(r.Rows))
}
