package meta

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
)

// checkRole checks that a role grants each definition at most once, so the
// effective scope and field rules of a grant are never ambiguous.
func checkRole(spec json.RawMessage) []errs.FieldError {
	var r struct {
		Permissions []struct {
			Kind string `json:"kind"`
			Key  string `json:"key"`
		} `json:"permissions"`
	}
	decodeLoose(spec, &r)
	var p problems
	seen := map[string]string{}
	for i, g := range r.Permissions {
		if g.Kind == "" || g.Key == "" {
			continue
		}
		p.unique(seen, g.Kind+"/"+g.Key, fmt.Sprintf("permissions[%d].key", i), "grant")
	}
	return p
}
