package meta

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
)

// schemaErrors validates doc (spec is its JSON text) against the kind's
// meta-schema and turns each failure into a FieldError whose path is written
// the way the builder addresses a spec: "spec.fields[2].type".
func schemaErrors(k *kindEntry, spec []byte, doc map[string]any, base string) []errs.FieldError {
	res, err := k.schema.Validate(gojsonschema.NewBytesLoader(spec))
	if err != nil {
		return []errs.FieldError{{Path: base, Code: "meta.spec", Message: "is not valid JSON"}}
	}
	if res.Valid() {
		return nil
	}
	var out []errs.FieldError
	list := res.Errors()
	for i := 0; i < len(list); i++ {
		e := list[i]
		// A NUL delimiter keeps keys that contain dots intact.
		ctx := e.Context().String("\x00")
		path := renderPath(base, strings.Split(ctx, "\x00")[1:], doc)
		code, msg := describe(e)
		switch e.Type() {
		case "required", "additional_property_not_allowed":
			if p, ok := e.Details()["property"].(string); ok {
				path += pathKey(p)
			}
		case "invalid_property_name":
			// The validator follows this error with the errors of the
			// name itself (at the object's path, valued with the name):
			// fold them into one message at the name's path.
			p, _ := e.Details()["property"].(string)
			path += pathKey(p)
			for i+1 < len(list) && list[i+1].Context().String("\x00") == ctx && list[i+1].Value() == p {
				i++
				_, why := describe(list[i])
				msg += ": " + why
			}
		}
		out = append(out, errs.FieldError{Path: path, Code: code, Message: msg})
	}
	return dropAlternatives(out)
}

// renderPath walks doc along the validator's context segments so numeric
// segments become "[i]" only where the value really is an array (an object
// key may be all digits).
func renderPath(base string, segs []string, doc any) string {
	var b strings.Builder
	b.WriteString(base)
	cur := doc
	for _, s := range segs {
		switch c := cur.(type) {
		case []any:
			i, err := strconv.Atoi(s)
			if err == nil && i >= 0 && i < len(c) {
				b.WriteString("[" + s + "]")
				cur = c[i]
				continue
			}
			cur = nil
		case map[string]any:
			cur = c[s]
		default:
			cur = nil
		}
		b.WriteString(pathKey(s))
	}
	return b.String()
}

// dropAlternatives removes the generic "matches none of the alternatives"
// error of an anyOf/oneOf when the validator also reported the specific
// errors of the closest alternative at or below the same path: those say
// what to fix, the generic one only repeats that something is wrong.
func dropAlternatives(in []errs.FieldError) []errs.FieldError {
	out := in[:0]
	seen := map[string]bool{}
	for _, f := range in {
		if f.Code == codeAlternatives && hasSpecific(in, f.Path) {
			continue
		}
		if id := f.Path + "\x00" + f.Code + "\x00" + f.Message; !seen[id] {
			seen[id] = true
			out = append(out, f)
		}
	}
	return out
}

func hasSpecific(all []errs.FieldError, path string) bool {
	for _, f := range all {
		if f.Code != codeAlternatives && (f.Path == path || strings.HasPrefix(f.Path, path+".") || strings.HasPrefix(f.Path, path+"[")) {
			return true
		}
	}
	return false
}

const codeAlternatives = "meta.no_alternative"

// patternHelp explains the patterns of the shared meta-schema building
// blocks in words; a raw regular expression means little to a builder user.
var patternHelp = map[string]string{
	`^[A-Za-z][A-Za-z0-9_]{0,63}$`:                             "must start with a letter and contain only letters, digits and _ (at most 64)",
	`^[a-z][a-z0-9_-]{0,62}$`:                                  keyRule,
	`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`:                    "must be a type name: lowercase words joined by dots, like record.create",
	`^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z0-9_]{1,64}){0,7}$`: "must be a field key, or field keys joined by dots",
	`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`:                         "must be a locale such as zh-CN or en",
	`^#[0-9A-Fa-f]{6}$`:                                        "must be a color like #1677ff",
	`^[a-z][a-zA-Z]{0,31}$`:                                    "must be an action name like read or export",
}

// describe gives the stable code and a short message for one failure. The
// path already names the place, so messages do not repeat it.
func describe(e gojsonschema.ResultError) (string, string) {
	d := e.Details()
	switch e.Type() {
	case "required":
		return "meta.required", "is required"
	case "invalid_type":
		return "meta.type", fmt.Sprintf("must be of type %v (got %v)", d["expected"], d["given"])
	case "enum":
		return "meta.enum", fmt.Sprintf("must be one of %v", d["allowed"])
	case "const":
		return "meta.enum", fmt.Sprintf("must be %v", d["allowed"])
	case "pattern":
		if h, ok := patternHelp[fmt.Sprint(d["pattern"])]; ok {
			return "meta.pattern", h
		}
		return "meta.pattern", fmt.Sprintf("must match %v", d["pattern"])
	case "additional_property_not_allowed":
		return "meta.unknown_property", "is not a known property here"
	case "invalid_property_name":
		return "meta.property_name", "is not allowed as a name"
	case "string_gte":
		if fmt.Sprint(d["min"]) == "1" {
			return "meta.length", "must not be empty"
		}
		return "meta.length", fmt.Sprintf("must be at least %v characters", d["min"])
	case "string_lte":
		return "meta.length", fmt.Sprintf("must be at most %v characters", d["max"])
	case "array_min_items":
		return "meta.items", fmt.Sprintf("needs at least %v items", d["min"])
	case "array_max_items":
		return "meta.items", fmt.Sprintf("takes at most %v items", d["max"])
	case "array_min_properties":
		return "meta.items", fmt.Sprintf("needs at least %v entries", d["min"])
	case "unique":
		return "meta.duplicate", fmt.Sprintf("items %v and %v are the same", d["i"], d["j"])
	case "number_gte":
		return "meta.range", fmt.Sprintf("must be at least %v", d["min"])
	case "number_gt":
		return "meta.range", fmt.Sprintf("must be greater than %v", d["min"])
	case "number_lte":
		return "meta.range", fmt.Sprintf("must be at most %v", d["max"])
	case "number_lt":
		return "meta.range", fmt.Sprintf("must be less than %v", d["max"])
	case "format":
		return "meta.format", fmt.Sprintf("must be a valid %v", d["format"])
	case "number_any_of", "number_one_of":
		return codeAlternatives, "does not match any of the allowed forms"
	}
	return "meta.schema", e.Description()
}
