package form

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/query"
)

// Rendering stored values for people, in exports: amounts in yuan, option
// labels instead of codes, 是/否, times in the field's zone. Every rendering
// is one that the same field type's Parse reads back, so an exported file
// imports again unchanged; where a readable form would lose information
// (an address with city codes, sub-table rows, file references) the cell
// holds the value's JSON, which Parse also reads.

// CellKind says how a spreadsheet should hold a cell.
type CellKind int

// Cell kinds: text, a number, an amount of money (a number shown with two
// decimals).
const (
	CellText CellKind = iota
	CellNumber
	CellMoney
)

// Cell is one rendered value.
type Cell struct {
	Text string
	Kind CellKind
}

// ExportColumn is one column of an export: a field (or system field) and
// its header.
type ExportColumn struct {
	Key    string
	Header string
	Kind   CellKind
	render func(v any) Cell
}

// TableWriter receives an export row by row (CSV: NewCSVWriter, .xlsx:
// NewXLSXWriter).
type TableWriter interface {
	Header(cols []ExportColumn) error
	Row(cells []Cell) error
	// Flush pushes what is buffered to the output, where the format allows.
	Flush() error
	// Close ends the file.
	Close() error
}

// renderer renders values of fields in one language.
type renderer struct {
	lang string
	sep  string // between the items of a list value
	// formOf finds a related form for lookups and rollups (nil: none).
	formOf func(key string) *Form
}

func newRenderer(ctx context.Context, r *Records, app, lang string) *renderer {
	sep := "、"
	if isEnglish(lang) {
		sep = ", "
	}
	return &renderer{lang: lang, sep: sep, formOf: func(key string) *Form {
		f, err := r.Form(ctx, app, key)
		if err != nil {
			return nil
		}
		return f
	}}
}

// field returns the rendering of one field of f and the kind of its cells.
// depth stops a lookup of a lookup from following relations further.
func (x *renderer) field(f *Form, fd *Field, depth int) (func(any) Cell, CellKind) {
	switch fd.Type {
	case "money":
		return x.money, CellMoney
	case "number":
		return x.number, CellNumber
	case "percent":
		return func(v any) Cell {
			if n, ok := v.(json.Number); ok {
				return Cell{Text: n.String() + "%"}
			}
			return x.generic(v)
		}, CellText
	case "checkbox":
		return x.generic, CellText
	case "select":
		return func(v any) Cell { return Cell{Text: x.option(fd, v)} }, CellText
	case "multiselect":
		return func(v any) Cell { return x.list(v, func(it any) string { return x.option(fd, it) }) }, CellText
	case "datetime":
		loc := query.DefaultLocation
		if t, ok := f.types[fd.Key].(*datetimeType); ok {
			loc = t.settings(fd).loc
		}
		return func(v any) Cell { return x.datetime(v, loc) }, CellText
	case "user", "orgunit", "relation":
		return func(v any) Cell { return x.list(v, plainText) }, CellText
	case "address":
		return x.address, CellText
	case "geolocation":
		return x.geolocation, CellText
	case "subtable":
		return func(v any) Cell { return Cell{Text: jsonText(subtableInput(fd, v))} }, CellText
	case "formula":
		return x.formula(f, fd)
	case "rollup":
		return x.rollup(f, fd)
	case "lookup":
		if depth == 0 {
			if render, kind, ok := x.lookup(f, fd); ok {
				return render, kind
			}
		}
	}
	return x.generic, CellText
}

// system renders a system field.
func (x *renderer) system(key string) (func(any) Cell, CellKind) {
	switch key {
	case SysCreatedAt, SysUpdatedAt:
		return func(v any) Cell { return x.datetime(v, query.DefaultLocation) }, CellText
	case SysVersion:
		return x.number, CellNumber
	}
	return x.generic, CellText
}

// money renders fen as yuan ("1234" -> "12.34"); an average of amounts
// may hold fractions of a fen and is shifted exactly.
func (x *renderer) money(v any) Cell {
	switch n := v.(type) {
	case int64:
		return Cell{Text: FenToYuan(n), Kind: CellMoney}
	case int:
		return Cell{Text: FenToYuan(int64(n)), Kind: CellMoney}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return Cell{Text: FenToYuan(i), Kind: CellMoney}
		}
		if s, ok := shiftDecimal(n.String(), -2); ok {
			return Cell{Text: s, Kind: CellMoney}
		}
	}
	return x.generic(v) // a masked amount is text
}

