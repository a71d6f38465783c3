package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta/migrate"
)

// ErrInvalid is the code of a definition that fails validation (422); its
// Fields point at every problem by JSON path ("spec.fields[2].type").
var ErrInvalid = errs.New(errs.Unprocessable, "meta.invalid", "the definition is invalid")

// Validate checks a definition as Create and Save do: app and key names,
// schemaVersion, the spec against its kind's meta-schema (after upgrading an
// older format), and the kind's semantic checks. It returns nil or a 422
// error listing every problem. Template tests use it so a template can never
// ship a definition the engine would refuse.
func Validate(d Definition) error {
	_, fe := prepare(d, "")
	return invalid(fe)
}

func invalid(fe []errs.FieldError) error {
	return errs.Validation(errs.Unprocessable, ErrInvalid.Code, ErrInvalid.Msg, fe)
}

// prepare validates d and returns it with its spec upgraded to the kind's
// current schemaVersion and compacted, ready to store. Every problem found
// is returned, each path prefixed with prefix ("definitions[3].").
func prepare(d Definition, prefix string) (Definition, []errs.FieldError) {
	var fe []errs.FieldError
	add := func(path, code, msg string) {
		fe = append(fe, errs.FieldError{Path: prefix + path, Code: code, Message: msg})
	}
	if !ValidKey(d.App) {
		add("app", "meta.bad_name", keyRule)
	}
	if !ValidKey(d.Key) {
		add("key", "meta.bad_name", keyRule)
	} else if d.Kind == KindApp && d.Key != d.App {
		add("key", "meta.app_key", "the key of an app definition is the app's name")
	}
	k, ok := kinds.Get(string(d.Kind))
	if !ok {
		add("kind", "meta.unknown_kind", fmt.Sprintf("unknown kind %q (known: %s)", d.Kind, strings.Join(KindNames(), ", ")))
		return d, fe
	}
	if d.SchemaVersion == 0 {
		d.SchemaVersion = k.SchemaVersion
	}
	if d.SchemaVersion < 0 || d.SchemaVersion > k.SchemaVersion {
		add("schemaVersion", "meta.schema_version", fmt.Sprintf("this server reads %s schemaVersion 1 to %d", d.Kind, k.SchemaVersion))
		return d, fe
	}
	spec, doc, err := decodeSpec(d.Spec)
	if err != nil {
		add("spec", "meta.spec", err.Error())
		return d, fe
	}
	if d.SchemaVersion < k.SchemaVersion {
		if doc, err = migrate.Upgrade(string(d.Kind), d.SchemaVersion, k.SchemaVersion, doc); err != nil {
			add("spec", "meta.migration", err.Error())
			return d, fe
		}
		if spec, err = encodeJSON(doc); err != nil {
			add("spec", "meta.migration", err.Error())
			return d, fe
		}
		d.SchemaVersion = k.SchemaVersion
	}
	d.Spec = spec
	fe = append(fe, schemaErrors(k, spec, doc, prefix+"spec")...)
	checks := []func(json.RawMessage) []errs.FieldError{}
	if k.Check != nil {
		checks = append(checks, k.Check)
	}
	addMu.RLock()
	checks = append(checks, addedChecks[d.Kind]...)
	addMu.RUnlock()
	for _, check := range checks {
		for _, f := range check(spec) {
			f.Path = joinPath(prefix+"spec", f.Path)
			fe = append(fe, f)
		}
	}
	return d, fe
}

const keyRule = "must start with a lowercase letter and contain only lowercase letters, digits, _ and - (at most 63)"

// decodeSpec checks that raw is one JSON object and returns it compacted and
// decoded (numbers as json.Number, so nothing is rounded).
func decodeSpec(raw json.RawMessage) (json.RawMessage, map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil, fmt.Errorf("is required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, fmt.Errorf("is not valid JSON")
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("has trailing data after the JSON value")
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("must be a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, nil, fmt.Errorf("is not valid JSON")
	}
	return buf.Bytes(), doc, nil
}

// encodeJSON marshals without HTML escaping: specs carry scripts and
// formulas whose "<" and "&&" must stay readable in exports.
func encodeJSON(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// joinPath appends a spec-relative path ("fields[2].key", "[0]", "") to base.
func joinPath(base, rel string) string {
	switch {
	case rel == "":
		return base
	case strings.HasPrefix(rel, "["):
		return base + rel
	}
	return base + "." + rel
}

// pathKey renders one object key of a JSON path: ".name" for plain keys,
// `["a.b"]` for keys that would be ambiguous.
func pathKey(k string) string {
	if k == "" || strings.ContainsAny(k, `.[]"' `) {
		b, _ := json.Marshal(k)
		return "[" + string(b) + "]"
	}
	return "." + k
}
