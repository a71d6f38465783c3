package form

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Storage layout. Each published form keeps its records in a collection of
// its own and its revision history in another, both named from the app and
// form keys; a few shared collections serve every form.
//
// App and form keys match ^[a-z][a-z0-9_-]{0,62}$, store collection names
// ^[A-Za-z][A-Za-z0-9_]{0,119}$. The mapping escapes each key ('_' becomes
// "__", '-' becomes "_d") and joins app and form with "_x_": reading left
// to right, '_' is always followed by '_', 'd' or 'x', so the pair of keys
// can be read back from the name and two forms never share a collection.
// Records go to "r_" + base, history to "h_" + base. A base too long for
// the limit (only with keys near their maximum length) becomes "z" and 40
// hex digits of SHA-256 over "app/form": unique in practice, and never equal
// to a readable base, which always contains "_x_".
const (
	collUnique   = "form_unique"   // claimed values of unique fields
	collCounters = "form_counters" // auto-number counters
	collIdem     = "form_idem"     // idempotency keys of creates
	maxBase      = 117             // 120 minus the "r_"/"h_" prefix, minus one spare
)

// collBase is the injective name part shared by a form's collections.
func collBase(app, form string) string {
	var b strings.Builder
	escapeKey(&b, app)
	b.WriteString("_x_")
	escapeKey(&b, form)
	if b.Len() <= maxBase {
		return b.String()
	}
	sum := sha256.Sum256([]byte(app + "/" + form))
	return "z" + hex.EncodeToString(sum[:20])
}

func escapeKey(b *strings.Builder, key string) {
	for i := 0; i < len(key); i++ {
		switch c := key[i]; c {
		case '_':
			b.WriteString("__")
		case '-':
			b.WriteString("_d")
		default:
			b.WriteByte(c)
		}
	}
}

// RecordsCollection names the collection holding the records of a form.
func RecordsCollection(app, form string) string { return "r_" + collBase(app, form) }

// HistoryCollection names the collection holding a form's record history.
func HistoryCollection(app, form string) string { return "h_" + collBase(app, form) }
