package sqlite

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/store"
)

// SQLite's JSONB, written and read in Go. Documents are stored as JSONB
// (format.go); SQLite can make it from JSON text (jsonb(?)) and turn it
// back (json(doc)), but then every insert is a JSON encoding in Go plus a
// parse inside SQLite, and every read a rendering inside SQLite plus a
// parse in Go: together about a third of an insert's CPU and most of a
// read's. The format is simple and documented as stable
// (https://sqlite.org/jsonb.html), so the adapter encodes documents to
// JSONB and decodes JSONB itself.
//
// An element is a header and a payload. The header's first byte holds the
// element type in its low four bits and, in its high four bits, the
// payload size (0-11) or how many bytes after it hold the size (12: 1,
// 13: 2, 14: 4, 15: 8, big-endian). The encoder writes minimal headers,
// as SQLite does, and only the canonical types: NULL, TRUE, FALSE, INT and
// FLOAT (the number's RFC 8259 text, so "10.50" keeps its digits), TEXT (a
// string with nothing to escape), TEXTJ (the JSON-escaped text of a string
// that needs escapes), ARRAY and OBJECT. The decoder also reads TEXTRAW
// (what SQLite writes for SQL text put into a document); the JSON5 types
// (INT5, FLOAT5, TEXT5) only come from JSON5 input, which no write of this
// adapter produces, and are refused.
const (
	jbNull    = 0
	jbTrue    = 1
	jbFalse   = 2
	jbInt     = 3
	jbInt5    = 4
	jbFloat   = 5
	jbFloat5  = 6
	jbText    = 7
	jbTextJ   = 8
	jbText5   = 9
	jbTextRaw = 10
	jbArray   = 11
	jbObject  = 12
)

// maxJSONBDepth is SQLite's own nesting limit (JSON_MAX_DEPTH): deeper
// documents would be stored but every JSON function would refuse them.
const maxJSONBDepth = 1000

var errTooDeep = store.Wrapf(store.ErrInvalid, nil, "the document is nested deeper than %d levels", maxJSONBDepth)

// appendJSONB appends v as a JSONB element. Values other than the JSON
// shapes (nil, bool, string, numbers, json.Number, map[string]any, []any)
// go through encoding/json first, exactly as they did when documents were
// stored as JSON text.
func appendJSONB(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxJSONBDepth {
		return nil, errTooDeep
	}
	switch x := v.(type) {
	case nil:
		return append(dst, jbNull), nil
	case bool:
		if x {
			return append(dst, jbTrue), nil
		}
		return append(dst, jbFalse), nil
	case string:
		return appendJSONBString(dst, x), nil
	case json.Number:
		if !validNumber(string(x)) {
			return nil, store.Wrapf(store.ErrInvalid, nil, "invalid number %q", string(x))
		}
		return appendJSONBNumber(dst, string(x)), nil
	case int:
		return appendJSONBNumber(dst, strconv.Itoa(x)), nil
	case int64:
		return appendJSONBNumber(dst, strconv.FormatInt(x, 10)), nil
	case int32:
		return appendJSONBNumber(dst, strconv.FormatInt(int64(x), 10)), nil
	case uint64:
		return appendJSONBNumber(dst, strconv.FormatUint(x, 10)), nil
	case float64:
		s, err := floatText(x, 64)
		if err != nil {
			return nil, err
		}
		return appendJSONBNumber(dst, s), nil
	case map[string]any:
		return appendJSONBObject(dst, x, depth)
	case []any:
		start, dst := len(dst), reserveHeader(dst)
		for _, e := range x {
			var err error
			if dst, err = appendJSONB(dst, e, depth+1); err != nil {
				return nil, err
			}
		}
		return finishHeader(dst, start, jbArray), nil
	case []string:
		start, dst := len(dst), reserveHeader(dst)
		for _, e := range x {
			dst = appendJSONBString(dst, e)
		}
		return finishHeader(dst, start, jbArray), nil
	}
	// Anything else (structs, times, typed slices and maps, pointers,
	// json.RawMessage, other number types): its JSON, read back as plain
	// values.
	plain, err := viaJSON(v)
	if err != nil {
		return nil, err
	}
	return appendJSONB(dst, plain, depth)
}

