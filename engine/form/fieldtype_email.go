package form

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// email is an address people actually use: a dot-atom local part and a
// domain of at least two labels. Quoted local parts and IP literals are
// valid RFC 5322 but never seen on a membership form, and accepting them
// would mostly let typos through.
type emailType struct{ typeSpec }

func init() {
	registerType(&emailType{newSpec("email", "邮箱", "Email", "input.email", "contact", `{
  "type": "object",
  "properties": {}
}`, `{"key": "email", "type": "email", "label": {"zh-CN": "邮箱", "en": "Email"}}`)})
}

// Check validates the settings against the schema.
func (t *emailType) Check(f *Field) []errs.FieldError { return checkConfig(t.spec.Key, f) }

// Stored is the address with its domain lowercased.
func (t *emailType) Stored(*Field) Stored { return Stored{Kind: query.KindString} }

// Schema is an email string.
func (t *emailType) Schema(*Field) map[string]any {
	return map[string]any{"type": "string", "format": "email", "maxLength": 254}
}

// Normalize checks the address and lowercases its domain (domains are
// case-insensitive; local parts, in principle, are not).
func (t *emailType) Normalize(c Ctx, _ *Field, v any) (any, []errs.FieldError) {
	s, ok, fe := trimmedText(c, v)
	if fe != nil || !ok {
		return nil, fe
	}
	e, ok := normalizeEmail(s)
	if !ok {
		return nil, []errs.FieldError{c.fail("field.email")}
	}
	return e, nil
}

// Parse takes the cell as is.
func (t *emailType) Parse(_ Ctx, _ *Field, cell string) (any, []errs.FieldError) {
	if s, ok := cellText(cell); ok {
		return s, nil
	}
	return nil, nil
}

// normalizeEmail checks s and returns it with a lowercased domain.
func normalizeEmail(s string) (string, bool) {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || len(s) > 254 {
		return "", false
	}
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > 64 || !dotAtom(local, isAtext) || len(domain) > 253 || !dotAtom(domain, isDomainRune) {
		return "", false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if utf8.RuneCountInString(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 || strings.IndexFunc(tld, unicode.IsDigit) == 0 {
		return "", false
	}
	return local + "@" + domain, true
}

// dotAtom reports whether s is non-empty runs of allowed runes separated
// by single dots.
func dotAtom(s string, allowed func(rune) bool) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if r != '.' && !allowed(r) {
			return false
		}
	}
	return true
}

// isAtext is RFC 5322's atext.
func isAtext(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("!#$%&'*+/=?^_`{|}~-", r))
}

// isDomainRune allows letters of any script (internationalized domains
// such as 例子.中国) besides ASCII letters, digits and hyphens.
func isDomainRune(r rune) bool {
	return r == '-' || r >= '0' && r <= '9' || unicode.IsLetter(r)
}