func (x *renderer) number(v any) Cell {
	switch n := v.(type) {
	case int64, int, json.Number:
		return Cell{Text: plainText(n), Kind: CellNumber}
	}
	return x.generic(v)
}

// generic renders any stored value: text as is, booleans as 是/否, numbers
// as their text, lists of scalars joined, anything else as JSON.
func (x *renderer) generic(v any) Cell {
	switch t := v.(type) {
	case nil:
		return Cell{}
	case string:
		return Cell{Text: t}
	case bool:
		return Cell{Text: yesNoText(t, x.lang)}
	case int64, int, json.Number:
		return Cell{Text: plainText(t), Kind: CellNumber}
	case []any:
		scalar := true
		for _, it := range t {
			switch it.(type) {
			case map[string]any, []any:
				scalar = false
			}
		}
		if scalar {
			return x.list(t, func(it any) string { return x.generic(it).Text })
		}
	}
	return Cell{Text: jsonText(v)}
}

// list joins the items of a list value (a single value renders alone).
func (x *renderer) list(v any, item func(any) string) Cell {
	items, ok := v.([]any)
	if !ok {
		if v == nil {
			return Cell{}
		}
		return Cell{Text: item(v)}
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = item(it)
	}
	return Cell{Text: strings.Join(parts, x.sep)}
}

// option renders a choice by its label in the language (the code when the
// option is gone from the form).
func (x *renderer) option(fd *Field, v any) string {
	s, ok := v.(string)
	if !ok {
		return x.generic(v).Text
	}
	for _, o := range fd.Options {
		if o.Value == s {
			return labelText(o.Label, x.lang, s)
		}
	}
	return s
}

// datetime renders a stored instant as wall-clock time in loc, which is
// how the datetime type reads a time without an offset.
func (x *renderer) datetime(v any, loc *time.Location) Cell {
	s, ok := v.(string)
	if !ok {
		return x.generic(v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Cell{Text: s}
	}
	layout := "2006-01-02 15:04:05"
	if t.Nanosecond() != 0 {
		layout += ".000"
	}
	return Cell{Text: t.In(loc).Format(layout)}
}

// address renders "广东省 detail" when the address is a province and a
// detail (Parse reads that back); with city or district codes, which have
// no names here, the value's JSON keeps them.
func (x *renderer) address(v any) Cell {
	m, ok := v.(map[string]any)
	if !ok {
		return x.generic(v)
	}
	code, _ := m["province"].(string)
	p, known := provinceByCode[code]
	if m["city"] != nil || m["district"] != nil || !known {
		return Cell{Text: jsonText(m)}
	}
	// Chinese names in either language: they are what Parse recognizes.
	if d, _ := m["detail"].(string); d != "" {
		return Cell{Text: p.Name + " " + d}
	}
	return Cell{Text: p.Name}
}

// geolocation renders "lat,lng" (as map apps copy it); with an accuracy,
// the JSON.
func (x *renderer) geolocation(v any) Cell {
	m, ok := v.(map[string]any)
	if !ok || m["accuracy"] != nil {
		return x.generic(v)
	}
	return Cell{Text: plainText(m["lat"]) + "," + plainText(m["lng"])}
}

// formula renders by the formula's result type.
func (x *renderer) formula(f *Form, fd *Field) (func(any) Cell, CellKind) {
	switch formulaResult(fd) {
	case "money":
		return x.money, CellMoney
	case "number":
		return x.number, CellNumber
	case "datetime":
		return func(v any) Cell { return x.datetime(v, query.DefaultLocation) }, CellText
	}
	return x.generic, CellText
}

// rollup renders amounts when the aggregated child field holds money.
func (x *renderer) rollup(f *Form, fd *Field) (func(any) Cell, CellKind) {
	for _, ru := range f.rollups {
		if ru.key != fd.Key || ru.op == "count" || x.formOf == nil {
			continue
		}
		if child := x.formOf(ru.child); child != nil {
			if cf, ok := child.byKey[ru.field]; ok && holdsMoney(cf) {
				return x.money, CellMoney
			}
		}
	}
	return x.number, CellNumber
}

// lookup renders the looked-up value as the related form's field renders.
func (x *renderer) lookup(f *Form, fd *Field) (func(any) Cell, CellKind, bool) {
	for _, lk := range f.lookups {
		rel, ok := f.relations[lk.relation]
		if lk.key != fd.Key || !ok || x.formOf == nil {
			continue
		}
		tf := x.formOf(rel.target)
		if tf == nil {
			return nil, 0, false
		}
		tfd, ok := tf.byKey[lk.field]
		if !ok {
			return nil, 0, false
		}
		one, kind := x.field(tf, tfd, 1)
		if rel.multiple {
			return func(v any) Cell { return x.list(v, func(it any) string { return one(it).Text }) }, CellText, true
		}
		return one, kind, true
	}
	return nil, 0, false
}

// subtableInput turns stored sub-table rows into the input a create takes
// (amounts back from fen to yuan text), so the cell imports as it was.
func subtableInput(fd *Field, v any) any {
	rows, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(rows))
	for i, r := range rows {
		row, ok := r.(map[string]any)
		if !ok {
			out[i] = r
			continue
		}
		in := make(map[string]any, len(row))
		for k, cv := range row {
			in[k] = cv
		}
		for _, col := range fd.Fields {
			if col.Type != "money" {
				continue
			}
			if cell := (&renderer{}).money(row[col.Key]); cell.Kind == CellMoney {
				in[col.Key] = cell.Text
			}
		}
		out[i] = in
	}
	return out
}

