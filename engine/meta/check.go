package meta

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
)

// problems collects the findings of a kind's semantic check, with paths
// relative to the spec.
type problems []errs.FieldError

func (p *problems) add(path, code, format string, args ...any) {
	*p = append(*p, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// unique records value at path and reports a duplicate of an earlier one.
// Empty values are skipped: the schema already reports them.
func (p *problems) unique(seen map[string]string, value, path, what string) {
	if value == "" {
		return
	}
	if first, dup := seen[value]; dup {
		p.add(path, "meta.duplicate", "%s %q is already used at %s", what, value, first)
		return
	}
	seen[value] = path
}

// decodeLoose fills v from spec as far as the JSON allows. Type mismatches
// are ignored on purpose: checks run even on specs the schema rejected, and
// the schema has already reported those mismatches with better paths.
func decodeLoose(spec json.RawMessage, v any) {
	_ = json.Unmarshal(spec, v)
}

// stringOrList reads a JSON value that is a string or a list of strings
// (a workflow transition's "from").
type stringOrList []string

// UnmarshalJSON accepts both shapes and ignores anything else.
func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	_ = json.Unmarshal(b, &many)
	*s = many
	return nil
}
