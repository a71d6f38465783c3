package form

import (
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/tangram/tangram/engine/errs"
)

// .xlsx for imports and exports, through excelize: its Rows iterator reads
// a worksheet's XML as a stream (worksheets over UnzipXMLSizeLimit are
// unzipped to a temporary file, not to memory) and its StreamWriter writes
// one the same way, so neither side holds a sheet's rows.

// xlsxUnzipLimit bounds the unzipped size of an uploaded workbook: a zip
// bomb must not fill the disk. Real sheets of a million rows unzip to a
// few hundred megabytes.
const xlsxUnzipLimit = 2 << 30

// xlsxSheet is the first worksheet of an uploaded workbook.
type xlsxSheet struct {
	f     *excelize.File
	sheet string
	// shown lists columns read as displayed rather than as stored: the
	// percent fields' columns, since Excel stores "12.5%" as 0.125 and
	// only the display says it is a percentage.
	shown map[int]bool
}

// OpenXLSX opens an .xlsx upload; a file that is no workbook is a 400
// import.xlsx.
func OpenXLSX(src io.ReaderAt, size int64, lang string) (Sheet, error) {
	f, err := excelize.OpenReader(io.NewSectionReader(src, 0, size), excelize.Options{UnzipSizeLimit: xlsxUnzipLimit})
	if err != nil {
		e := ioErr(lang, errs.Invalid, "import.xlsx")
		e.Cause = err
		return nil, e
	}
	list := f.GetSheetList()
	if len(list) == 0 {
		_ = f.Close()
		return nil, ioErr(lang, errs.Invalid, "import.xlsx")
	}
	return &xlsxSheet{f: f, sheet: list[0]}, nil
}

// Format is "xlsx".
func (s *xlsxSheet) Format() string { return "xlsx" }

// Close removes excelize's temporary files.
func (s *xlsxSheet) Close() error { return s.f.Close() }

// showColumns asks for the displayed value of the given columns.
func (s *xlsxSheet) showColumns(cols map[int]bool) { s.shown = cols }

// Rows iterates the sheet. Cells are read as stored (RawCellValue), which
// keeps amounts and long numbers exact and dates as serial numbers (the
// date types read those); the displayed value of a number depends on the
// cell's format ("12" for 12.34 with format "0") and would change data.
// Columns in shown are read a second time, as displayed, by a second
// iterator kept in step with the first.
func (s *xlsxSheet) Rows() (RowReader, error) {
	raw, err := s.f.Rows(s.sheet)
	if err != nil {
		return nil, err
	}
	x := &xlsxRows{raw: raw, shown: s.shown}
	if len(s.shown) > 0 {
		if x.disp, err = s.f.Rows(s.sheet); err != nil {
			_ = raw.Close()
			return nil, err
		}
	}
	return x, nil
}

// xlsxRows walks every row index of the sheet (missing rows come back
// empty), so the row number is the count of steps.
type xlsxRows struct {
	raw, disp *excelize.Rows
	shown     map[int]bool
	row       int
}

// Next returns the next row's cells.
func (x *xlsxRows) Next() ([]string, int, error) {
	if !x.raw.Next() {
		if err := x.raw.Error(); err != nil {
			return nil, x.row + 1, &ErrRowUnreadable{Err: err}
		}
		return nil, 0, io.EOF
	}
	x.row++
	cells, err := x.raw.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, x.row, &ErrRowUnreadable{Err: err}
	}
	if x.disp != nil && x.disp.Next() {
		shown, err := x.disp.Columns()
		if err != nil {
			return nil, x.row, &ErrRowUnreadable{Err: err}
		}
		// The display only says "this is a percentage" (and rounds:
		// format 0% shows 0.125 as 13%); the value comes from the stored
		// fraction, shifted exactly.
		for i := range x.shown {
			if i < len(cells) && i < len(shown) && strings.HasSuffix(strings.TrimSpace(shown[i]), "%") {
				if pct, ok := shiftDecimal(cells[i], 2); ok {
					cells[i] = pct + "%"
				}
			}
		}
	}
	return cells, x.row, nil
}

// Close closes the iterators' temporary files.
func (x *xlsxRows) Close() error {
	if x.disp != nil {
		_ = x.disp.Close()
	}
	return x.raw.Close()
}

// xlsxTable writes an export as one worksheet.
type xlsxTable struct {
	out    io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	kinds  []CellKind
	header int
	money  int
	vals   []any
}

// maxSheetName is Excel's limit on worksheet names.
const maxSheetName = 31

// NewXLSXWriter returns a TableWriter producing an .xlsx workbook with
// one sheet named after the form. excelize keeps the sheet in a temporary
// file while rows come, and the workbook is written to w on Close.
func NewXLSXWriter(w io.Writer, sheet string) (TableWriter, error) {
	f := excelize.NewFile()
	name := sheetName(sheet)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		_ = f.Close()
		return nil, err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &xlsxTable{out: w, f: f, sw: sw, header: header, money: money}, nil
}

// sheetName makes a valid worksheet name: at most 31 characters, none of
// : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > maxSheetName {
		s = string(r[:maxSheetName])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}

// Header sets the column widths, writes the header row in bold and
// freezes it so it stays visible while scrolling.
func (t *xlsxTable) Header(cols []ExportColumn) error {
	t.kinds = make([]CellKind, len(cols))
	vals := make([]any, len(cols))
	for i, c := range cols {
		t.kinds[i] = c.Kind
		vals[i] = excelize.Cell{StyleID: t.header, Value: c.Header}
	}
	if len(cols) > 0 {
		if err := t.sw.SetColWidth(1, len(cols), 16); err != nil {
			return err
		}
	}
	if err := t.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return t.next(vals)
}

// Row writes one record: numbers as numbers so the sheet can sum them,
// text as text.
func (t *xlsxTable) Row(cells []Cell) error {
	t.vals = t.vals[:0]
	for _, c := range cells {
		t.vals = append(t.vals, t.value(c))
	}
	return t.next(t.vals)
}

// value is the excelize value of a cell. A number goes in as float64 only
// when its text has at most 15 significant digits: that is what an Excel
// cell holds exactly, and the float prints back to the same text
// (excelize formats with strconv 'f', -1). Longer numbers stay text rather
// than be rounded. Amounts get a two-decimal format.
func (t *xlsxTable) value(c Cell) any {
	if c.Kind == CellText || c.Text == "" {
		return c.Text
	}
	f, ok := exactFloat(c.Text)
	if !ok {
		return c.Text
	}
	if c.Kind == CellMoney {
		return excelize.Cell{StyleID: t.money, Value: f}
	}
	return f
}

func (t *xlsxTable) next(vals []any) error {
	t.row++
	cell, err := excelize.CoordinatesToCellName(1, t.row)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, vals)
}

// Flush does nothing: the workbook can only be written whole, on Close.
func (t *xlsxTable) Flush() error { return nil }

// Close ends the sheet, writes the workbook and removes the temporary
// files.
func (t *xlsxTable) Close() error {
	defer t.f.Close()
	if err := t.sw.Flush(); err != nil {
		return err
	}
	return t.f.Write(t.out)
}
