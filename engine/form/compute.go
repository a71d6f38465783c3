package form

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/script"
)

// What the engine computes, compiled once per form version: relations
// (checked on write), lookups (resolved on read), rollups (kept by the
// children's writes), formulas (evaluated on every write), auto-numbers
// (assigned on create) and default values. The settings are the ones each
// type's file documents; the engine reads only what it needs.

// relationDef is a field holding the id (or ids) of records of another form.
type relationDef struct {
	key      string
	target   string // form key in the same app
	multiple bool
}

// lookupDef shows a field of the record a relation points at.
type lookupDef struct {
	key      string
	relation string // relation field of this form
	field    string // field of the related form
}

// rollupDef aggregates the child records that point at this record.
type rollupDef struct {
	key      string
	child    string // child form key
	relation string // the child's relation field pointing here
	op       string // count, sum, min, max, avg
	field    string // child field (not for count)
}

// formulaDef computes a field from others on every write.
type formulaDef struct {
	key    string
	f      *script.Formula
	params []string
	deps   map[string]bool // field keys it reads
}

// autoNumberDef numbers records on create from a per-period counter.
type autoNumberDef struct {
	key string
	fd  *Field
}

// defaultValueDef is a field's value on create when the client gave none:
// fixed (already in stored form) or computed by a formula.
type defaultValueDef struct {
	fixed   any
	formula *formulaDef
}

// engineSettings are the type-specific settings the engine reads (each
// type's file documents them): relation form and multiple, lookup relation
// and field, rollup form, via, op and field, formula expression.
type engineSettings struct {
	Form       string `json:"form"`
	Multiple   bool   `json:"multiple"`
	Relation   string `json:"relation"`
	Via        string `json:"via"`
	Field      string `json:"field"`
	Op         string `json:"op"`
	Expression string `json:"expression"`
}

// compileBehaviour reads what the engine must compute for fd.
func (f *Form) compileBehaviour(fd *Field) error {
	var s engineSettings
	if len(fd.Raw) > 0 {
		if err := json.Unmarshal(fd.Raw, &s); err != nil {
			return err
		}
	}
	switch fd.Type {
	case "relation":
		f.relations[fd.Key] = &relationDef{key: fd.Key, target: s.Form, multiple: s.Multiple}
	case "lookup":
		f.virtual[fd.Key], f.computed[fd.Key] = true, true
		f.lookups = append(f.lookups, &lookupDef{key: fd.Key, relation: s.Relation, field: s.Field})
	case "rollup":
		f.computed[fd.Key] = true
		f.rollups = append(f.rollups, &rollupDef{key: fd.Key, child: s.Form, relation: s.Via, op: s.Op, field: s.Field})
	case "formula":
		f.computed[fd.Key] = true
		fm, err := f.compileFormula(fd.Key, s.Expression, "expression")
		if err != nil {
			return err
		}
		f.formulas = append(f.formulas, fm)
	case "autonumber":
		f.computed[fd.Key] = true
		f.autoNumbers = append(f.autoNumbers, &autoNumberDef{key: fd.Key, fd: fd})
	}
	return nil
}

// compileDefault reads fd's default: {"formula": "..."} is computed on
// create, anything else is a fixed value checked by the field's type.
func (f *Form) compileDefault(fd *Field) error {
	raw := bytes.TrimSpace(fd.Default)
	if len(raw) == 0 || string(raw) == "null" || f.computed[fd.Key] {
		return nil
	}
	var fdef struct {
		Formula *string `json:"formula"`
	}
	if raw[0] == '{' && json.Unmarshal(raw, &fdef) == nil && fdef.Formula != nil {
		var probe map[string]json.RawMessage
		_ = json.Unmarshal(raw, &probe)
		if len(probe) == 1 {
			fm, err := f.compileFormula(fd.Key, *fdef.Formula, "default.formula")
			if err != nil {
				return err
			}
			f.defaults[fd.Key] = &defaultValueDef{formula: fm}
			return nil
		}
	}
	v, err := decodeJSONValue(raw)
	if err != nil {
		return err
	}
	nv, fe := f.types[fd.Key].Normalize(Ctx{Lang: "en", Path: fd.Key + ".default"}, fd, v)
	if len(fe) > 0 {
		return &errs.Error{Class: errs.Invalid, Code: fe[0].Code, Msg: "invalid default value",
			Fields: []errs.FieldError{{Path: "default", Code: fe[0].Code, Message: fe[0].Message}}}
	}
	f.defaults[fd.Key] = &defaultValueDef{fixed: nv}
	return nil
}

var formulaIdentRe = regexp.MustCompile(`[A-Za-z_$][A-Za-z0-9_$]*`)

// compileFormula compiles expr over the fields it names. Parameters are the
// field keys that appear in the expression as identifiers (an identifier
// that happens to be a key inside a string literal only costs one unused
// argument); system fields such as _createdAt may be named too. where is
// the setting's path relative to the field, for errors.
func (f *Form) compileFormula(key, expr, where string) (*formulaDef, error) {
	deps := map[string]bool{}
	for _, id := range formulaIdentRe.FindAllString(expr, -1) {
		if _, ok := f.byKey[id]; ok && id != key {
			deps[id] = true
		} else if _, ok := f.QFields[id]; ok && id[0] == '_' {
			deps[id] = true
		}
	}
	params := sortedKeys(deps)
	sf, err := script.CompileFormula(expr, params)
	if err != nil {
		return nil, script.AtPath(err, where)
	}
	return &formulaDef{key: key, f: sf, params: params, deps: deps}, nil
}

// compileDefaults reads every field's default value.
func (f *Form) compileDefaults() []fieldProblem {
	var out []fieldProblem
	for _, fd := range f.Fields {
		if err := f.compileDefault(fd); err != nil {
			out = append(out, fieldProblem{key: fd.Key, err: err})
		}
	}
	return out
}

// fieldProblem is a setting of one field the engine cannot use.
type fieldProblem struct {
	key string
	err error
}

// orderFormulas sorts formulas so each runs after the formulas it reads;
// a cycle is an error.
func (f *Form) orderFormulas() error {
	byKey := map[string]*formulaDef{}
	for _, fm := range f.formulas {
		byKey[fm.key] = fm
	}
	var ordered []*formulaDef
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(fm *formulaDef) error
	visit = func(fm *formulaDef) error {
		switch state[fm.key] {
		case 1:
			return fmt.Errorf("formula %q depends on itself", fm.key)
		case 2:
			return nil
		}
		state[fm.key] = 1
		for _, dep := range sortedKeys(fm.deps) {
			if d, ok := byKey[dep]; ok {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		state[fm.key] = 2
		ordered = append(ordered, fm)
		return nil
	}
	for _, k := range sortedKeys(byKey) {
		if err := visit(byKey[k]); err != nil {
			return err
		}
	}
	f.formulas = ordered
	return nil
}

// numberedDeps reports whether a formula reads an auto-number field,
// directly or through other formulas: those run again once numbers are
// assigned inside the create's transaction.
func (f *Form) numberedDeps(fm *formulaDef) bool {
	auto := map[string]bool{}
	for _, a := range f.autoNumbers {
		auto[a.key] = true
	}
	for _, g := range f.formulas {
		for dep := range g.deps {
			if auto[dep] {
				auto[g.key] = true
			}
		}
		if g == fm {
			break
		}
	}
	return auto[fm.key]
}

func decodeJSONValue(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}
