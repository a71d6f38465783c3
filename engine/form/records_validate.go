package form

import (
	"sort"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Validation without JSON Schema: each present value goes through its
// type's Normalize (which checks it and returns the stored form), then the
// record as a whole is checked for required fields. Every problem is
// collected, each with the JSON path of the value, so a form or an
// importer can point at all of them at once.

// normalizeInput checks a client's values (a create's body or a patch) and
// returns them in stored form; a null stays null (absent in a create,
// cleared in a patch). Unknown and system fields are refused, and so are
// computed fields and, unless system is set, fields the form marks
// read-only (engines acting as the system principal maintain those).
func (f *Form) normalizeInput(lang string, input map[string]any, system bool) (store.Doc, []errs.FieldError) {
	out := make(store.Doc, len(input))
	var fe []errs.FieldError
	for _, k := range sortedKeys(input) {
		v := input[k]
		fd, ok := f.byKey[k]
		switch {
		case strings.HasPrefix(k, "_"):
			fe = append(fe, fieldErr(lang, k, "record.system_field"))
			continue
		case !ok:
			fe = append(fe, fieldErr(lang, k, "record.unknown_field", k))
			continue
		case f.computed[k] || f.virtual[k]:
			fe = append(fe, fieldErr(lang, k, "record.computed"))
			continue
		case fd.ReadOnly && !system:
			fe = append(fe, fieldErr(lang, k, "record.readonly"))
			continue
		}
		if v == nil {
			out[k] = nil
			continue
		}
		nv, bad := f.types[k].Normalize(Ctx{Lang: lang, Path: k}, fd, v)
		if len(bad) > 0 {
			fe = append(fe, bad...)
			continue
		}
		out[k] = nv
	}
	return out, fe
}

// checkRequired reports required fields without a value: fields marked
// required, and fields whose requiredWhen condition the record meets. A
// field hidden by its visibleWhen condition is never required (nobody could
// fill it in); computed fields are filled by the engine. Fields already
// reported (a value of the wrong type) are not reported twice.
func (f *Form) checkRequired(lang string, rec store.Doc, reported []errs.FieldError) []errs.FieldError {
	skip := map[string]bool{}
	for _, e := range reported {
		skip[topKey(strings.SplitN(e.Path, "[", 2)[0])] = true
	}
	var fe []errs.FieldError
	for _, fd := range f.Fields {
		k := fd.Key
		if f.computed[k] || f.virtual[k] || skip[k] {
			continue
		}
		req := fd.Required
		if n, ok := f.requiredWhen[k]; ok && !req {
			req = Match(n, rec)
		}
		if !req || !isBlankValue(rec[k]) {
			continue
		}
		if n, ok := f.visibleWhen[k]; ok && !Match(n, rec) {
			continue
		}
		fe = append(fe, fieldErr(lang, k, "record.required"))
	}
	return fe
}

// isBlankValue is what "no value" means for required and inside a sub-table
// row: null, blank text, an empty list or object.
func isBlankValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// sortedKeys lists a map's keys in order, for deterministic errors.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
