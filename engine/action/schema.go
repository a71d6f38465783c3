package action

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
)

// validate checks doc (raw is its JSON text) against sc and returns every
// failure as a field error with the JSON path of the offending value
// ("lines[2].amount"; "$" for the whole body), in lang. code is the
// error's code (action.input, action.output). doc may be nil: raw is then
// decoded only when it fails.
func validate(sc *gojsonschema.Schema, raw []byte, doc any, lang, code string) error {
	res, err := sc.Validate(gojsonschema.NewBytesLoader(raw))
	if err != nil {
		return coded(lang, errs.Invalid, "action.malformed")
	}
	if res.Valid() {
		return nil
	}
	if doc == nil {
		doc, _ = decodeJSON(raw) // decoded only to name the paths of errors
	}
	var fe []errs.FieldError
	seen := map[string]bool{}
	for _, e := range res.Errors() {
		// A NUL delimiter keeps keys that contain dots intact.
		segs := strings.Split(e.Context().String("\x00"), "\x00")[1:]
		path := renderPath(segs, doc)
		switch e.Type() {
		case "required", "additional_property_not_allowed":
			if p, ok := e.Details()["property"].(string); ok {
				path = joinKey(path, p)
			}
		}
		c, m := describe(e, lang)
		if path == "" {
			path = "$"
		}
		if id := path + "\x00" + c; !seen[id] {
			seen[id] = true
			fe = append(fe, errs.FieldError{Path: path, Code: c, Message: m})
		}
	}
	return errs.Validation(errs.Unprocessable, code, msg(lang, code), dropAlternatives(fe))
}

// renderPath walks doc along the validator's segments so a numeric
// segment becomes "[i]" only where the value is an array (an object key
// may be all digits).
func renderPath(segs []string, doc any) string {
	path, cur := "", doc
	for _, s := range segs {
		if arr, ok := cur.([]any); ok {
			if i, err := strconv.Atoi(s); err == nil && i >= 0 && i < len(arr) {
				path += "[" + s + "]"
				cur = arr[i]
				continue
			}
		}
		if m, ok := cur.(map[string]any); ok {
			cur = m[s]
		} else {
			cur = nil
		}
		path = joinKey(path, s)
	}
	return path
}

// joinKey appends an object key to a path: ".key", or ["key"] for keys
// that would be ambiguous written plainly.
func joinKey(path, k string) string {
	if k == "" || strings.ContainsAny(k, `.[]"' `) {
		b, _ := json.Marshal(k)
		return path + "[" + string(b) + "]"
	}
	if path == "" {
		return k
	}
	return path + "." + k
}

// dropAlternatives removes the generic "matches none of the forms" error
// of an anyOf/oneOf where the specific errors of the closest form were
// reported at or below the same path: those say what to fix.
func dropAlternatives(in []errs.FieldError) []errs.FieldError {
	out := in[:0:0]
	for _, f := range in {
		if f.Code == "input.alternatives" && hasSpecific(in, f.Path) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func hasSpecific(all []errs.FieldError, path string) bool {
	for _, f := range all {
		if f.Code != "input.alternatives" && (f.Path == path || path == "$" ||
			strings.HasPrefix(f.Path, path+".") || strings.HasPrefix(f.Path, path+"[")) {
			return true
		}
	}
	return false
}

// describe gives the code and message of one failure in lang. The path
// already names the place, so messages do not repeat it.
func describe(e gojsonschema.ResultError, lang string) (string, string) {
	d := e.Details()
	one := func(code string, args ...any) (string, string) { return code, msg(lang, code, args...) }
	switch e.Type() {
	case "required":
		return one("input.required")
	case "invalid_type":
		want := fmt.Sprint(d["expected"])
		if !isEnglish(lang) {
			want = zhTypes(want)
		}
		return one("input.type", want)
	case "enum":
		return one("input.enum", d["allowed"])
	case "const":
		return one("input.const", d["allowed"])
	case "pattern":
		return one("input.pattern")
	case "additional_property_not_allowed":
		return one("input.unknown_property")
	case "string_gte":
		return one("input.min_length", d["min"])
	case "string_lte":
		return one("input.max_length", d["max"])
	case "array_min_items":
		return one("input.min_items", d["min"])
	case "array_max_items":
		return one("input.max_items", d["max"])
	case "unique":
		return one("input.unique")
	case "number_gte":
		return one("input.minimum", d["min"])
	case "number_gt":
		return one("input.exclusive_min", d["min"])
	case "number_lte":
		return one("input.maximum", d["max"])
	case "number_lt":
		return one("input.exclusive_max", d["max"])
	case "multiple_of":
		return one("input.multiple_of", d["multiple"])
	case "format":
		return one("input.format", d["format"])
	case "number_any_of", "number_one_of":
		return one("input.alternatives")
	}
	// Rarer keywords (dependencies, if/then/else, not, ...): the
	// validator's own English description is the best there is.
	return "input.schema", e.Description()
}

// zhTypes renders "integer/number"-style type lists in Chinese.
func zhTypes(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		if n, ok := typeNames[p]; ok {
			parts[i] = n
		}
	}
	return strings.Join(parts, "或")
}
