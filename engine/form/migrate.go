package form

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Migrations convert the stored values of one field so that a type change
// the save check refused (see evolution.go) becomes acceptable, or fill a
// field's empty values so that it can be made required. A dry run counts
// what a run would change and what it could not convert, without writing.
// A run converts records in id order, in batches, each batch one store
// transaction together with the job's progress (migrate_job.go), so it is
// resumable and converts every record at most once. Each converted record
// gets a new version and a history revision (its old value stays there);
// formulas reading the field are recomputed on the record's next write.

// MigrationRequest is what to migrate. Field is required; the target is
// one of ToType (the field's common properties and options with another
// type, whose settings take their defaults), To (a whole field object),
// Version (the field as defined in that revision of the form, draft or
// not) or, when none is given, the published definition (values that do
// not fit it are converted). Fill instead gives records without a value
// this one (as a client would send it).
type MigrationRequest struct {
	Field   string          `json:"field"`
	ToType  string          `json:"toType,omitempty"`
	To      json.RawMessage `json:"to,omitempty"`
	Version int             `json:"version,omitempty"`
	Fill    json.RawMessage `json:"fill,omitempty"`
	// OnInvalid is what happens to a value that cannot be converted:
	// "keep" (the default) leaves it as it is and counts it as failed;
	// "clear" removes it (the old value stays in the record's history).
	OnInvalid string `json:"onInvalid,omitempty"`
	// BatchSize is the number of records per transaction (default 500).
	BatchSize int `json:"batchSize,omitempty"`
	// DryRun counts without writing.
	DryRun bool `json:"-"`
	// Budget bounds the time one call spends; the job stays "running" and
	// the next call resumes it. 0 runs to the end.
	Budget time.Duration `json:"-"`
}

// MigrationCounts are what a pass did (or, dry, would do).
type MigrationCounts struct {
	Scanned   int64 `json:"scanned"`   // records looked at: holding a value (fill: without one)
	Changed   int64 `json:"changed"`   // records whose value is converted (or filled, or cleared)
	Unchanged int64 `json:"unchanged"` // values that already fit
	Failed    int64 `json:"failed"`    // values that cannot be converted and stay as they are
	Cleared   int64 `json:"cleared"`   // values that cannot be converted and are removed (onInvalid clear)
	Batches   int64 `json:"batches"`   // transactions committed
}

// MigrationSample is one value that cannot be converted.
type MigrationSample struct {
	ID      string `json:"id"`
	Value   any    `json:"value"`
	Problem string `json:"problem"`
}

// MigrationReport answers a migration request.
type MigrationReport struct {
	ID       string `json:"id"` // the job
	Field    string `json:"field"`
	Mode     string `json:"mode"` // "convert" or "fill"
	FromType string `json:"fromType"`
	ToType   string `json:"toType"`
	DryRun   bool   `json:"dryRun"`
	// Status is "dry-run", "running" (the call's time budget was spent:
	// call again to resume) or "done".
	Status string `json:"status"`
	Pass   int64  `json:"pass,omitempty"`
	MigrationCounts
	Samples []MigrationSample `json:"samples,omitempty"` // the first values that cannot be converted
	Next    string            `json:"next"`              // what to do next
}

// Limits of a request.
const (
	defaultMigrationBatch = 500
	maxMigrationBatch     = 5000
	maxSamples            = 20
)

// ErrMigrationBusy is the 409 of a run that lost its batch to another run
// of the same migration.
var ErrMigrationBusy = errs.New(errs.Conflict, "migration.busy", "another run of this migration is under way; try again when it ends")

// migrationPlan is a validated request against the published form.
type migrationPlan struct {
	f        *Form
	key      string
	from, to fieldDef
	fillMode bool
	fill     any  // stored form
	clear    bool // remove what cannot be converted
	unit     bool // money <-> number: see unitChange
	batch    int
	lang     string
	id       string
}

