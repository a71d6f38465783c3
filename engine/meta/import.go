package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// ImportOptions tune Import.
type ImportOptions struct {
	// Publish also publishes the latest imported revision of every
	// definition, drafts included. Without it each entry keeps the status it
	// has in the bundle: published entries are published, drafts stay drafts.
	Publish bool
	// Overwrite lets the import append revisions to definitions that exist
	// in the target app. Without it an existing key is a conflict and
	// nothing at all is written.
	Overwrite bool
	// DryRun validates and plans without writing; the result says what a
	// real import would do, and the errors are the ones it would return.
	DryRun bool
	// TargetApp imports into this app instead of the bundle's, renaming the
	// app definition with it. "" keeps the bundle's app.
	TargetApp string
}

// ImportResult says, by "kind/key", what an import did or, in a dry run,
// would do.
type ImportResult struct {
	App       string   `json:"app"`
	DryRun    bool     `json:"dryRun"`
	Created   []string `json:"created"`
	Updated   []string `json:"updated"`
	Unchanged []string `json:"unchanged"`
	Conflicts []string `json:"conflicts"`
}

// ErrImportConflict is returned when, without Overwrite, definitions of the
// bundle exist in the target app; its Fields name each one.
var ErrImportConflict = errs.New(errs.Conflict, "meta.import_conflict", "definitions in the bundle already exist in the target app; nothing was imported")

// maxImport bounds the definitions of one bundle (one transaction).
const maxImport = 5000

// Import writes a bundle's definitions into an app in one transaction.
// Every definition is validated first and all problems are reported at once
// (422 meta.invalid, paths like "definitions[3].spec.fields[0].key"); then
// existing keys are conflicts unless opt.Overwrite (409
// meta.import_conflict, with the result listing them); then each
// definition is created, updated (new revisions appended after the
// target's latest), or left unchanged when the target already has the same
// specs. Imported revisions are written by user at the time of the import;
// the bundle's own authors and times are not kept.
func (s *Service) Import(ctx context.Context, b Bundle, opt ImportOptions, user string) (ImportResult, error) {
	target := opt.TargetApp
	if target == "" {
		target = b.App
	}
	groups, err := parseBundle(b, target)
	if err != nil {
		return ImportResult{App: target, DryRun: opt.DryRun}, err
	}
	var res ImportResult
	run := func(ops store.Ops, write bool) error {
		plan, err := planImport(ctx, ops, groups, target, opt)
		if err != nil {
			return err
		}
		res = summarize(plan, target, opt)
		if err := conflictError(plan, target); err != nil || !write {
			return err
		}
		at := s.stamp()
		for _, p := range plan {
			if err := writeImport(ctx, ops, p, opt, user, at); err != nil {
				return err
			}
		}
		return touchStamp(ctx, ops) // once for the whole import
	}
	if opt.DryRun {
		err = run(s.st, false)
	} else {
		err = s.st.Tx(ctx, func(tx store.Ops) error { return run(tx, true) })
		if err == nil {
			s.heads.drop()
		}
	}
	if err != nil && !errs.HasCode(err, ErrImportConflict.Code) {
		return ImportResult{App: target, DryRun: opt.DryRun}, err
	}
	return res, err
}

func bundleInvalid(fe []errs.FieldError) error {
	return errs.Validation(errs.Unprocessable, ErrInvalid.Code, "the bundle is invalid", fe)
}

// importGroup gathers the bundle entries of one definition: at most one
// published and one draft revision, prepared for the target app.
type importGroup struct {
	kind      Kind
	key       string
	index     int // of the first entry, for error paths
	published *Definition
	draft     *Definition
}

func (g *importGroup) ref() string { return string(g.kind) + "/" + g.key }

// latest is the spec the builder will open after the import.
func (g *importGroup) latest() *Definition {
	if g.draft != nil {
		return g.draft
	}
	return g.published
}

