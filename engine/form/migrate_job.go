package form

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Migration jobs. A migration's progress is a document of its own, written
// in the same transaction as each batch of records it converts, so a run
// that stops (a crash, a deadline, a lost connection) resumes exactly where
// the last committed batch ended and no record is converted twice. The
// job's id is derived from what it does (form, field, source and target
// definitions), so asking for the same migration again finds the same job.

// collMigrations holds the migration jobs of every form. Jobs are few (one
// per field change), so the collection needs no index beyond its ids.
const collMigrations = "form_migrations"

// Job statuses.
const (
	JobRunning = "running" // a pass is under way (or stopped and resumable)
	JobDone    = "done"    // the last pass reached the end of the records
)

var (
	fJobApp    = query.Field{Path: "app", Kind: query.KindString}
	fJobForm   = query.Field{Path: "form", Kind: query.KindString}
	fJobField  = query.Field{Path: "field", Kind: query.KindString}
	fJobFrom   = query.Field{Path: "fromType", Kind: query.KindString}
	fJobTo     = query.Field{Path: "toType", Kind: query.KindString}
	fJobStatus = query.Field{Path: "status", Kind: query.KindString}
	fJobCursor = query.Field{Path: "cursor", Kind: query.KindString}
	fJobPass   = query.Field{Path: "pass", Kind: query.KindInt}
	fJobDoneAt = query.Field{Path: "finishedAt", Kind: query.KindTime}
	fUpdatedAt = query.Field{Path: SysUpdatedAt, Kind: query.KindTime}
)

// migrationJob is the stored state of a migration.
type migrationJob struct {
	ID       string
	App      string
	Form     string
	Field    string
	Mode     string // "convert" or "fill"
	FromType string
	ToType   string
	Status   string
	// Pass counts the passes; each pass after the first converts only
	// the records written since the previous one finished (Since).
	Pass       int64
	Since      string
	Cursor     string // last record id of the last committed batch
	FinishedAt string
	Counts     MigrationCounts
}

func (j *migrationJob) doc() store.Doc {
	return store.Doc{
		"_id": j.ID, "app": j.App, "form": j.Form, "field": j.Field, "mode": j.Mode,
		"fromType": j.FromType, "toType": j.ToType, "status": j.Status, "pass": j.Pass,
		"since": j.Since, "cursor": j.Cursor, "finishedAt": j.FinishedAt,
		"scanned": j.Counts.Scanned, "changed": j.Counts.Changed, "unchanged": j.Counts.Unchanged,
		"failed": j.Counts.Failed, "cleared": j.Counts.Cleared, "batches": j.Counts.Batches,
	}
}

func jobFromDoc(d store.Doc) *migrationJob {
	s := func(k string) string { v, _ := d[k].(string); return v }
	return &migrationJob{
		ID: s("_id"), App: s("app"), Form: s("form"), Field: s("field"), Mode: s("mode"),
		FromType: s("fromType"), ToType: s("toType"), Status: s("status"), Pass: intOf(d["pass"]),
		Since: s("since"), Cursor: s("cursor"), FinishedAt: s("finishedAt"),
		Counts: MigrationCounts{Scanned: intOf(d["scanned"]), Changed: intOf(d["changed"]), Unchanged: intOf(d["unchanged"]),
			Failed: intOf(d["failed"]), Cleared: intOf(d["cleared"]), Batches: intOf(d["batches"])},
	}
}

// jobID names the job doing one migration: the same form, field, source
// and target (settings included), fill value and treatment of invalid
// values give the same id. A change between money and another number has
// one job whatever the settings: its conversion is not idempotent (fen
// look like whole units), so it must never run twice over a record, and
// a job's passes convert each record once.
func jobID(app, form, key string, from, to *Field, fill any, clear bool, unit bool) string {
	parts := []any{app, form, key, from.Type, to.Type}
	if unit {
		parts = append(parts, "unit")
	} else {
		parts = append(parts, canonicalField(from), canonicalField(to), fill, clear)
	}
	h := sha256.New()
	for _, part := range parts {
		b, _ := json.Marshal(part)
		h.Write(b)
		h.Write([]byte{0})
	}
	return "mig_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// canonicalField is a field's definition without its presentation (label,
// hints), with keys in a fixed order: two definitions storing values alike
// compare equal.
func canonicalField(f *Field) string {
	var m map[string]any
	if json.Unmarshal(f.Raw, &m) != nil {
		return string(f.Raw)
	}
	for _, k := range []string{"label", "description", "placeholder", "help", "hidden", "readOnly", "visibleWhen", "requiredWhen", "required", "width"} {
		delete(m, k)
	}
	b, _ := json.Marshal(m) // encoding/json sorts map keys
	return string(b)
}

// finishedMigration is the newest completed conversion of a form's field
// from one type to another, or nil.
func finishedMigration(ctx context.Context, ops store.Ops, app, form, key, fromType, toType string) (*migrationJob, error) {
	docs, err := ops.Find(ctx, collMigrations, store.Query{
		Filter: query.And(query.Eq(fJobApp, query.Str(app)), query.Eq(fJobForm, query.Str(form)), query.Eq(fJobField, query.Str(key)),
			query.Eq(fJobFrom, query.Str(fromType)), query.Eq(fJobTo, query.Str(toType)), query.Eq(fJobStatus, query.Str(JobDone))),
		Sort:  []query.SortKey{{Field: fJobDoneAt, Desc: true}},
		Limit: 1,
	})
	if err != nil || len(docs) == 0 {
		return nil, err
	}
	return jobFromDoc(docs[0]), nil
}

// loadJob reads a job; nil when there is none.
func loadJob(ctx context.Context, ops store.Ops, id string) (*migrationJob, error) {
	d, err := ops.Get(ctx, collMigrations, id)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return jobFromDoc(d), nil
}
