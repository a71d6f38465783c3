package automation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// Checks of automation definitions beyond the meta-schema: on every save,
// the trigger and each action (nested ones too) must be registered and
// their configs valid — unknown settings, a cron expression that never
// fires, a webhook without a secret — each reported with its path; and,
// against the app's forms, the trigger's form must exist, its fields be
// the right kind, and the condition and record filters parse.
func init() {
	meta.AddCheck(meta.KindAutomation, func(spec json.RawMessage) []errs.FieldError {
		_, fe := compileSpec(spec)
		return fe
	})
	meta.AddCrossCheck(meta.KindAutomation, checkAgainstForms)
}

// checkAgainstForms checks an automation against its trigger's form.
func checkAgainstForms(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	a, fe := compileSpec(d.Spec)
	if len(fe) > 0 || a.Trigger == nil || a.Trigger.Form() == "" {
		return nil
	}
	key := a.Trigger.Form()
	fdef, err := s.Get(ctx, d.App, meta.KindForm, key)
	if err != nil {
		return fieldErr("spec.trigger.config.form", "automation.unknown_form", "app %q has no form %q", d.App, key)
	}
	f, err := form.Compile(fdef)
	if err != nil {
		return fieldErr("spec.trigger.config.form", "automation.unknown_form", "form %q cannot be used: %v", key, err)
	}
	var out []errs.FieldError
	if fc, ok := a.Trigger.(FormChecker); ok {
		out = append(out, under("spec.trigger.config", fc.CheckForm(f))...)
	}
	if len(a.Condition) > 0 && string(a.Condition) != "null" {
		if _, err := query.ParseFilter(a.Condition, f.QFields, query.Options{Root: "spec.condition", Vars: timeVars(time.Now())}); err != nil {
			out = append(out, filterErrors(err, "spec.condition")...)
		}
	}
	for _, in := range a.program {
		if fc, ok := in.action.(FormChecker); ok {
			out = append(out, under("spec."+in.path+".config", fc.CheckForm(f))...)
		}
	}
	return out
}
