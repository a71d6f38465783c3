package form

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// barcode is the value of a scanned or printed code: a product's EAN-13,
// a Code 128 membership card, a QR code's text. The symbology decides what
// the value may hold; "any" (the default) takes letters, digits and -, the
// characters every symbology encodes, so the value can be printed in any.
type barcodeType struct{ typeSpec }

type barcodeSettings struct {
	Symbology string `json:"symbology"`
	MaxLength *int   `json:"maxLength"`
}

const barcodeDefaultMax = 128

var (
	barcodeAnyRe = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	ean13Re      = regexp.MustCompile(`^\d{13}$`)
)

func init() {
	registerType(&barcodeType{newSpec("barcode", "条码/二维码", "Barcode", "input.barcode", "advanced", `{
  "type": "object",
  "properties": {
    "symbology": {"enum": ["any", "ean13", "code128", "qr"], "default": "any", "description": "the code the value is printed as: ean13 checks the check digit, code128 takes printable ASCII, qr any text"},
    "maxLength": {"type": "integer", "minimum": 1, "maximum": 4096, "default": 128, "description": "at most this many characters"},
    "scan": {"type": "boolean", "description": "offer the camera scanner on phones"}
  }
}`, `{"key": "sku", "type": "barcode", "label": {"zh-CN": "商品条码", "en": "Product barcode"}, "symbology": "ean13", "scan": true}`)})
}

func (t *barcodeType) settings(f *Field) *barcodeSettings {
	return settingsOf(t.spec.Key, f, func(s *barcodeSettings) {
		if s.Symbology == "" {
			s.Symbology = "any"
		}
		if s.MaxLength == nil {
			n := barcodeDefaultMax
			s.MaxLength = &n
		}
	})
}

// Check validates the settings against the schema.
func (t *barcodeType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is the code's text.
func (t *barcodeType) Stored(*Field) Stored { return Stored{Kind: query.KindString} }

// Schema is a string.
func (t *barcodeType) Schema(f *Field) map[string]any {
	return map[string]any{"type": "string", "maxLength": *t.settings(f).MaxLength}
}

// Normalize checks the value against the symbology and length.
func (t *barcodeType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	code, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	s := t.settings(f)
	if n := utf8.RuneCountInString(code); n > *s.MaxLength {
		return nil, []errs.FieldError{c.failAs("field.max_length", "field.barcode.length", *s.MaxLength)}
	}
	switch s.Symbology {
	case "ean13":
		if !ean13Re.MatchString(code) {
			return nil, []errs.FieldError{c.failAs("field.barcode", "field.barcode.ean13")}
		}
		if ean13CheckDigit(code[:12]) != code[12] {
			return nil, []errs.FieldError{c.failAs("field.barcode", "field.barcode.digit")}
		}
	case "code128":
		if strings.IndexFunc(code, func(r rune) bool { return r < ' ' || r > '~' }) >= 0 {
			return nil, []errs.FieldError{c.failAs("field.barcode", "field.barcode.text")}
		}
	case "qr":
		if strings.IndexFunc(code, unicode.IsControl) >= 0 {
			return nil, []errs.FieldError{c.failAs("field.barcode", "field.barcode.text")}
		}
	default:
		if !barcodeAnyRe.MatchString(code) {
			return nil, []errs.FieldError{c.fail("field.barcode")}
		}
	}
	return code, nil
}

// ean13CheckDigit computes the check digit of 12 digits: weights 1 and 3
// alternating from the left, then the complement to ten.
func ean13CheckDigit(digits string) byte {
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(digits[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// Parse takes the cell as is (codes keep leading zeros only as text).
func (t *barcodeType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	if s, ok := cellText(cell); ok {
		return s, nil
	}
	return nil, nil
}
