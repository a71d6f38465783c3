package form

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

func init() { meta.AddCrossCheck(meta.KindRole, checkRoleAgainstForms) }

// scopeVars are stand-ins for the principal variables a row scope may use,
// with the shapes the access guard gives them at run time, so a scope that
// parses here parses for every user.
var scopeVars = map[string]any{
	"$user.id": "u", "$user.unit": "u", "$user.unitPath": "/u/",
	"$user.units": []any{"u"}, "$user.unitSubtree": []any{"u"}, "$user.positions": []any{"p"},
}

// checkRoleAgainstForms parses every row scope of a role against the fields
// of the form it names and checks that field rules name real fields, so a
// role that would fail (and close access) at run time is refused on save
// with the path of the mistake. Grants on "*" or on the whole app cover
// several forms; their scopes are checked against each form they reach.
func checkRoleAgainstForms(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	var spec struct {
		Permissions []struct {
			Kind   meta.Kind                  `json:"kind"`
			Key    string                     `json:"key"`
			Scope  json.RawMessage            `json:"scope"`
			Fields map[string]json.RawMessage `json:"fields"`
		} `json:"permissions"`
	}
	if json.Unmarshal(d.Spec, &spec) != nil {
		return nil // the meta-schema already reported the shape
	}
	var fe []errs.FieldError
	forms := map[string]*Form{}
	formOf := func(key string) (*Form, error) {
		if f, ok := forms[key]; ok {
			return f, nil
		}
		def, err := s.Get(ctx, d.App, meta.KindForm, key)
		if err != nil {
			return nil, err
		}
		f, err := Compile(def)
		forms[key] = f
		return f, err
	}
	for i, p := range spec.Permissions {
		base := fmt.Sprintf("spec.permissions[%d]", i)
		if len(p.Scope) == 0 && len(p.Fields) == 0 {
			continue
		}
		var targets []*Form
		switch {
		case p.Kind == meta.KindForm && p.Key != "*":
			f, err := formOf(p.Key)
			if err != nil {
				fe = append(fe, errs.FieldError{Path: base + ".key", Code: "role.unknown_form",
					Message: fmt.Sprintf("app %q has no form %q to scope", d.App, p.Key)})
				continue
			}
			targets = []*Form{f}
		case p.Kind == meta.KindForm || p.Kind == meta.KindApp:
			list, err := s.List(ctx, d.App, meta.KindForm)
			if err != nil {
				continue
			}
			for _, def := range list {
				if f, err := formOf(def.Key); err == nil {
					targets = append(targets, f)
				}
			}
		default:
			if len(p.Scope) > 0 {
				fe = append(fe, errs.FieldError{Path: base + ".scope", Code: "role.scope_kind",
					Message: "row scopes apply to forms only"})
			}
			continue
		}
		for _, f := range targets {
			fe = append(fe, checkGrant(f, base, p.Scope, p.Fields)...)
		}
	}
	return dedupe(fe)
}

func checkGrant(f *Form, base string, scope json.RawMessage, fields map[string]json.RawMessage) []errs.FieldError {
	var fe []errs.FieldError
	if len(scope) > 0 && string(scope) != "null" {
		_, err := query.ParseFilter(scope, f.QFields, query.Options{Vars: scopeVars, Root: base + ".scope"})
		if e, ok := errs.As(err); ok {
			for _, x := range e.Fields {
				x.Message = fmt.Sprintf("form %q: %s", f.Key, x.Message)
				fe = append(fe, x)
			}
			if len(e.Fields) == 0 {
				fe = append(fe, errs.FieldError{Path: base + ".scope", Code: e.Code, Message: e.Msg})
			}
		}
	}
	for k := range fields {
		if _, ok := f.Field(k); !ok {
			fe = append(fe, errs.FieldError{Path: base + ".fields." + k, Code: "role.unknown_field",
				Message: fmt.Sprintf("form %q has no field %q", f.Key, k)})
		}
	}
	return fe
}

func dedupe(fe []errs.FieldError) []errs.FieldError {
	seen := map[string]bool{}
	out := fe[:0]
	for _, e := range fe {
		k := e.Path + "\x00" + e.Code + "\x00" + e.Message
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}
