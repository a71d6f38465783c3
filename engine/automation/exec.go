package automation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Exec is what an action runs with.
//
// Config values refer to the run's data by name. A string that is exactly
// "$name.path" is replaced by the value it names (any JSON type); in any
// other string, "{{name.path}}" is replaced by the value as text. Names:
//
//	record      the record the run is about (for record events: as the
//	            event saw it; for scheduled and manual runs: as stored)
//	before      an updated record's changed fields before the change
//	changed     the keys of the changed fields
//	event       the event: id, type, at, actor, form, record, data
//	payload     a webhook's body, a manual trigger's input
//	steps.<id>  the output of an earlier action
//	now, today  the run's time (UTC instant) and date (Asia/Shanghai)
//	occurrence  a scheduled run's occurrence time
//	automation, app, run   keys of the automation, its app, the run id
type Exec struct {
	// Tx is the transaction recording the action's result; nil for
	// Outside actions.
	Tx   store.Ops
	Svc  *Service
	Run  *Run
	Auto *Automation
	// Step is the action's id; Key its idempotency key (run id/step id).
	Step, Key string
	Now       time.Time
	Lang      string
	vars      map[string]any
	recs      *form.TxRecords
	labels    func(name string, v any) string
}

// Principal is who automations act as: the system (they are designed by
// admins; actions that need narrower rights declare runAs).
func (x *Exec) Principal() *auth.Principal { return system() }

// Records is the records service bound to x.Tx.
func (x *Exec) Records() *form.TxRecords {
	if x.recs == nil {
		x.recs = x.Svc.records.In(x.Tx)
	}
	return x.recs
}

// Var returns the value a dotted name refers to.
func (x *Exec) Var(name string) (any, bool) {
	root, rest, _ := strings.Cut(name, ".")
	v, ok := x.vars[root]
	if !ok {
		return nil, false
	}
	if rest == "" {
		return v, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	return query.Lookup(m, rest)
}

// Expand replaces variables in a config value (see Exec).
func (x *Exec) Expand(v any) any {
	switch t := v.(type) {
	case string:
		if name, ok := strings.CutPrefix(t, "$"); ok && varNameRe.MatchString(name) {
			val, _ := x.Var(name)
			return val
		}
		if strings.Contains(t, "{{") {
			return x.Text(t)
		}
		return t
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = x.Expand(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = x.Expand(e)
		}
		return out
	}
	return v
}

// ExpandString expands a string setting and renders the result as text.
func (x *Exec) ExpandString(s string) string { return textOf(x.Expand(s)) }

// Text renders "{{name.path}}" placeholders in s; "{{record.tier|label}}"
// renders a choice field's option label instead of its value (when the
// action set up labels, as message.send does).
func (x *Exec) Text(s string) string {
	return render(s, x.Var, func(name string, v any) string {
		if x.labels != nil {
			return x.labels(name, v)
		}
		return textOf(v)
	})
}

// Render fills "{{name.path}}" placeholders of tpl from vars: the message
// templates of channel plugins ({{to}}, {{text}}, {{data.code}}).
func Render(tpl string, vars map[string]any) string {
	return render(tpl, func(name string) (any, bool) { return query.Lookup(vars, name) }, nil)
}

// render is the one template renderer. Written by hand on purpose: a
// logic-free template (no loops, calls or conditions) is what HQ staff
// can edit safely, and what text/template would not guarantee. A
// placeholder naming nothing renders as ""; "|label" asks label for the
// text of a value.
func render(s string, lookup func(string) (any, bool), label func(string, any) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name, filter, _ := strings.Cut(strings.TrimSpace(s[i+2:i+2+j]), "|")
		name = strings.TrimSpace(name)
		if v, ok := lookup(name); ok {
			if strings.TrimSpace(filter) == "label" && label != nil {
				b.WriteString(label(name, v))
			} else {
				b.WriteString(textOf(v))
			}
		}
		s = s[i+2+j+2:]
	}
}

// textOf renders a value as message text: strings as they are, lists
// joined with "、", numbers and booleans as JSON, objects as JSON.
func textOf(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = textOf(e)
		}
		return strings.Join(parts, "、")
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

// newExec prepares the variables of a run.
func (s *Service) newExec(r *Run, a *Automation, record map[string]any, now time.Time) *Exec {
	steps := map[string]any{}
	for id, res := range r.Steps {
		if res.Status == StepOK {
			steps[id] = res.Output
		}
	}
	data := r.Data
	if data == nil {
		data = map[string]any{}
	}
	vars := map[string]any{
		"record":     record,
		"before":     mapOr(data["before"]),
		"changed":    data["changed"],
		"payload":    data["payload"],
		"event":      map[string]any{"id": r.Event, "type": r.EventType, "form": r.Form, "record": r.Record, "actor": r.Actor, "data": data},
		"steps":      steps,
		"now":        query.FormatTime(now),
		"today":      now.In(query.DefaultLocation).Format("2006-01-02"),
		"occurrence": r.Occurrence,
		"automation": r.Automation,
		"app":        r.App,
		"run":        r.ID,
	}
	if record == nil {
		vars["record"] = map[string]any{}
	}
	return &Exec{Svc: s, Run: r, Auto: a, Now: now, Lang: langOf(data), vars: vars}
}

// at points x at one action.
func (x *Exec) at(id string, tx store.Ops) {
	x.Step, x.Key, x.Tx, x.recs = id, stepKey(x.Run.ID, id), tx, nil
}

// langOf is the language of a run's messages: the record's or payload's
// "lang" when it has one, else Chinese.
func langOf(data map[string]any) string {
	for _, k := range []string{"after", "payload"} {
		if m, ok := data[k].(map[string]any); ok {
			if l, ok := m["lang"].(string); ok && l != "" {
				return l
			}
		}
	}
	return "zh-CN"
}

func mapOr(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// varNameRe is a variable reference after its "$".
var varNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$`)