// Migrate dry-runs or runs a migration of one field of a published form.
// It needs the design right on the form: a migration rewrites every
// record, whatever the caller's row scope.
func (r *Records) Migrate(ctx context.Context, p *auth.Principal, app, form string, req MigrationRequest) (*MigrationReport, error) {
	if err := r.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindForm, Key: form}, access.Design); err != nil {
		return nil, err
	}
	pl, err := r.planMigration(ctx, app, form, req)
	if err != nil {
		return nil, err
	}
	if req.DryRun {
		return r.dryRunMigration(ctx, pl)
	}
	return r.runMigration(ctx, p, pl, req.Budget)
}

// badRequest is the 422 of a migration request, with every problem.
func badRequest(fe ...errs.FieldError) error {
	return errs.Validation(errs.Unprocessable, "migration.invalid", "the migration request is invalid", fe)
}

func reqErr(path, msg string, args ...any) errs.FieldError {
	return errs.FieldError{Path: path, Code: "migration.invalid", Message: fmt.Sprintf(msg, args...)}
}

// planMigration checks a request and resolves its source and target.
func (r *Records) planMigration(ctx context.Context, app, form string, req MigrationRequest) (*migrationPlan, error) {
	f, err := r.Form(ctx, app, form)
	if err != nil {
		return nil, err
	}
	pl := &migrationPlan{f: f, key: req.Field, lang: LangOf(ctx), batch: req.BatchSize, clear: req.OnInvalid == "clear"}
	var fe []errs.FieldError
	targets := 0
	for _, set := range []bool{req.ToType != "", len(req.To) > 0, req.Version != 0, len(req.Fill) > 0} {
		if set {
			targets++
		}
	}
	if targets > 1 {
		fe = append(fe, reqErr("", "give one of toType, to, version and fill"))
	}
	if req.OnInvalid != "" && req.OnInvalid != "keep" && req.OnInvalid != "clear" {
		fe = append(fe, reqErr("onInvalid", "must be \"keep\" or \"clear\""))
	}
	if pl.batch == 0 {
		pl.batch = defaultMigrationBatch
	} else if pl.batch < 1 || pl.batch > maxMigrationBatch {
		fe = append(fe, reqErr("batchSize", "must be between 1 and %d", maxMigrationBatch))
	}
	if req.Field == "" {
		fe = append(fe, reqErr("field", "name the field to migrate"))
	}
	if len(fe) > 0 {
		return nil, badRequest(fe...)
	}
	cur, current := f.byKey[req.Field]
	switch {
	case current && f.virtual[req.Field]:
		return nil, badRequest(reqErr("field", "%q is a %s field: its values are not stored", req.Field, cur.Type))
	case current:
		pl.from = fieldDef{cur, f.types[req.Field]}
	default:
		former, err := formerField(ctx, r.meta, app, form, req.Field)
		if err != nil {
			return nil, err
		}
		if former == nil {
			return nil, badRequest(reqErr("field", "the form has no field %q, and no published version of it had one", req.Field))
		}
		pl.from = *former
	}
	if len(req.Fill) > 0 {
		return pl, r.planFill(pl, current, req)
	}
	to, path, err := r.migrationTarget(ctx, app, form, pl, current, req)
	if err != nil {
		return nil, err
	}
	if to.computed() {
		return nil, badRequest(reqErr(path, "a %s field's values are computed by the engine, not migrated", to.f.Type))
	}
	if bad := to.t.Check(to.f); len(bad) > 0 {
		for i := range bad {
			bad[i].Path = joinRel(path, bad[i].Path)
		}
		return nil, badRequest(bad...)
	}
	pl.to, pl.unit = to, unitChange(pl.from, to)
	pl.id = jobID(app, form, req.Field, pl.from.f, to.f, nil, pl.clear, pl.unit)
	return pl, nil
}

// planFill checks a fill request: the field must be a published, stored,
// writable one, and the value valid for it.
func (r *Records) planFill(pl *migrationPlan, current bool, req MigrationRequest) error {
	if !current || pl.from.computed() {
		return badRequest(reqErr("field", "only a field of the published form whose values clients write can be filled"))
	}
	d := json.NewDecoder(bytes.NewReader(req.Fill))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || v == nil {
		return badRequest(reqErr("fill", "give the value to fill in, as a client would send it"))
	}
	out, fe := pl.from.t.Normalize(Ctx{Lang: pl.lang, Path: "fill"}, pl.from.f, v)
	if len(fe) > 0 {
		return badRequest(fe...)
	}
	if out == nil {
		return badRequest(reqErr("fill", "the value is empty"))
	}
	pl.fillMode, pl.fill, pl.to = true, out, pl.from
	pl.id = jobID(pl.f.App, pl.f.Key, pl.key, pl.from.f, pl.from.f, out, false, false)
	return nil
}