func appendJSONBObject(dst []byte, m map[string]any, depth int) ([]byte, error) {
	// Keys in order, as encoding/json writes them: the stored bytes of a
	// value do not depend on map order, so equal objects compare equal in
	// SQL (filters, unique indexes on object values).
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	start, dst := len(dst), reserveHeader(dst)
	for _, k := range keys {
		dst = appendJSONBString(dst, k)
		var err error
		if dst, err = appendJSONB(dst, m[k], depth+1); err != nil {
			return nil, err
		}
	}
	return finishHeader(dst, start, jbObject), nil
}

func viaJSON(v any) (any, error) {
	raw, err := marshalJSON(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, store.Wrapf(store.ErrInvalid, err, "the document cannot be stored as JSON")
	}
	return out, nil
}

// floatText is a float's JSON text as encoding/json writes it.
func floatText(f float64, bits int) (string, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "", store.Wrapf(store.ErrInvalid, nil, "the document cannot be stored as JSON: %v is no JSON number", f)
	}
	abs, format := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, bits)
	if format == 'e' {
		// "1e-07" becomes "1e-7", as in encoding/json.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b), nil
}

// validNumber reports whether s is an RFC 8259 number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// appendJSONBNumber writes valid number text as INT or FLOAT, as SQLite
// classifies it.
func appendJSONBNumber(dst []byte, s string) []byte {
	t := byte(jbInt)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '.' || c == 'e' || c == 'E' {
			t = jbFloat
			break
		}
	}
	dst = appendHeader(dst, t, len(s))
	return append(dst, s...)
}

// appendJSONBString writes s as TEXT, or as TEXTJ with JSON escapes when
// it holds a quote, a backslash, a control character or invalid UTF-8
// (replaced by U+FFFD, as encoding/json does).
func appendJSONBString(dst []byte, s string) []byte {
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			plain = false
		}
	}
	if plain {
		dst = appendHeader(dst, jbText, len(s))
		return append(dst, s...)
	}
	start, dst := len(dst), reserveHeader(dst)
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return finishHeader(dst, start, jbTextJ)
}

// appendHeader writes the minimal header of an element of type t with a
// payload of n bytes.
func appendHeader(dst []byte, t byte, n int) []byte {
	switch {
	case n <= 11:
		return append(dst, byte(n)<<4|t)
	case n <= 0xff:
		return append(dst, 12<<4|t, byte(n))
	case n <= 0xffff:
		return append(dst, 13<<4|t, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(dst, 14<<4|t), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 15<<4|t), uint64(n))
}

// maxHeader is the longest header; reserveHeader leaves room for it before
// a payload whose size is not known yet, and finishHeader writes the
// minimal header and moves the payload up against it.
const maxHeader = 9

