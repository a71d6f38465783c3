package action

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
)

func init() { meta.AddCrossCheck(meta.KindAction, checkAction) }

// checkAction refuses, on save, an action that would fail on every run: a
// script that does not compile (with its line and column), and a runAs
// that names no role of the app (the script would then have no rights at
// all). The meta-schema and meta's own check cover the shape and the
// schemas.
func checkAction(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	var sp spec
	if json.Unmarshal(d.Spec, &sp) != nil {
		return nil // the meta-schema already reported the shape
	}
	var fe []errs.FieldError
	if _, err := script.Compile(sp.Script); err != nil {
		if e, ok := errs.As(err); ok {
			fe = append(fe, errs.FieldError{Path: "spec.script", Code: e.Code, Message: e.Msg})
		}
	}
	if sp.RunAs != "" {
		if _, err := s.Get(ctx, d.App, meta.KindRole, sp.RunAs); errs.ClassOf(err) == errs.NotFound {
			fe = append(fe, errs.FieldError{Path: "spec.runAs", Code: "action.run_as", Message: "names no role of this app"})
		}
	}
	return fe
}