// migrationTarget resolves the target definition and the request path
// that names it (for errors).
func (r *Records) migrationTarget(ctx context.Context, app, form string, pl *migrationPlan, current bool, req MigrationRequest) (fieldDef, string, error) {
	var raw json.RawMessage
	path := "to"
	switch {
	case req.ToType != "":
		// The field as it is, with the new type: its common properties
		// and options stay; settings of the old type (a precision, a
		// pattern) and its default are left out, the new type's
		// defaults apply. Other settings need a whole "to".
		var m map[string]any
		_ = json.Unmarshal(pl.from.f.Raw, &m)
		keep := map[string]any{"key": req.Field, "type": req.ToType}
		for _, k := range []string{"label", "description", "required", "unique", "readOnly", "hidden", "visibleWhen", "requiredWhen", "options"} {
			if v, ok := m[k]; ok {
				keep[k] = v
			}
		}
		raw, _ = json.Marshal(keep)
		path = "toType"
	case len(req.To) > 0:
		raw = req.To
	case req.Version != 0:
		def, err := r.meta.GetVersion(ctx, app, meta.KindForm, form, req.Version)
		if err != nil {
			return fieldDef{}, "", badRequest(reqErr("version", "the form has no version %d", req.Version))
		}
		var spec formSpec
		_ = json.Unmarshal(def.Spec, &spec)
		fields, _ := DecodeFields(spec.Fields)
		for _, fd := range fields {
			if fd.Key == req.Field {
				raw = fd.Raw
			}
		}
		if raw == nil {
			return fieldDef{}, "", badRequest(reqErr("version", "version %d of the form has no field %q", req.Version, req.Field))
		}
		path = "version"
	case current:
		return pl.from, "field", nil
	default:
		return fieldDef{}, "", badRequest(reqErr("toType", "the field is not in the published form: name its target with toType, to or version"))
	}
	list, err := DecodeFields([]json.RawMessage{raw})
	if err != nil || len(list) == 0 {
		return fieldDef{}, "", badRequest(reqErr(path, "must be a field object"))
	}
	fd := list[0]
	if fd.Key == "" {
		fd.Key = req.Field
	}
	if fd.Key != req.Field {
		return fieldDef{}, "", badRequest(reqErr(path+".key", "the target's key must be %q: a field keeps its key across versions", req.Field))
	}
	t, ok := LookupFieldType(fd.Type)
	if !ok {
		return fieldDef{}, "", badRequest(reqErr(path, "unknown field type %q", fd.Type))
	}
	return fieldDef{fd, t}, path, nil
}

// filter selects the records a pass looks at: those holding a value (or,
// to fill, those without one), written after since when it is set.
func (pl *migrationPlan) filter(since string) *query.Node {
	n := query.Cmp(keyField(pl.key), query.OpExists, query.Bool(!pl.fillMode))
	if since != "" {
		n = query.And(n, query.Cmp(fUpdatedAt, query.OpGt, query.TimeV(since)))
	}
	return n
}

// outcome is what becomes of one stored value.
func (pl *migrationPlan) outcome(v any) (out any, changed bool, problem string) {
	if pl.fillMode {
		return pl.fill, true, ""
	}
	return convert(pl.from, pl.to, v, pl.lang)
}

// tally counts one value's outcome; it reports whether the record is to
// be written, and with which value.
func (pl *migrationPlan) tally(c *MigrationCounts, samples *[]MigrationSample, doc store.Doc) (any, bool) {
	c.Scanned++
	v := doc[pl.key]
	out, changed, problem := pl.outcome(v)
	switch {
	case problem != "" && !pl.clear:
		c.Failed++
		if len(*samples) < maxSamples {
			id, _ := doc[SysID].(string)
			*samples = append(*samples, MigrationSample{ID: id, Value: v, Problem: problem})
		}
		return nil, false
	case problem != "":
		c.Cleared++
		out, changed = nil, true
	case !changed:
		c.Unchanged++
		return nil, false
	}
	c.Changed++
	return out, true
}

