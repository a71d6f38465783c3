package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/script"
)

// Checks of flow definitions beyond meta's own (unique states, known
// states in transitions, nothing leaving a final state, ambiguous
// unguarded triggers): what the runtime needs to run a flow, refused on
// save with the path of each mistake rather than failing on a record.
func init() {
	meta.AddCheck(meta.KindFlow, checkStructure)
	meta.AddCrossCheck(meta.KindFlow, checkAgainstForm)
}

type problems []errs.FieldError

func (p *problems) add(path, code, format string, args ...any) {
	*p = append(*p, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// checkStructure checks the graph and the approvals: every state is
// reachable from the initial one; when the flow has final states, every
// reachable state can still reach one (no cycle without an exit);
// approval states have an approval whose approve and reject triggers
// leave them; return targets exist; SLA calendars are known; step types
// are registered and their configs valid.
func checkStructure(raw json.RawMessage) []errs.FieldError {
	spec, err := decodeSpec(raw)
	if err != nil {
		return nil // the meta-schema reported the shape
	}
	var p problems
	idx := map[string]int{}
	for i, s := range spec.States {
		if _, dup := idx[s.Key]; !dup {
			idx[s.Key] = i
		}
	}
	next := map[string][]string{}
	leaves := map[string]map[string]bool{} // state -> triggers that leave it
	for _, t := range spec.Transitions {
		for _, from := range t.From {
			next[from] = append(next[from], t.To)
			if leaves[from] == nil {
				leaves[from] = map[string]bool{}
			}
			leaves[from][t.Trigger] = true
		}
	}
	for i, s := range spec.States {
		base := fmt.Sprintf("states[%d]", i)
		checkState(&p, base, s, spec, idx, leaves[s.Key])
		next[s.Key] = append(next[s.Key], returnTargets(s)...)
	}
	if _, ok := idx[spec.Initial]; !ok {
		return p // meta reports the unknown initial state
	}
	if st := spec.States[idx[spec.Initial]]; st.Type == TypeApproval {
		p.add("initial", "flow.initial_approval", "the initial state cannot be an approval: a record needs a transition to enter it")
	}
	reach := walk([]string{spec.Initial}, next)
	var finals []string
	prev := map[string][]string{}
	for from, tos := range next {
		for _, to := range tos {
			prev[to] = append(prev[to], from)
		}
	}
	for _, s := range spec.States {
		if s.Type == TypeFinal {
			finals = append(finals, s.Key)
		}
	}
	exits := walk(finals, prev)
	for i, s := range spec.States {
		switch {
		case !reach[s.Key]:
			p.add(fmt.Sprintf("states[%d].key", i), "flow.unreachable_state", "state %q cannot be reached from the initial state %q", s.Key, spec.Initial)
		case len(finals) > 0 && !exits[s.Key]:
			p.add(fmt.Sprintf("states[%d].key", i), "flow.no_exit", "no final state can be reached from state %q: records entering it would never finish", s.Key)
		}
	}
	return p
}

func checkState(p *problems, base string, s StateSpec, spec *Spec, idx map[string]int, leaves map[string]bool) {
	if s.Type == TypeApproval {
		if s.Approval == nil {
			p.add(base+".approval", "flow.approval_required", "an approval state needs an approval (who approves, and how)")
		}
	} else {
		if s.Approval != nil {
			p.add(base+".approval", "flow.not_approval", "only a state of type approval has an approval")
		}
		if s.SLA != nil {
			p.add(base+".sla", "flow.not_approval", "only a state of type approval has an SLA")
		}
	}
	if a := s.Approval; a != nil && s.Type == TypeApproval {
		for _, tr := range []struct{ name, path string }{{a.approveTrigger(), "approve"}, {a.rejectTrigger(), "reject"}} {
			if !leaves[tr.name] {
				p.add(base+".approval."+tr.path, "flow.missing_trigger",
					"no transition fires %q from state %q; the approval needs one to move on", tr.name, s.Key)
			}
		}
		for j, to := range a.ReturnTo {
			path := fmt.Sprintf("%s.approval.returnTo[%d]", base, j)
			if i, ok := idx[to]; !ok {
				p.add(path, "meta.unknown_state", "no state has the key %q", to)
			} else if to == s.Key || spec.States[i].Type == TypeFinal {
				p.add(path, "flow.return_target", "a record can be returned to an earlier, unfinished state, not to %q", to)
			}
		}
		for j, as := range a.Assignees {
			if u := as.Unit; u != nil && (u.Field == "") == (u.ID == "") {
				p.add(fmt.Sprintf("%s.approval.assignees[%d].unit", base, j), "flow.unit_source",
					"name the unit either by a field of the record or by its id, exactly one of them")
			}
		}
	}
	if sla := s.SLA; sla != nil {
		if _, ok := sla.calendar(); !ok {
			p.add(base+".sla.calendar", "flow.unknown_calendar", "no business calendar %q on this server", sla.Calendar)
		}
		if sla.RemindBefore >= sla.Hours && sla.RemindBefore > 0 {
			p.add(base+".sla.remindBefore", "flow.remind_before", "the reminder must come before the deadline (less than %v hours)", sla.Hours)
		}
	}
	for phase, steps := range map[string][]StepSpec{"onEnter": s.OnEnter, "onExit": s.OnExit} {
		for j, st := range steps {
			path := fmt.Sprintf("%s.%s[%d]", base, phase, j)
			typ, ok := stepTypes.Get(st.Type)
			if !ok {
				p.add(path+".type", "flow.unknown_step", "unknown step type %q (known: %v)", st.Type, StepTypes())
				continue
			}
			for _, e := range typ.Check(st.Config) {
				e.Path = joinPath(path+".config", e.Path)
				*p = append(*p, e)
			}
		}
	}
}

// returnTargets are the states an approval may send a record back to.
func returnTargets(s StateSpec) []string {
	if s.Approval == nil {
		return nil
	}
	return s.Approval.ReturnTo
}

// walk returns the states reachable from starts along edges.
func walk(starts []string, edges map[string][]string) map[string]bool {
	seen := map[string]bool{}
	stack := append([]string(nil), starts...)
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s] {
			continue
		}
		seen[s] = true
		stack = append(stack, edges[s]...)
	}
	return seen
}

