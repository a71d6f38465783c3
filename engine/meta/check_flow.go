package meta

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
)

// checkFlow checks that a workflow's states are unique, that the initial
// state and every transition's from and to name a state, that nothing
// leaves a final state, and that no two unguarded transitions share a
// trigger from the same state (the state machine could not choose).
func checkFlow(spec json.RawMessage) []errs.FieldError {
	var f struct {
		Initial string `json:"initial"`
		States  []struct {
			Key  string `json:"key"`
			Type string `json:"type"`
		} `json:"states"`
		Transitions []struct {
			Trigger string          `json:"trigger"`
			From    stringOrList    `json:"from"`
			To      string          `json:"to"`
			Guard   json.RawMessage `json:"guard"`
		} `json:"transitions"`
	}
	decodeLoose(spec, &f)
	var p problems
	states := map[string]string{}
	final := map[string]bool{}
	for i, s := range f.States {
		p.unique(states, s.Key, fmt.Sprintf("states[%d].key", i), "state")
		final[s.Key] = s.Type == "final"
	}
	if f.Initial != "" && states[f.Initial] == "" {
		p.add("initial", "meta.unknown_state", "no state has the key %q", f.Initial)
	}
	unguarded := map[string]string{}
	for i, t := range f.Transitions {
		path := fmt.Sprintf("transitions[%d]", i)
		for j, from := range t.From {
			fp := path + ".from"
			if len(t.From) > 1 {
				fp = fmt.Sprintf("%s.from[%d]", path, j)
			}
			switch {
			case from == "":
			case states[from] == "":
				p.add(fp, "meta.unknown_state", "no state has the key %q", from)
			case final[from]:
				p.add(fp, "meta.final_state", "state %q is final; no transition may leave it", from)
			}
			if len(t.Guard) > 0 || t.Trigger == "" || from == "" {
				continue
			}
			id := from + "\x00" + t.Trigger
			if first, dup := unguarded[id]; dup {
				p.add(path+".trigger", "meta.ambiguous_trigger",
					"%s also fires %q from state %q without a guard; give one of them a guard", first, t.Trigger, from)
			} else {
				unguarded[id] = path
			}
		}
		if t.To != "" && states[t.To] == "" {
			p.add(path+".to", "meta.unknown_state", "no state has the key %q", t.To)
		}
	}
	return p
}