// dryRunMigration counts what a run would do now.
func (r *Records) dryRunMigration(ctx context.Context, pl *migrationPlan) (*MigrationReport, error) {
	rep, err := r.pending(ctx, pl)
	if err != nil {
		return nil, err
	}
	rep.Next = pl.next(rep)
	return rep, nil
}

// pending counts, without writing, what a run would do now: the rest of a
// running pass, or a new pass over the records written since the last
// one finished.
func (r *Records) pending(ctx context.Context, pl *migrationPlan) (*MigrationReport, error) {
	job, err := loadJob(ctx, r.st, pl.id)
	if err != nil {
		return nil, err
	}
	since, after := "", ""
	if job != nil && job.Status == JobDone {
		since = job.FinishedAt
	} else if job != nil {
		since, after = job.Since, job.Cursor
	}
	rep := pl.report("dry-run")
	rep.DryRun = true
	err = scanRecords(ctx, r.st, pl.f.Coll, pl.filter(since), after, []string{pl.key}, func(doc store.Doc) error {
		pl.tally(&rep.MigrationCounts, &rep.Samples, doc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// unconvertible refuses a money <-> number run that would keep values it
// cannot convert: a later job could not tell them from converted ones, so
// such a conversion converts every value in one job or none.
func (pl *migrationPlan) unconvertible(failed int64, samples []MigrationSample) error {
	fe := make([]errs.FieldError, 0, len(samples))
	for _, s := range samples {
		fe = append(fe, errs.FieldError{Path: pl.key, Code: "migration.unconvertible",
			Message: fmt.Sprintf("record %s holds %s: %s", s.ID, shortJSON(s.Value), s.Problem)})
	}
	return &errs.Error{Class: errs.Unprocessable, Code: "migration.unconvertible", Fields: fe, Msg: fmt.Sprintf(
		"%d values of %q cannot be converted between money and %s; correct them, or run with \"onInvalid\": \"clear\" "+
			"to remove them: a conversion of amounts must convert every value, and nothing was written", failed, pl.key, pl.other())}
}

// other is the type that is not money in a unit change.
func (pl *migrationPlan) other() string {
	if pl.from.isMoney() {
		return pl.to.f.Type
	}
	return pl.from.f.Type
}

// report starts the report of the plan.
func (pl *migrationPlan) report(status string) *MigrationReport {
	mode := "convert"
	if pl.fillMode {
		mode = "fill"
	}
	return &MigrationReport{ID: pl.id, Field: pl.key, Mode: mode, FromType: pl.from.f.Type, ToType: pl.to.f.Type, Status: status}
}

// next says what to do after this report.
func (pl *migrationPlan) next(rep *MigrationReport) string {
	var s string
	switch {
	case rep.Status == JobRunning:
		return "this call's time ran out before the end; call again (without dryRun) to resume where it stopped"
	case rep.DryRun && rep.Changed == 0 && rep.Failed == 0:
		return "nothing to change"
	case rep.DryRun:
		s = fmt.Sprintf("run again without dryRun to write %d records", rep.Changed)
	case pl.fillMode:
		return fmt.Sprintf("every record has a value for %q now: it can be made required", pl.key)
	case pl.to.f == pl.from.f || canonicalField(pl.to.f) == canonicalField(pl.from.f):
		s = fmt.Sprintf("the values of %q fit its published definition", pl.key)
	default:
		s = fmt.Sprintf("now save and publish the form with %q as %s (the save check accepts it now)", pl.key, pl.to.f.Type)
	}
	if rep.Failed > 0 {
		s += fmt.Sprintf("; %d values cannot be converted: correct them, or run with \"onInvalid\": \"clear\" to remove them (their old values stay in each record's history)", rep.Failed)
	}
	return s
}
