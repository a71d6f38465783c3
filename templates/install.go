package templates

import (
	"context"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// DefaultApp is the app a template is installed into unless told.
const DefaultApp = "crm"

// InstallOptions tune Install.
type InstallOptions struct {
	// App is the target app; DefaultApp when empty.
	App string
	// Publish publishes every installed definition, so the app runs at once.
	Publish bool
	// Overwrite replaces definitions the app changed since the template
	// was installed (appending new revisions; the history keeps the
	// edits). Without it they are conflicts and nothing is written.
	Overwrite bool
	// DryRun reports what an install would do and writes nothing.
	DryRun bool
	// Rollups, when set, builds the app's report rollups after a real
	// install that published (report.Service.BuildRollups), so dashboards
	// read them from the first request; the records write hook keeps them
	// current from then on. An installer that loads bulk data next leaves
	// it nil and builds once after the data: one pass over the records is
	// cheaper than moving each new record into its cells.
	Rollups func(ctx context.Context, app string) error
}

// Result says, by "kind/key", what an install did or would do.
type Result struct {
	Template string `json:"template"`
	meta.ImportResult
}

// ErrConflict is returned when the target app has definitions of the
// template that differ from it (edited after an earlier install, or from
// another version of the template); its Fields name each one.
var ErrConflict = errs.New(errs.Conflict, "template.conflict",
	"the app has changed definitions of this template; install with overwrite to replace them")

// Install installs template name into an app with meta.Import, in one
// transaction. It is idempotent: definitions the app already has exactly
// as the template has them are left alone, so installing an unchanged
// template again changes nothing. Definitions that differ are conflicts
// (409 template.conflict, nothing written) unless o.Overwrite. Definitions
// of the app that the template does not have are never touched. user is
// who the revisions are written by.
func Install(ctx context.Context, ms *meta.Service, name string, o InstallOptions, user string) (Result, error) {
	t, err := Load(name)
	if err != nil {
		return Result{Template: name}, err
	}
	app := o.App
	if app == "" {
		app = DefaultApp
	}
	if !meta.ValidKey(app) {
		return Result{Template: name}, &errs.Error{Class: errs.Unprocessable, Code: "template.app", Msg: "invalid app name",
			Fields: []errs.FieldError{{Path: "app", Code: "template.app", Message: fmt.Sprintf("%q: lowercase letters, digits, - and _, starting with a letter", app)}}}
	}
	b := t.Bundle(app)
	// A dry run with overwrite tells created, changed and unchanged apart;
	// the changed ones are the conflicts of an install without overwrite.
	imp := meta.ImportOptions{Publish: o.Publish, Overwrite: true, DryRun: true, TargetApp: app}
	plan, err := ms.Import(ctx, b, imp, user)
	if err != nil {
		return Result{Template: name, ImportResult: plan}, err
	}
	if len(plan.Updated) > 0 && !o.Overwrite {
		plan.Conflicts, plan.Updated = plan.Updated, []string{}
		fe := make([]errs.FieldError, len(plan.Conflicts))
		for i, ref := range plan.Conflicts {
			fe[i] = errs.FieldError{Path: ref, Code: ErrConflict.Code,
				Message: fmt.Sprintf("%s differs in app %q from template %s; install with overwrite to replace it", ref, app, name)}
		}
		return Result{Template: name, ImportResult: plan}, errs.Validation(ErrConflict.Class, ErrConflict.Code, ErrConflict.Msg, fe)
	}
	if o.DryRun {
		return Result{Template: name, ImportResult: plan}, nil
	}
	imp.DryRun = false
	res, err := ms.Import(ctx, b, imp, user)
	if err == nil && o.Publish && o.Rollups != nil {
		err = o.Rollups(ctx, app)
	}
	return Result{Template: name, ImportResult: res}, err
}