func reserveHeader(dst []byte) []byte {
	return append(dst, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

func finishHeader(dst []byte, start int, t byte) []byte {
	n := len(dst) - start - maxHeader
	var h [maxHeader]byte
	hdr := appendHeader(h[:0], t, n)
	copy(dst[start:], hdr)
	if len(hdr) < maxHeader {
		copy(dst[start+len(hdr):], dst[start+maxHeader:])
		dst = dst[:len(dst)-(maxHeader-len(hdr))]
	}
	return dst
}

// errBadJSONB is a stored document the decoder cannot read.
var errBadJSONB = errors.New("sqlite: malformed or unsupported JSONB")

// jsonbReader decodes one JSONB value into the port's plain values, every
// number a json.Number. s is b as one string: texts, keys and numbers are
// slices of it, so a document costs one copy of its bytes instead of one
// allocation per text (reads are most of a request's decoding; the
// strings keep the document's bytes alive only as long as the document).
type jsonbReader struct {
	b []byte
	s string
}

// header reads the element at i: its type, payload start and end.
func (r *jsonbReader) header(i int) (t byte, start, end int, err error) {
	if i >= len(r.b) {
		return 0, 0, 0, errBadJSONB
	}
	t, sz := r.b[i]&0x0f, int(r.b[i]>>4)
	var n uint64
	switch {
	case sz <= 11:
		n, start = uint64(sz), i+1
	case sz == 12 && i+2 <= len(r.b):
		n, start = uint64(r.b[i+1]), i+2
	case sz == 13 && i+3 <= len(r.b):
		n, start = uint64(binary.BigEndian.Uint16(r.b[i+1:])), i+3
	case sz == 14 && i+5 <= len(r.b):
		n, start = uint64(binary.BigEndian.Uint32(r.b[i+1:])), i+5
	case sz == 15 && i+9 <= len(r.b):
		n, start = binary.BigEndian.Uint64(r.b[i+1:]), i+9
	default:
		return 0, 0, 0, errBadJSONB
	}
	if n > uint64(len(r.b)-start) {
		return 0, 0, 0, errBadJSONB
	}
	return t, start, start + int(n), nil
}

// value decodes the element at i and returns where the next one starts.
func (r *jsonbReader) value(i, depth int) (any, int, error) {
	if depth > maxJSONBDepth {
		return nil, 0, errBadJSONB
	}
	t, start, end, err := r.header(i)
	if err != nil {
		return nil, 0, err
	}
	switch t {
	case jbNull:
		return nil, end, nil
	case jbTrue:
		return true, end, nil
	case jbFalse:
		return false, end, nil
	case jbInt, jbFloat:
		return json.Number(r.s[start:end]), end, nil
	case jbText, jbTextRaw:
		return r.s[start:end], end, nil
	case jbTextJ:
		s, err := r.unescape(start, end)
		return s, end, err
	case jbArray:
		out := make([]any, 0, r.count(start, end))
		for j := start; j < end; {
			var v any
			if v, j, err = r.value(j, depth+1); err != nil {
				return nil, 0, err
			}
			out = append(out, v)
		}
		return out, end, nil
	case jbObject:
		out, err := r.object(start, end, depth)
		return out, end, err
	}
	return nil, 0, errBadJSONB // the JSON5 types and reserved ones
}

// count is how many elements lie between start and end (a container's
// payload), so a list or map is allocated once at its size; a malformed
// payload counts what it can and fails when decoded.
func (r *jsonbReader) count(start, end int) int {
	n := 0
	for j := start; j < end; n++ {
		_, _, next, err := r.header(j)
		if err != nil {
			break
		}
		j = next
	}
	return n
}

func (r *jsonbReader) object(start, end, depth int) (map[string]any, error) {
	out := make(map[string]any, r.count(start, end)/2)
	for j := start; j < end; {
		if depth+1 > maxJSONBDepth {
			return nil, errBadJSONB
		}
		t, ks, ke, err := r.header(j)
		if err != nil {
			return nil, err
		}
		var key string
		switch t {
		case jbText, jbTextRaw:
			key = r.s[ks:ke]
		case jbTextJ:
			if key, err = r.unescape(ks, ke); err != nil {
				return nil, err
			}
		default:
			return nil, errBadJSONB
		}
		var v any
		if v, j, err = r.value(ke, depth+1); err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// unescape is the text of the TEXTJ payload from start to end.
func (r *jsonbReader) unescape(start, end int) (string, error) {
	if strings.IndexByte(r.s[start:end], '\\') < 0 {
		return r.s[start:end], nil
	}
	return unescapeJSON(r.b[start:end])
}

// unescapeJSON turns the body of a JSON string (escapes and all, without
// the quotes) into its text.
func unescapeJSON(p []byte) (string, error) {
	if bytes.IndexByte(p, '\\') < 0 {
		return string(p), nil
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i >= len(p) {
			return "", errBadJSONB
		}
		switch p[i] {
		case '"', '\\', '/':
			out = append(out, p[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(p, i+1)
			if !ok {
				return "", errBadJSONB
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a lone half is U+FFFD, as in
				// encoding/json.
				if r2, ok := hex4(p, i+3); ok && i+2 < len(p) && p[i+1] == '\\' && p[i+2] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errBadJSONB
		}
	}
	return string(out), nil
}

func hex4(p []byte, i int) (rune, bool) {
	if i+4 > len(p) {
		return 0, false
	}
	var r rune
	for _, c := range p[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
