package meta

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
)

// checkAutomation checks that action ids, when given, are unique: results
// and retries of an event are recorded per action id.
func checkAutomation(spec json.RawMessage) []errs.FieldError {
	var a struct {
		Actions []struct {
			ID string `json:"id"`
		} `json:"actions"`
	}
	decodeLoose(spec, &a)
	var p problems
	ids := map[string]string{}
	for i, s := range a.Actions {
		p.unique(ids, s.ID, fmt.Sprintf("actions[%d].id", i), "action id")
	}
	return p
}