// holdsMoney reports whether a field's values are fen.
func holdsMoney(fd *Field) bool {
	return fd.Type == "money" || fd.Type == "formula" && formulaResult(fd) == "money"
}

// formulaResult is a formula field's result type, read through the type
// so its defaults apply.
func formulaResult(fd *Field) string {
	if t, ok := LookupFieldType("formula"); ok {
		if ft, ok := t.(*formulaType); ok {
			return ft.settings(fd).ResultType
		}
	}
	return "text"
}

// labelText reads a label: a plain string, or one per language (the
// language asked for, else zh-CN, else en, else any); fallback when empty.
func labelText(raw json.RawMessage, lang, fallback string) string {
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return one
	}
	var byLang map[string]string
	if json.Unmarshal(raw, &byLang) != nil || len(byLang) == 0 {
		return fallback
	}
	want := "zh-CN"
	if isEnglish(lang) {
		want = "en"
	}
	for _, k := range []string{lang, want, "zh-CN", "en"} {
		if s := byLang[k]; s != "" {
			return s
		}
	}
	for _, k := range sortedKeys(byLang) {
		if byLang[k] != "" {
			return byLang[k]
		}
	}
	return fallback
}

func yesNoText(b bool, lang string) string {
	switch {
	case isEnglish(lang) && b:
		return "Yes"
	case isEnglish(lang):
		return "No"
	case b:
		return "是"
	}
	return "否"
}

// plainText is a scalar's text.
func plainText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	}
	return jsonText(v)
}

// jsonText is compact JSON without HTML escaping (a spreadsheet is no
// HTML page, and "<" should read as "<").
func jsonText(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// shiftDecimal moves the decimal point of decimal text by places (2:
// times 100, -2: divided by 100), exactly, on the digits.
func shiftDecimal(s string, places int) (string, bool) {
	d, key := parseDecimal(strings.TrimSpace(s), true)
	if key != "" {
		return "", false
	}
	digits, point := d.whole+d.frac, len(d.whole)+places
	for point < 1 {
		digits, point = "0"+digits, point+1
	}
	for point > len(digits) {
		digits += "0"
	}
	out, _ := parseDecimal(digits[:point]+"."+digits[point:], false)
	out.neg = d.neg && out.String() != "0"
	return out.String(), true
}

// exactFloat converts decimal text to float64 when the float holds it
// exactly as a spreadsheet shows it: at most 15 significant digits.
func exactFloat(s string) (float64, bool) {
	d, key := parseDecimal(s, false)
	if key != "" {
		return 0, false
	}
	if len(strings.TrimLeft(d.whole+d.frac, "0")) > 15 {
		return 0, false
	}
	f, err := strconv.ParseFloat(d.String(), 64)
	return f, err == nil
}
