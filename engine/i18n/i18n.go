// Package i18n renders localized messages from small bilingual catalogs.
package i18n

import (
	"fmt"
	"strings"
)

// IsEnglish reports whether lang asks for English messages; any other
// language gets Chinese.
func IsEnglish(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "en") }

// Message renders the message of code in lang from catalog, whose entries
// hold a Chinese and an English format. An unknown code renders as itself.
func Message(catalog map[string][2]string, lang, code string, args ...any) string {
	m, ok := catalog[code]
	if !ok {
		return code
	}
	f := m[0]
	if IsEnglish(lang) {
		f = m[1]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}
