package form

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/tangram/tangram/engine/errs"
)

// CSV for imports and exports. Spreadsheets are the other side of every
// CSV here, so the dialect is Excel's: exports start with a UTF-8 byte
// order mark (without it Excel on Chinese Windows reads UTF-8 as GBK and
// shows mojibake) and end lines with CRLF; imports accept what Excel saves
// on a Chinese system — "CSV" in GBK/GB18030, "CSV UTF-8" with its BOM,
// "Unicode text" in UTF-16 with tabs — and find out which by reading the
// bytes, since the upload carries no charset.

// Sheet is an uploaded table: a CSV file or the first sheet of an .xlsx
// workbook. Rows may be called more than once, each time reading from the
// header again: an all-or-nothing import validates every row before it
// writes any, without keeping the rows in memory.
type Sheet interface {
	// Format is "csv" or "xlsx".
	Format() string
	// Rows starts reading the table at its first row, the header.
	Rows() (RowReader, error)
	// Close releases what opening the sheet took (temporary files).
	Close() error
}

// RowReader reads the rows of a sheet in order.
type RowReader interface {
	// Next returns the next row's cells and its row number as a
	// spreadsheet shows it (1-based; blank lines count), or io.EOF.
	Next() (cells []string, row int, err error)
	Close() error
}

// csvSheet is a CSV upload whose encoding and delimiter are known.
type csvSheet struct {
	src   io.ReaderAt
	size  int64
	skip  int64             // bytes of a UTF-8 byte order mark
	enc   encoding.Encoding // nil for UTF-8
	comma rune
}

// OpenCSV reads a CSV upload once to find its encoding (UTF-8 with or
// without a byte order mark, UTF-16 with one, else GB18030, which contains
// GBK) and its delimiter, and returns it as a Sheet. Bytes that fit none of
// these are a 400 import.encoding naming the first bad line, before a
// single row is imported.
func OpenCSV(src io.ReaderAt, size int64, lang string) (Sheet, error) {
	s := &csvSheet{src: src, size: size, comma: ','}
	head := make([]byte, 3)
	n, _ := src.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		s.skip = 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		s.enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	}
	if s.enc == nil {
		var sc utf8Scan
		if _, err := io.Copy(&sc, io.NewSectionReader(src, s.skip, size-s.skip)); err != nil {
			return nil, err
		}
		sc.end()
		switch {
		case sc.firstBad == 0:
		case s.skip > 0 || sc.mbLines > sc.badLines:
			// A byte order mark says UTF-8, and so do more lines of valid
			// multi-byte text than invalid ones (GBK Chinese is almost never
			// valid UTF-8): a damaged UTF-8 file, not a GBK one.
			return nil, encodingErr(lang, sc.firstBad)
		default:
			s.enc = simplifiedchinese.GB18030
		}
	}
	if s.enc != nil {
		line, err := s.checkDecoded()
		if err != nil {
			return nil, err
		}
		if line > 0 {
			return nil, encodingErr(lang, line)
		}
	}
	first, err := s.firstLine()
	if err != nil {
		return nil, err
	}
	s.comma = sniffComma(first)
	return s, nil
}

func encodingErr(lang string, line int) error {
	return ioErr(lang, errs.Invalid, "import.encoding", line)
}

// checkDecoded decodes the whole file and returns the first line holding
// an undecodable sequence (the decoder puts U+FFFD there), 0 when none.
func (s *csvSheet) checkDecoded() (int, error) {
	var sc replacementScan
	rd := transform.NewReader(io.NewSectionReader(s.src, 0, s.size), s.enc.NewDecoder())
	if _, err := io.Copy(&sc, rd); err != nil {
		return 0, err
	}
	return sc.firstBad, nil
}

// text returns the decoded content from the start.
func (s *csvSheet) text() io.Reader {
	var rd io.Reader = io.NewSectionReader(s.src, s.skip, s.size-s.skip)
	if s.enc != nil {
		rd = transform.NewReader(rd, s.enc.NewDecoder())
	}
	return rd
}

// firstLine returns the header line, decoded, for delimiter sniffing.
func (s *csvSheet) firstLine() (string, error) {
	br := bufio.NewReaderSize(s.text(), 64<<10)
	line, err := br.ReadSlice('\n')
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", err
	}
	return string(line), nil
}

