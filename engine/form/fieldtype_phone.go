package form

import (
	"regexp"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// phone is a mainland China phone number. Members are deduplicated by
// phone across stores and channels, so every spelling of one number must
// store the same text: mobiles as their 11 digits, landlines as
// "area-local[-extension]" ("010-12345678", "0571-8888888-123").
type phoneType struct{ typeSpec }

type phoneSettings struct {
	Accept string `json:"accept"` // any (default), mobile, landline
}

func init() {
	registerType(&phoneType{newSpec("phone", "电话", "Phone", "input.phone", "contact", `{
  "type": "object",
  "properties": {
    "accept": {"enum": ["any", "mobile", "landline"], "default": "any", "description": "which numbers are accepted; members usually need a mobile for SMS"},
    "mask": {"type": "string", "maxLength": 32, "description": "display mask for readers without the unmask right, e.g. 138****1234"}
  }
}`, `{"key": "mobile", "type": "phone", "label": {"zh-CN": "手机号", "en": "Mobile"}, "accept": "mobile", "unique": true}`)})
}

func (t *phoneType) settings(f *Field) *phoneSettings {
	return settingsOf[phoneSettings](t.spec.Key, f, nil)
}

// Check validates the settings against the schema.
func (t *phoneType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is the normalized number.
func (t *phoneType) Stored(*Field) Stored { return Stored{Kind: query.KindString} }

// Schema is a normalized mobile or landline number.
func (t *phoneType) Schema(*Field) map[string]any {
	return map[string]any{"type": "string", "pattern": `^(1[3-9]\d{9}|0\d{2,3}-\d{7,8}(-\d{1,6})?)$`}
}

// Normalize strips the spellings around a number and checks it.
func (t *phoneType) Normalize(c Ctx, f *Field, v any) (any, []errs.FieldError) {
	s, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	n, kind := NormalizePhone(s)
	switch accept := t.settings(f).Accept; {
	case kind == "":
		return nil, []errs.FieldError{c.failAs("field.phone", phoneMessage(accept))}
	case accept == "mobile" && kind != "mobile", accept == "landline" && kind != "landline":
		return nil, []errs.FieldError{c.failAs("field.phone", phoneMessage(accept))}
	}
	return n, nil
}

func phoneMessage(accept string) string {
	switch accept {
	case "mobile":
		return "field.phone.mobile"
	case "landline":
		return "field.phone.landline"
	}
	return "field.phone"
}

// Parse takes the cell as is; Normalize reads its spelling.
func (t *phoneType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	if s, ok := cellText(cell); ok {
		return s, nil
	}
	return nil, nil
}

var (
	mobileRe     = regexp.MustCompile(`^1[3-9]\d{9}$`)
	areaRe       = regexp.MustCompile(`^0\d{2,3}$`)
	localRe      = regexp.MustCompile(`^\d{7,8}$`)
	extensionRe  = regexp.MustCompile(`^\d{1,6}$`)
	phoneCleaner = strings.NewReplacer(" ", "", "\u00a0", "", "\u3000", "", "(", "", "（", "", ")", "-", "）", "-",
		"—", "-", "－", "-", "转", "-", ".", "-")
)

// NormalizePhone reads a mainland China phone number in the usual
// spellings (spaces, dashes, brackets, +86/0086/86 prefixes, 转 before an
// extension) and returns its stored form with its kind, "mobile" or
// "landline"; kind is "" when s is no such number. Member deduplication
// and the POS lookup by phone use it to match what fields store.
func NormalizePhone(s string) (normalized, kind string) {
	s = phoneCleaner.Replace(strings.TrimSpace(s))
	intl := false
	for _, p := range []string{"+86", "0086"} {
		if strings.HasPrefix(s, p) {
			s, intl = strings.TrimLeft(s[len(p):], "-"), true
			break
		}
	}
	digits := strings.ReplaceAll(s, "-", "")
	if !intl && len(digits) == 13 && strings.HasPrefix(digits, "86") && mobileRe.MatchString(digits[2:]) {
		return digits[2:], "mobile"
	}
	if mobileRe.MatchString(digits) {
		return digits, "mobile"
	}
	// From abroad a landline is dialled without its trunk 0.
	if intl && s != "" && s[0] != '0' {
		s = "0" + s
	}
	if len(s) < 3 || s[0] != '0' {
		return "", ""
	}
	// Area codes 010 and 02x have three digits; all others have four, so
	// the split is known even when the number is written without a dash.
	n := 4
	if s[1] == '1' || s[1] == '2' {
		n = 3
	}
	if len(s) < n || !areaRe.MatchString(s[:n]) {
		return "", ""
	}
	area, rest := s[:n], strings.TrimPrefix(s[n:], "-")
	parts := strings.Split(rest, "-")
	switch {
	case len(parts) > 2, !localRe.MatchString(parts[0]):
		return "", ""
	case len(parts) == 2 && !extensionRe.MatchString(parts[1]):
		return "", ""
	}
	return area + "-" + strings.Join(parts, "-"), "landline"
}
