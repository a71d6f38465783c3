package automation

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// Automation is a published automation compiled for the runner. It is
// immutable and shared.
type Automation struct {
	App, Key    string
	Version     int
	Title       json.RawMessage
	Enabled     bool
	TriggerType string
	Trigger     Trigger
	Condition   json.RawMessage
	Retry       RetrySpec
	// PublishedAt is when this version was published: schedules never
	// fire occurrences from before it.
	PublishedAt time.Time
	program     []instr
	byID        map[string]int
}

// instr is one instruction of the program the actions compile to: an
// action, or a jump that ends a block of a branch or split (nested blocks
// are laid out flat after their chooser, so a run is a program counter
// that only moves forward and every action runs at most once).
type instr struct {
	id     string // step id, "" for a jump
	typ    string
	path   string // where the step sits in the spec, for messages
	action Action
	// targets are where each block of a Chooser starts; end is where the
	// chooser's blocks end (also where "no block" goes).
	targets []int
	end     int
	jump    int // for a jump: the next pc
}

// MaxSteps bounds the actions of one automation, nested ones included.
const MaxSteps = 200

var idRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// compileDef compiles a published definition.
func compileDef(d meta.Definition) (*Automation, error) {
	a, fe := compileSpec(d.Spec)
	if len(fe) > 0 {
		return nil, errs.Validation(errs.Unprocessable, "automation.invalid",
			fmt.Sprintf("automation %s of app %s (version %d) is not valid", d.Key, d.App, d.Version), fe)
	}
	a.App, a.Key, a.Version = d.App, d.Key, d.Version
	if t, err := query.ParseTime(d.PublishedAt, time.UTC); err == nil {
		a.PublishedAt = t
	}
	return a, nil
}

// compileSpec compiles a spec, collecting every problem with its path
// relative to the spec.
func compileSpec(raw json.RawMessage) (*Automation, []errs.FieldError) {
	var s Spec
	if err := json.Unmarshal(raw, &s); err != nil {
		// The meta-schema reports the shape with better paths.
		return nil, []errs.FieldError{{Path: "", Code: "automation.invalid", Message: err.Error()}}
	}
	a := &Automation{Title: s.Title, Enabled: s.enabled(), Condition: s.Condition, Retry: s.Retry.withDefaults(),
		TriggerType: s.Trigger.Type, byID: map[string]int{}}
	var fe []errs.FieldError
	tt, ok := triggerTypes.Get(s.Trigger.Type)
	switch {
	case s.Trigger.Type == "":
	case !ok:
		fe = append(fe, errs.FieldError{Path: "trigger.type", Code: "automation.unknown_trigger",
			Message: fmt.Sprintf("unknown trigger %q (known: %s)", s.Trigger.Type, strings.Join(triggerTypes.Keys(), ", "))})
	default:
		t, bad := tt.Compile(s.Trigger.Config)
		fe = append(fe, under("trigger.config", bad)...)
		a.Trigger = t
	}
	if len(s.Condition) > 0 && string(s.Condition) != "null" && a.Trigger != nil && a.Trigger.Form() == "" {
		fe = append(fe, errs.FieldError{Path: "condition", Code: "automation.condition_without_form",
			Message: "a condition tests the record, and this trigger is about no form's records"})
	}
	c := &compiler{a: a, seen: map[string]string{}, auto: map[string]bool{}}
	c.steps(s.Actions, "actions", "s")
	fe = append(fe, c.fe...)
	if len(a.program) > MaxSteps {
		fe = append(fe, errs.FieldError{Path: "actions", Code: "automation.too_many_steps",
			Message: fmt.Sprintf("%d actions (nested ones included); at most %d", len(a.program), MaxSteps)})
	}
	return a, fe
}

type compiler struct {
	a    *Automation
	seen map[string]string // id -> path
	auto map[string]bool   // ids made up by the compiler
	fe   []errs.FieldError
}

// steps compiles a list of steps at path; ids not given are made from
// prefix and the position ("s2", "s2_then_1").
func (c *compiler) steps(list []StepSpec, path, prefix string) {
	for i, st := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		id := st.ID
		if id == "" {
			id = fmt.Sprintf("%s%d", prefix, i+1)
		} else if !idRe.MatchString(id) {
			c.add(p+".id", "automation.bad_id", "an action id starts with a letter and has only letters, digits and _")
			continue
		}
		if first, dup := c.seen[id]; dup {
			// meta's own check reports duplicates among the top-level
			// actions; nested ones only this one sees.
			if strings.Contains(p, ".config.") || strings.Contains(first, ".config.") || st.ID == "" || c.auto[id] {
				c.add(p+".id", "automation.duplicate_id", "action id %q is already used at %s", id, first)
			}
			continue
		}
		c.seen[id] = p
		c.auto[id] = st.ID == ""
		at, ok := actionTypes.Get(st.Type)
		if !ok {
			c.add(p+".type", "automation.unknown_action", "unknown action %q (known: %s)", st.Type, strings.Join(actionTypes.Keys(), ", "))
			continue
		}
		act, bad := at.Compile(st.Config)
		c.fe = append(c.fe, under(p+".config", bad)...)
		if act == nil {
			continue
		}
		pc := len(c.a.program)
		c.a.program = append(c.a.program, instr{id: id, typ: st.Type, path: p, action: act, jump: -1})
		c.a.byID[id] = pc
		ch, ok := act.(Chooser)
		if !ok {
			continue
		}
		blocks := ch.Blocks()
		var jumps []int
		targets := make([]int, len(blocks))
		for b, blk := range blocks {
			targets[b] = len(c.a.program)
			c.steps(blk.Steps, p+".config."+blk.Path, id+"_"+blockName(blk.Path)+"_")
			if b < len(blocks)-1 {
				jumps = append(jumps, len(c.a.program))
				c.a.program = append(c.a.program, instr{path: p, jump: -1})
			}
		}
		end := len(c.a.program)
		for _, j := range jumps {
			c.a.program[j].jump = end
		}
		c.a.program[pc].targets, c.a.program[pc].end = targets, end
	}
}

// blockName turns a block path into an id part: "variants[1].actions" ->
// "variants1".
func blockName(p string) string {
	p = strings.TrimSuffix(p, ".actions")
	return strings.NewReplacer("[", "", "]", "", ".", "_").Replace(p)
}

func (c *compiler) add(path, code, format string, args ...any) {
	c.fe = append(c.fe, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// under prefixes relative paths with base.
func under(base string, fe []errs.FieldError) []errs.FieldError {
	for i := range fe {
		switch {
		case fe[i].Path == "":
			fe[i].Path = base
		case strings.HasPrefix(fe[i].Path, "["):
			fe[i].Path = base + fe[i].Path
		default:
			fe[i].Path = base + "." + fe[i].Path
		}
	}
	return fe
}

// configErrors turns a strict decoding error into field errors: the path
// of an unknown field or a wrong type when the decoder names it.
func configErrors(err error) []errs.FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return []errs.FieldError{{Path: te.Field, Code: "automation.config_type",
			Message: fmt.Sprintf("must be %s, not %s", te.Type.String(), te.Value)}}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return []errs.FieldError{{Path: name, Code: "automation.unknown_setting", Message: fmt.Sprintf("unknown setting %q", name)}}
	}
	return []errs.FieldError{{Path: "", Code: "automation.config", Message: msg}}
}

// fieldErr is one field error.
func fieldErr(path, code, format string, args ...any) []errs.FieldError {
	return []errs.FieldError{{Path: path, Code: code, Message: fmt.Sprintf(format, args...)}}
}
