package access

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// Rule is what a role does to one field.
type Rule int

// Field rules, ordered from least to most restrictive for reading.
const (
	Visible  Rule = iota
	ReadOnly      // readable, never written by this user
	Masked        // readable only through the mask, never written
	Hidden        // neither read nor written
)

// FieldRule is the effective rule of one field.
type FieldRule struct {
	Rule Rule
	Mask Mask
}

// Mask keeps Head leading and Tail trailing characters: 3*4 turns
// 13812341234 into 138****1234.
type Mask struct{ Head, Tail int }

// DefaultMask fits a Chinese mobile number.
var DefaultMask = Mask{Head: 3, Tail: 4}

// Apply masks s; strings too short to keep both ends become all stars.
func (m Mask) Apply(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= m.Head+m.Tail {
		return strings.Repeat("*", n)
	}
	r := []rune(s)
	return string(r[:m.Head]) + strings.Repeat("*", n-m.Head-m.Tail) + string(r[n-m.Tail:])
}

// Decision is the outcome of Guard.Decide: which rows (Filter) and which
// fields (Fields, Read, CheckWrite) a principal may touch with one right.
type Decision struct {
	// All is true when some granting role has no row scope (or the
	// principal is a platform admin): every row is in scope.
	All    bool
	scopes []json.RawMessage
	vars   map[string]any
	// fields holds, per field, the least restrictive rule among granting
	// roles; a field missing from any granting role is Visible.
	fields map[string]FieldRule
	grants int
}

// add merges one granting entry into the decision.
func (d *Decision) add(g grant) {
	d.grants++
	if len(g.Scope) == 0 || string(g.Scope) == "null" || string(g.Scope) == "{}" {
		d.All = true
	} else {
		d.scopes = append(d.scopes, g.Scope)
	}
	rules := map[string]FieldRule{}
	for k, raw := range g.Fields {
		rules[k] = parseRule(raw)
	}
	if d.grants == 1 {
		d.fields = rules
		return
	}
	// Union of rights: a field stays restricted only as far as every
	// granting role restricts it.
	for k, cur := range d.fields {
		nr, ok := rules[k]
		if !ok {
			delete(d.fields, k)
			continue
		}
		if nr.Rule < cur.Rule {
			d.fields[k] = nr
		}
	}
}

func parseRule(raw json.RawMessage) FieldRule {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return FieldRule{Rule: ruleOf(s), Mask: DefaultMask}
	}
	var o struct{ Rule, Mask string }
	_ = json.Unmarshal(raw, &o)
	fr := FieldRule{Rule: ruleOf(o.Rule), Mask: DefaultMask}
	if h, t, ok := strings.Cut(o.Mask, "*"); ok {
		hi, e1 := strconv.Atoi(h)
		ti, e2 := strconv.Atoi(t)
		if e1 == nil && e2 == nil {
			fr.Mask = Mask{Head: hi, Tail: ti}
		}
	}
	return fr
}

func ruleOf(s string) Rule {
	switch s {
	case "hidden":
		return Hidden
	case "masked":
		return Masked
	case "readonly":
		return ReadOnly
	}
	// Unknown words restrict rather than expose.
	return Hidden
}

// Filter returns the row scope as an AST over fields, or nil when every
// row is in scope. Callers AND it with the user's own filter.
func (d *Decision) Filter(fields query.Fields) (*query.Node, error) {
	if d.All {
		return nil, nil
	}
	var alts []*query.Node
	for i, raw := range d.scopes {
		n, err := query.ParseFilter(raw, fields, query.Options{Vars: d.vars, Root: fmt.Sprintf("scope[%d]", i)})
		if err != nil {
			// A scope that no longer fits the form must close access, not
			// open it; the error is internal so details stay in the log.
			return nil, errs.Wrap(err, errs.Internal, "access.scope_invalid", "a role's row scope does not fit this form")
		}
		if n == nil {
			return nil, nil
		}
		alts = append(alts, n)
	}
	return &query.Node{Op: query.OpOr, Children: alts}, nil
}

// Field returns the rule for a top-level field key.
func (d *Decision) Field(key string) FieldRule { return d.fields[key] }

// Restricted lists the fields with a rule other than Visible, sorted.
func (d *Decision) Restricted() []string {
	var out []string
	for k, r := range d.fields {
		if r.Rule != Visible {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Read applies the field rules to a document in place: hidden fields are
// removed and masked ones replaced by their mask. It is used on every read
// path (get, list, export, reports' detail rows, scripts).
func (d *Decision) Read(doc map[string]any) {
	for k, r := range d.fields {
		switch r.Rule {
		case Hidden:
			delete(doc, k)
		case Masked:
			if v, ok := doc[k]; ok && v != nil {
				doc[k] = r.Mask.Apply(fmt.Sprint(v))
			}
		}
	}
}

// Readable reports whether key may be used by the caller to filter, sort,
// group or aggregate: a hidden or masked field must not leak through a
// filter ("phone starts with 1381") any more than through a read.
func (d *Decision) Readable(key string) bool {
	r := d.fields[key].Rule
	return r == Visible || r == ReadOnly
}

// CheckWrite refuses writes to fields the caller may not change, listing
// every offending key.
func (d *Decision) CheckWrite(keys []string) error {
	var fe []errs.FieldError
	for _, k := range keys {
		if r := d.fields[k].Rule; r != Visible {
			fe = append(fe, errs.FieldError{Path: k, Code: "access.field_readonly", Message: "you may not change this field"})
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return &errs.Error{Class: errs.Forbidden, Code: "access.field_readonly", Msg: "the change touches fields you may not change", Fields: fe}
}