func joinPath(base, rel string) string {
	if rel == "" {
		return base
	}
	return base + "." + rel
}

// scopeVars stand in for the $user variables a guard filter may use, in
// the shapes the principal gives them (as for role scopes).
var scopeVars = map[string]any{
	"$user.id": "u", "$user.unit": "u", "$user.unitPath": "/u/",
	"$user.units": []any{"u"}, "$user.unitSubtree": []any{"u"}, "$user.positions": []any{"p"},
}

// checkAgainstForm checks a flow against its form and app: the form
// exists; guard filters parse against its fields and guard formulas
// compile; assignee fields are user or org unit fields; record.set steps
// name writable fields; and no other flow of the app runs on the form.
func checkAgainstForm(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	spec, err := decodeSpec(d.Spec)
	if err != nil || spec.Form == "" {
		return nil
	}
	var p problems
	fdef, err := s.Get(ctx, d.App, meta.KindForm, spec.Form)
	if err != nil {
		p.add("spec.form", "flow.unknown_form", "app %q has no form %q", d.App, spec.Form)
		return p
	}
	f, err := form.Compile(fdef)
	if err != nil {
		p.add("spec.form", "flow.unknown_form", "form %q cannot be compiled: %v", spec.Form, err)
		return p
	}
	for i, t := range spec.Transitions {
		base := fmt.Sprintf("spec.transitions[%d].guard", i)
		if t.Guard == nil {
			continue
		}
		if len(t.Guard.Filter) > 0 {
			if _, err := query.ParseFilter(t.Guard.Filter, f.QFields, query.Options{Vars: scopeVars, Root: base + ".filter"}); err != nil {
				p = append(p, fieldErrors(err, base+".filter")...)
			}
		}
		if t.Guard.Formula != "" {
			if _, err := script.CompileFormula(t.Guard.Formula, formulaParams); err != nil {
				p = append(p, fieldErrors(script.AtPath(err, base+".formula"), base+".formula")...)
			}
		}
	}
	for i, st := range spec.States {
		base := fmt.Sprintf("spec.states[%d]", i)
		if st.Approval != nil {
			for j, as := range st.Approval.Assignees {
				path := fmt.Sprintf("%s.approval.assignees[%d]", base, j)
				switch {
				case as.Field != "":
					checkRefField(&p, f, path+".field", as.Field, "user")
				case as.Unit != nil && as.Unit.Field != "":
					checkRefField(&p, f, path+".unit.field", as.Unit.Field, "orgunit")
				}
			}
		}
		for phase, steps := range map[string][]StepSpec{"onEnter": st.OnEnter, "onExit": st.OnExit} {
			for j, sp := range steps {
				if typ, ok := stepTypes.Get(sp.Type); ok && typ.CheckForm != nil {
					for _, e := range typ.CheckForm(f, sp.Config) {
						e.Path = joinPath(fmt.Sprintf("%s.%s[%d].config", base, phase, j), e.Path)
						p = append(p, e)
					}
				}
			}
		}
	}
	others, err := s.List(ctx, d.App, meta.KindFlow)
	if err == nil {
		for _, o := range others {
			if o.Key != d.Key && specForm(o.Spec) == spec.Form {
				p.add("spec.form", "flow.form_taken", "flow %q already runs on form %q; a form has one workflow", o.Key, spec.Form)
			}
		}
	}
	return p
}

func checkRefField(p *problems, f *form.Form, path, key, typ string) {
	fd, ok := f.Field(key)
	if !ok {
		p.add(path, "flow.unknown_field", "form %q has no field %q", f.Key, key)
		return
	}
	if fd.Type != typ {
		p.add(path, "flow.field_type", "field %q is a %s field; a %s field is needed", key, fd.Type, typ)
	}
}

// fieldErrors turns a parse or compile error into field errors under path.
func fieldErrors(err error, path string) []errs.FieldError {
	e, ok := errs.As(err)
	if !ok {
		return []errs.FieldError{{Path: path, Code: "flow.invalid", Message: err.Error()}}
	}
	if len(e.Fields) > 0 {
		out := slices.Clone(e.Fields)
		for i := range out {
			if out[i].Path == "" {
				out[i].Path = path
			}
		}
		return out
	}
	return []errs.FieldError{{Path: path, Code: e.Code, Message: e.Msg}}
}
