package report

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/meta"
)

// Drafts and previews: the designer shows a report as it will run before
// it is published — joins, formula measures, top N with others, period
// comparisons and all — by running the draft (or an older version, or the
// spec being edited and not yet saved) through the same compiler and
// executor as a published run, under the designer's own row scopes. Only
// designers of the report may do so: a draft may group by anything.
//
// These runs never touch the result cache, in either direction: a draft
// result must never answer a published request, and a designer wants what
// the records say now. They never read the report's rollup either (it
// was built for the published definition).

// The versions RunVersion accepts besides a number.
const (
	VersionDraft     = "draft"     // the latest revision, draft or not
	VersionPublished = "published" // what Run runs
)

// draftMessages are the messages of this file's errors.
var draftMessages = map[string][2]string{
	"report.version":      {"版本应为 draft、published 或版本号，收到 %q", "version is draft, published or a version number, not %q"},
	"report.preview_spec": {"预览需要报表定义 spec（一个 JSON 对象）", "a preview needs the report definition spec (a JSON object)"},
}

// RunVersion runs version which of a report for p: "" or "published" (or
// the published version's number) is Run; "draft" is the latest revision
// and another number that revision, both of which need the design right
// on the report.
func (s *Service) RunVersion(ctx context.Context, p *auth.Principal, app, key, which string, req RunRequest) (*Result, error) {
	if which == "" || which == VersionPublished {
		return s.Run(ctx, p, app, key, req)
	}
	n := 0
	if which != VersionDraft {
		v, err := strconv.Atoi(which)
		if err != nil || v < 1 {
			return nil, errs.Validation(errs.Invalid, "report.version", i18n.Message(draftMessages, req.Lang, "report.version", which),
				[]errs.FieldError{{Path: "version", Code: "report.version", Message: i18n.Message(draftMessages, req.Lang, "report.version", which)}})
		}
		n = v
		// The published version by its number is a published run (read
		// right, cached).
		if pub, err := s.meta.Published(ctx, app, meta.KindReport, key); err == nil && pub.Version == n {
			return s.Run(ctx, p, app, key, req)
		}
	}
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindReport, Key: key}, access.Design); err != nil {
		return nil, err
	}
	var def meta.Definition
	var err error
	if n == 0 {
		def, err = s.meta.Get(ctx, app, meta.KindReport, key)
	} else {
		def, err = s.meta.GetVersion(ctx, app, meta.KindReport, key, n)
	}
	if err != nil {
		return nil, err
	}
	spec, err := DecodeSpec(def.Spec)
	if err != nil {
		return nil, errs.Wrap(err, errs.Internal, "report.invalid", "report %q version %d cannot be read", key, def.Version)
	}
	return s.runUncached(ctx, p, app, key, def.Version, spec, req)
}

// Preview runs a report spec that need not be saved (the one in the
// designer) for p, who needs the design right on the report key it is
// being designed as. The spec is checked as saving it would check it (the
// meta-schema, then against the app's forms: a 422 with spec.* paths),
// then run against the published forms. The result's version is 0.
func (s *Service) Preview(ctx context.Context, p *auth.Principal, app, key string, raw json.RawMessage, req RunRequest) (*Result, error) {
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindReport, Key: key}, access.Design); err != nil {
		return nil, err
	}
	if len(raw) == 0 || string(raw) == "null" {
		m := i18n.Message(draftMessages, req.Lang, "report.preview_spec")
		return nil, errs.Validation(errs.Invalid, "report.preview_spec", m, []errs.FieldError{{Path: "spec", Code: "report.preview_spec", Message: m}})
	}
	def := meta.Definition{App: app, Kind: meta.KindReport, Key: key, Spec: raw}
	if err := meta.Validate(def); err != nil {
		return nil, err
	}
	if err := s.meta.CrossCheck(ctx, def); err != nil {
		return nil, err
	}
	spec, err := DecodeSpec(raw)
	if err != nil {
		// The meta-schema passed it, so this is a spec an older format
		// upgrade would have to read first: say so with the path.
		return nil, errs.Validation(errs.Unprocessable, "report.invalid", msg(req.Lang, "report.invalid"),
			[]errs.FieldError{{Path: "spec", Code: "report.invalid", Message: err.Error()}})
	}
	return s.runUncached(ctx, p, app, key, 0, spec, req)
}

// runUncached compiles spec against the published forms and runs it as
// run does, without the cache and the rollup.
func (s *Service) runUncached(ctx context.Context, p *auth.Principal, app, key string, version int, spec *Spec, req RunRequest) (*Result, error) {
	s.Stats.Runs.Add(1)
	c, err := Compile(ctx, app, key, version, spec, s.publishedForms(app), req.Lang)
	if err != nil {
		return nil, err
	}
	ex, err := s.prepare(ctx, p, c, req.Parameters, req.Lang)
	if err != nil {
		return nil, err
	}
	ex.rollupRead = true // and no rollup: it answers the published definition
	return ex.execute(ctx)
}
