package meta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/xeipuuv/gojsonschema"

	"github.com/tangram/tangram/engine/errs"
)

// checkAction checks that an action's input and output are JSON Schemas
// that compile. Only local references ("#/...") are allowed: compiling a
// schema with a remote $ref would make the server fetch a URL chosen by the
// author, which a definition must never be able to do.
func checkAction(spec json.RawMessage) []errs.FieldError {
	var a struct {
		Input  map[string]any `json:"input"`
		Output map[string]any `json:"output"`
	}
	decodeLoose(spec, &a)
	var p problems
	for _, part := range []struct {
		name   string
		schema map[string]any
	}{{"input", a.Input}, {"output", a.Output}} {
		if part.schema == nil {
			continue
		}
		if ref := remoteRef(part.schema, part.name); ref != "" {
			p.add(ref, "meta.remote_ref", "only local references (#/...) are allowed")
			continue
		}
		sl := gojsonschema.NewSchemaLoader()
		sl.Validate = true
		if _, err := sl.Compile(gojsonschema.NewGoLoader(part.schema)); err != nil {
			p.add(part.name, "meta.json_schema", "is not a valid JSON Schema: %v", err)
		}
	}
	return p
}

// remoteRef returns the path of the first "$ref", "$schema" or "$id" that
// points outside the document, or "". A $schema naming a known draft is
// fine: the validator recognizes those without fetching them.
func remoteRef(v any, path string) string {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedMapKeys(x) {
			s, isStr := x[k].(string)
			switch {
			case k == "$ref" && isStr && !strings.HasPrefix(s, "#"):
				return path + pathKey(k)
			case k == "$id" && isStr:
				return path + pathKey(k)
			case k == "$schema" && isStr && !knownDraft(s):
				return path + pathKey(k)
			}
			if r := remoteRef(x[k], path+pathKey(k)); r != "" {
				return r
			}
		}
	case []any:
		for i, it := range x {
			if r := remoteRef(it, fmt.Sprintf("%s[%d]", path, i)); r != "" {
				return r
			}
		}
	}
	return ""
}

func knownDraft(s string) bool {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "#"), "/")
	switch strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://") {
	case "json-schema.org/draft-04/schema", "json-schema.org/draft-06/schema", "json-schema.org/draft-07/schema":
		return true
	}
	return false
}