// parseBundle validates the bundle and every definition in it, renamed to
// the target app, and groups the entries by definition (app first).
func parseBundle(b Bundle, target string) ([]*importGroup, error) {
	var fe []errs.FieldError
	add := func(path, code, format string, args ...any) {
		fe = append(fe, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if b.Format != BundleFormat {
		add("format", "meta.bundle_format", "must be %q", BundleFormat)
	}
	switch {
	case b.FormatVersion > BundleFormatVersion:
		add("formatVersion", "meta.bundle_format", "the file was made by a newer Tangram; this server reads formatVersion %d", BundleFormatVersion)
	case b.FormatVersion != BundleFormatVersion:
		add("formatVersion", "meta.bundle_format", "must be %d", BundleFormatVersion)
	}
	if !ValidKey(b.App) {
		add("app", "meta.bad_name", keyRule)
	} else if !ValidKey(target) {
		add("app", "meta.bad_name", "target app %q: %s", target, keyRule)
	}
	switch n := len(b.Definitions); {
	case n == 0:
		add("definitions", "meta.items", "needs at least one definition")
	case n > maxImport:
		add("definitions", "meta.items", "takes at most %d definitions", maxImport)
	}
	if len(fe) > 0 {
		return nil, bundleInvalid(fe)
	}
	byRef := map[string]*importGroup{}
	var order []*importGroup
	for i, d := range b.Definitions {
		prefix := fmt.Sprintf("definitions[%d].", i)
		if d.App != "" && d.App != b.App {
			add(prefix+"app", "meta.bundle_app", "belongs to app %q, not to the bundle's app %q", d.App, b.App)
			continue
		}
		status := d.Status
		switch status {
		case "", StatusDraft:
			status = StatusDraft
		case StatusPublished:
		default:
			add(prefix+"status", "meta.status", "only draft and published revisions can be imported")
			continue
		}
		d.App = target
		if d.Kind == KindApp && d.Key == b.App {
			d.Key = target
		}
		pd, problems := prepare(d, prefix)
		if len(problems) > 0 {
			fe = append(fe, problems...)
			continue
		}
		pd.Status = status
		g := byRef[pd.Ref()]
		if g == nil {
			g = &importGroup{kind: pd.Kind, key: pd.Key, index: i}
			byRef[pd.Ref()] = g
			order = append(order, g)
		}
		slot := &g.draft
		if status == StatusPublished {
			slot = &g.published
		}
		if *slot != nil {
			add(prefix+"key", "meta.duplicate", "%s %q appears twice as %s", pd.Kind, d.Key, status)
			continue
		}
		*slot = &pd
	}
	if err := bundleInvalid(fe); err != nil {
		return nil, err
	}
	apps := make([]*importGroup, 0, len(order))
	for _, g := range order {
		if g.kind == KindApp {
			apps = append(apps, g)
		}
	}
	for _, g := range order {
		if g.kind != KindApp {
			apps = append(apps, g)
		}
	}
	return apps, nil
}

// importAction is what an import does to one definition.
type importAction int

const (
	importCreate importAction = iota
	importUpdate
	importUnchanged
	importConflict
)

type importPlan struct {
	g      *importGroup
	action importAction
	head   head // of an existing definition
	// skipPublished leaves out the bundle's published entry when a draft
	// follows it and writing it would change nothing users see: the draft
	// is published too (opt.Publish), or the target already publishes
	// that spec.
	skipPublished bool
}

// planImport decides each definition's action against the target app as
// ops sees it (inside the import's transaction for a real import).
func planImport(ctx context.Context, ops store.Ops, groups []*importGroup, target string, opt ImportOptions) ([]importPlan, error) {
	if groups[0].kind != KindApp {
		if err := requireApp(ctx, ops, target); err != nil {
			if errs.HasCode(err, ErrAppNotFound.Code) {
				return nil, bundleInvalid([]errs.FieldError{{Path: "definitions", Code: ErrAppNotFound.Code,
					Message: fmt.Sprintf("the bundle has no app definition and app %q does not exist", target)}})
			}
			return nil, err
		}
	}
	plan := make([]importPlan, 0, len(groups))
	for _, g := range groups {
		h, err := loadHead(ctx, ops, target, g.kind, g.key)
		switch {
		case errs.HasCode(err, ErrNotFound.Code):
			plan = append(plan, importPlan{g: g, action: importCreate, skipPublished: skipPublished(g, nil, opt)})
			continue
		case err != nil:
			return nil, err
		case !opt.Overwrite:
			plan = append(plan, importPlan{g: g, action: importConflict, head: h})
			continue
		}
		latest, published, err := currentSpecs(ctx, ops, h)
		if err != nil {
			return nil, err
		}
		action := importUpdate
		if sameAsTarget(g, latest, published, opt) {
			action = importUnchanged
		}
		plan = append(plan, importPlan{g: g, action: action, head: h, skipPublished: skipPublished(g, published, opt)})
	}
	return plan, nil
}

// currentSpecs reads the latest and the published (nil if none) spec of an
// existing definition.
func currentSpecs(ctx context.Context, ops store.Ops, h head) (latest, published json.RawMessage, err error) {
	cur, err := loadRevision(ctx, ops, h.App, h.Kind, h.Key, h.Latest)
	if err != nil {
		return nil, nil, err
	}
	switch h.Published {
	case 0:
		return cur.Spec, nil, nil
	case h.Latest:
		return cur.Spec, cur.Spec, nil
	}
	pub, err := loadRevision(ctx, ops, h.App, h.Kind, h.Key, h.Published)
	if err != nil {
		return nil, nil, err
	}
	return cur.Spec, pub.Spec, nil
}

// sameAsTarget reports whether the existing definition already has the
// specs the import would leave: the same latest spec and, where the import
// decides the published one, the same published spec.
func sameAsTarget(g *importGroup, latest, published json.RawMessage, opt ImportOptions) bool {
	if !sameJSON(g.latest().Spec, latest) {
		return false
	}
	switch {
	case opt.Publish:
		return published != nil && sameJSON(g.latest().Spec, published)
	case g.published != nil:
		return published != nil && sameJSON(g.published.Spec, published)
	}
	return true // the import leaves the published revision as it is
}

func skipPublished(g *importGroup, published json.RawMessage, opt ImportOptions) bool {
	if g.published == nil || g.draft == nil {
		return false
	}
	return opt.Publish || (published != nil && sameJSON(g.published.Spec, published))
}

// sameJSON compares two JSON texts by value (key order and spacing aside).
func sameJSON(a, b json.RawMessage) bool {
	da, ea := decodeAny(a)
	db, eb := decodeAny(b)
	return ea == nil && eb == nil && reflect.DeepEqual(da, db)
}

func decodeAny(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func summarize(plan []importPlan, target string, opt ImportOptions) ImportResult {
	r := ImportResult{App: target, DryRun: opt.DryRun, Created: []string{}, Updated: []string{}, Unchanged: []string{}, Conflicts: []string{}}
	for _, p := range plan {
		list := map[importAction]*[]string{importCreate: &r.Created, importUpdate: &r.Updated, importUnchanged: &r.Unchanged, importConflict: &r.Conflicts}[p.action]
		*list = append(*list, p.g.ref())
	}
	return r
}

func conflictError(plan []importPlan, target string) error {
	var fe []errs.FieldError
	for _, p := range plan {
		if p.action == importConflict {
			fe = append(fe, errs.FieldError{Path: fmt.Sprintf("definitions[%d].key", p.g.index), Code: ErrExists.Code,
				Message: fmt.Sprintf("%s %q exists in app %q; import with overwrite to add new revisions to it", p.g.kind, p.g.key, target)})
		}
	}
	return errs.Validation(ErrImportConflict.Class, ErrImportConflict.Code, ErrImportConflict.Msg, fe)
}