// sniffComma picks the delimiter that splits the header most: Excel's
// "Unicode text" uses tabs, European locales semicolons, everyone else
// commas. Quoted parts do not count.
func sniffComma(header string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range header {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == '\t' || r == ';'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{'\t', ';'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// Format is "csv".
func (s *csvSheet) Format() string { return "csv" }

// Close does nothing: the upload belongs to the caller.
func (s *csvSheet) Close() error { return nil }

// Rows reads the records from the start of the file.
func (s *csvSheet) Rows() (RowReader, error) {
	cr := csv.NewReader(bufio.NewReaderSize(s.text(), 64<<10))
	cr.Comma = s.comma
	cr.FieldsPerRecord = -1
	// Lenient about stray quotes: a hand-edited file with 5" in a cell
	// should import, not fail at that line.
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvRows{r: cr}, nil
}

// csvRows numbers records as a spreadsheet shows them: the line a record
// starts on, less the line breaks inside quoted cells before it.
type csvRows struct {
	r        *csv.Reader
	embedded int
}

// Next returns the next record; a malformed one is an *ErrRowUnreadable
// error so the importer can report it at its row and go on.
func (c *csvRows) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) && !errors.Is(err, csv.ErrFieldCount) {
		return nil, pe.StartLine - c.embedded, &ErrRowUnreadable{Err: pe}
	}
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	row := line - c.embedded
	for i, cell := range rec {
		c.embedded += strings.Count(cell, "\n")
		rec[i] = unescapeCell(cell)
	}
	return rec, row, nil
}

// Close does nothing.
func (c *csvRows) Close() error { return nil }

// ErrRowUnreadable is a row the file's structure makes unreadable.
type ErrRowUnreadable struct{ Err error }

func (e *ErrRowUnreadable) Error() string { return e.Err.Error() }

func (e *ErrRowUnreadable) Unwrap() error { return e.Err }

// formulaLead are the first characters that make Excel read a CSV cell as
// a formula (CSV injection: a member named "=HYPERLINK(...)" must not
// become a link in the HQ's spreadsheet).
const formulaLead = "=+-@\t\r"

// escapeCell prefixes text a spreadsheet would run as a formula with an
// apostrophe, which Excel shows as text and hides.
func escapeCell(s string) string {
	if s != "" && strings.IndexByte(formulaLead, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// unescapeCell undoes escapeCell on import, so an exported file imports
// back to the same values.
func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaLead, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// utf8Scan checks UTF-8 validity line by line as bytes stream through it,
// counting lines with valid multi-byte text and lines with invalid bytes.
type utf8Scan struct {
	line, firstBad    int
	mbLines, badLines int
	lineMB, lineBad   bool
	carry             []byte
}

func (s *utf8Scan) Write(p []byte) (int, error) {
	buf := p
	if len(s.carry) > 0 {
		buf = append(s.carry, p...)
		s.carry = nil
	}
	for i := 0; i < len(buf); {
		c := buf[i]
		if c < utf8.RuneSelf {
			if c == '\n' {
				s.endLine()
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(buf[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRune(buf[i:]) {
				// A rune cut by the chunk boundary: finish it with the next.
				s.carry = append([]byte(nil), buf[i:]...)
				break
			}
			s.lineBad = true
			i++
			continue
		}
		s.lineMB = true
		i += n
	}
	return len(p), nil
}

// end closes the last line (a cut rune left at the end is invalid).
func (s *utf8Scan) end() {
	if len(s.carry) > 0 {
		s.lineBad = true
	}
	s.endLine()
}

func (s *utf8Scan) endLine() {
	s.line++
	switch {
	case s.lineBad:
		s.badLines++
		if s.firstBad == 0 {
			s.firstBad = s.line
		}
	case s.lineMB:
		s.mbLines++
	}
	s.lineMB, s.lineBad = false, false
}

// replacementScan finds the first line of decoded text holding U+FFFD
// (EF BF BD), which the x/text decoders write for bytes they cannot
// decode; the state carries a partial match across chunks.
type replacementScan struct{ line, firstBad, state int }

func (s *replacementScan) Write(p []byte) (int, error) {
	for _, c := range p {
		if s.firstBad > 0 {
			break
		}
		switch {
		case c == '\n':
			s.line++
			s.state = 0
		case c == 0xEF:
			s.state = 1
		case s.state == 1 && c == 0xBF:
			s.state = 2
		case s.state == 2 && c == 0xBD:
			s.firstBad = s.line + 1
		default:
			s.state = 0
		}
	}
	return len(p), nil
}

// csvTable writes an export as CSV.
type csvTable struct {
	out io.Writer
	w   *csv.Writer
	buf []string
}

// NewCSVWriter returns a TableWriter producing Excel-friendly CSV: UTF-8
// with a byte order mark, CRLF line ends, formula-like text escaped.
func NewCSVWriter(w io.Writer) TableWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &csvTable{out: w, w: cw}
}

// Header writes the byte order mark and the header row.
func (t *csvTable) Header(cols []ExportColumn) error {
	if _, err := io.WriteString(t.out, "\uFEFF"); err != nil {
		return err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = escapeCell(c.Header)
	}
	return t.w.Write(names)
}

// Row writes one record; numbers are written as they are (a negative
// amount is no formula), text is escaped.
func (t *csvTable) Row(cells []Cell) error {
	t.buf = t.buf[:0]
	for _, c := range cells {
		s := c.Text
		if c.Kind == CellText {
			s = escapeCell(s)
		}
		t.buf = append(t.buf, s)
	}
	return t.w.Write(t.buf)
}

// Flush pushes buffered rows to the writer.
func (t *csvTable) Flush() error {
	t.w.Flush()
	return t.w.Error()
}

// Close flushes what is left.
func (t *csvTable) Close() error { return t.Flush() }
