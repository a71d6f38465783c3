package form

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Schema evolution. A form changes by saving a draft and publishing it;
// its records stay as they were stored and are read through whichever
// version is published. So a change is judged by the records it would
// strand: when a form with records is saved, checkEvolution compares it
// field by field (a field's key is its identity) with the published
// version and refuses, at the path of the field and with the way out,
// what would leave stored values invalid. The rules:
//
//   - Renaming (a new label, same key) touches no data: accepted.
//   - Adding a field: accepted. When records still hold values under its
//     key (a field removed earlier and added back), it is judged as a type
//     change from the definition the key last had.
//   - Removing a field: accepted. The values stay in the records, unread
//     (the records service shows the published fields only), and come
//     back if a field with that key is added again.
//   - Making a field required, or adding a required one, while live
//     records have no value for it: refused; a default would only fill new
//     records. Fill the old ones with a migration first.
//   - Changing a field's type, or its stored representation (a number's
//     precision from 0 to 2 turns integers into decimals), is judged by
//     verdictOf below.
//   - Other settings of the same type (options retired, bounds tightened):
//     accepted. Stored values are not revalidated; they are shown as
//     stored and checked again only when a client writes the field.
//
// The check runs on save, so it sees the records as of then: records
// written with the old definition between the save and the publish are
// not seen. Reads never fail on such values: they are shown as stored.

func init() { meta.AddCrossCheck(meta.KindForm, checkEvolution) }

// verdict is how a field change is judged.
type verdict int

const (
	sameValues    verdict = iota // the stored representation does not change
	valuesMustFit                // every stored value must be valid for the new definition
	needsConvert                 // money <-> number: values must be migrated whatever they look like
	toComputed                   // the engine would compute the values: refused while values are stored
)

// verdictOf judges a change of a field's definition, by type and stored
// representation:
//
//	same type, same stored kind               -> sameValues
//	to a computed type (formula, rollup, ...) -> toComputed (also a
//	                                             computed value's new kind)
//	money <-> another number                  -> needsConvert (fen vs yuan)
//	anything else                             -> valuesMustFit
//
// valuesMustFit lets the data decide: text -> textarea, select -> text,
// integer -> decimal and autonumber -> text fit unless the new settings
// are narrower (a shorter maxLength, a lower max); text -> select
// fits when every value is an option, text -> number when every value is
// a number already stored as one (text "12" is not: it must be converted),
// decimal -> integer when every value is whole. Whatever does not fit is
// converted by a migration (engine/form/migrate.go).
func verdictOf(from, to fieldDef) verdict {
	fs, ts := from.stored(), to.stored()
	switch {
	case from.f.Type == to.f.Type && fs.Kind == ts.Kind && fs.Array == ts.Array:
		return sameValues
	case to.computed():
		// Another computed type, or a computed value of another kind
		// (a formula's resultType): the engine recomputes values only
		// when each record is written, and a migration cannot compute.
		return toComputed
	case unitChange(from, to):
		return needsConvert
	}
	return valuesMustFit
}

// evolution is one save being checked against the published form.
type evolution struct {
	st   store.Store
	meta *meta.Service
	old  *Form
}

// checkEvolution is the cross check run when a form is saved. A form
// never published, or published without records, may change freely.
func checkEvolution(ctx context.Context, s *meta.Service, d meta.Definition) []errs.FieldError {
	pub, err := s.Published(ctx, d.App, meta.KindForm, d.Key)
	if errs.ClassOf(err) == errs.NotFound {
		return nil
	}
	if err != nil {
		return unchecked()
	}
	var spec formSpec
	if json.Unmarshal(d.Spec, &spec) != nil {
		return nil // the meta-schema reports the shape
	}
	next, err := DecodeFields(spec.Fields)
	if err != nil {
		return nil
	}
	old, err := Compile(pub)
	if err != nil {
		// The published version no longer compiles (a plugin type was
		// removed): its records cannot be read through it anyway, and a
		// new version is the way out, so there is nothing to protect.
		return nil
	}
	ev := &evolution{st: s.Store(), meta: s, old: old}
	n, err := ev.st.Count(ctx, old.Coll, nil)
	if err != nil {
		return unchecked()
	}
	if n == 0 {
		return nil
	}
	fe, err := ev.check(ctx, next)
	if err != nil {
		return unchecked()
	}
	return fe
}

// unchecked reports a save that could not be checked against the records
// (the store failed): refusing is safe, accepting might strand data. The
// store's error is an internal detail and is not shown.
func unchecked() []errs.FieldError {
	return []errs.FieldError{{Path: "spec", Code: "form.evolution_unchecked",
		Message: "the records of this form could not be checked against the change; try again"}}
}

// fieldChange is one field whose stored values the change concerns.
type fieldChange struct {
	path     string // "spec.fields[i]"
	from, to fieldDef
	verdict  verdict
}

// check judges every field of the new version.
func (ev *evolution) check(ctx context.Context, next []*Field) ([]errs.FieldError, error) {
	var fe []errs.FieldError
	var mustFit []*fieldChange
	for i, fd := range next {
		t, ok := LookupFieldType(fd.Type)
		if fd.Key == "" || !ok {
			continue // CheckSpec reports it
		}
		path := fmt.Sprintf("spec.fields[%d]", i)
		to := fieldDef{fd, t}
		prev, had := ev.old.byKey[fd.Key]
		ch, err := ev.changeOf(ctx, path, prev, to)
		if err != nil {
			return nil, err
		}
		if ch != nil {
			more, err := ev.judge(ctx, ch)
			if err != nil {
				return nil, err
			}
			fe = append(fe, more...)
			if ch.verdict == valuesMustFit {
				mustFit = append(mustFit, ch)
			}
		}
		if fd.Required && !to.computed() && (!had || !prev.Required) {
			more, err := ev.checkRequired(ctx, path, fd)
			if err != nil {
				return nil, err
			}
			fe = append(fe, more...)
		}
	}
	more, err := ev.checkFit(ctx, mustFit)
	if err != nil {
		return nil, err
	}
	return append(fe, more...), nil
}

// changeOf is the change of one field with its verdict, nil when no
// stored value is concerned. prev is the published definition, nil for an
// added field: one added back over values that records still hold is
// judged against the definition the key last had, or, when no published
// version ever had it, its values must simply fit.
func (ev *evolution) changeOf(ctx context.Context, path string, prev *Field, to fieldDef) (*fieldChange, error) {
	key := to.f.Key
	if prev != nil {
		from := fieldDef{prev, ev.old.types[key]}
		return &fieldChange{path: path, from: from, to: to, verdict: verdictOf(from, to)}, nil
	}
	held, err := ev.count(ctx, query.Cmp(keyField(key), query.OpExists, query.Bool(true)))
	if err != nil || held == 0 {
		return nil, err
	}
	former, err := ev.formerField(ctx, key)
	if err != nil {
		return nil, err
	}
	if former == nil {
		return &fieldChange{path: path, from: to, to: to, verdict: valuesMustFit}, nil
	}
	return &fieldChange{path: path, from: *former, to: to, verdict: verdictOf(*former, to)}, nil
}

// judge applies the verdicts that need no scan of the values.
func (ev *evolution) judge(ctx context.Context, ch *fieldChange) ([]errs.FieldError, error) {
	key := ch.to.f.Key
	switch ch.verdict {
	case toComputed:
		n, err := ev.count(ctx, query.Cmp(keyField(key), query.OpExists, query.Bool(true)))
		if err != nil || n == 0 {
			return nil, err
		}
		return []errs.FieldError{{Path: ch.path + ".type", Code: "form.type_change_refused", Message: fmt.Sprintf(
			"%d records hold values of %q; a %s field's value is computed by the engine, so these would stay as stored, "+
				"of another kind, until each record is written again. Add a new %s field and remove this one instead "+
				"(its values stay in the records)", n, key, ch.to.f.Type, ch.to.f.Type)}}, nil
	case needsConvert:
		return ev.judgeConverted(ctx, ch)
	}
	return nil, nil
}

// judgeConverted accepts a money <-> number change once a migration has
// converted every value and nothing was written after it.
func (ev *evolution) judgeConverted(ctx context.Context, ch *fieldChange) ([]errs.FieldError, error) {
	key := ch.to.f.Key
	held := query.Cmp(keyField(key), query.OpExists, query.Bool(true))
	n, err := ev.count(ctx, held)
	if err != nil || n == 0 {
		return nil, err
	}
	refuse := func(why string) []errs.FieldError {
		return []errs.FieldError{{Path: ch.path + ".type", Code: "form.type_change_needs_migration", Message: fmt.Sprintf(
			"%q changes between money (stored in fen) and %s (stored in whole units), so its %d stored values must be "+
				"converted by a migration: no check of the values can tell a converted one from an unconverted one, and %s. %s",
			key, otherThanMoney(ch), n, why, migrationHint(ev.old, key, ch.to.f.Type))}}
	}
	job, err := finishedMigration(ctx, ev.st, ev.old.App, ev.old.Key, key, ch.from.f.Type, ch.to.f.Type)
	if err != nil {
		return nil, err
	}
	switch {
	case job == nil:
		return refuse("no migration has converted them yet"), nil
	case job.Counts.Failed > 0:
		return refuse(fmt.Sprintf("the last migration left %d values it could not convert (run it with \"onInvalid\": \"clear\", or correct them)", job.Counts.Failed)), nil
	}
	later, err := ev.count(ctx, query.And(held, query.Cmp(fUpdatedAt, query.OpGt, query.TimeV(job.FinishedAt))))
	if err != nil || later == 0 {
		return nil, err
	}
	return refuse(fmt.Sprintf("%d records were written after the migration finished and may hold unconverted values; run the migration again (it converts only those)", later)), nil
}

func otherThanMoney(ch *fieldChange) string {
	if ch.from.isMoney() {
		return ch.to.f.Type
	}
	return ch.from.f.Type
}

// checkRequired refuses a required field that live records leave empty.
func (ev *evolution) checkRequired(ctx context.Context, path string, fd *Field) ([]errs.FieldError, error) {
	n, err := ev.count(ctx, query.And(query.Cmp(fDeleted, query.OpNe, query.Bool(true)),
		query.Cmp(keyField(fd.Key), query.OpExists, query.Bool(false))))
	if err != nil || n == 0 {
		return nil, err
	}
	return []errs.FieldError{{Path: path + ".required", Code: "form.required_without_value", Message: fmt.Sprintf(
		"%d records have no value for %q, so none of them could be saved again without one (a default fills new records only). "+
			"Add the field as optional, fill the existing records with POST /api/apps/%s/forms/%s/migrations "+
			"{\"field\": %q, \"fill\": <value>}, then make it required", n, fd.Key, ev.old.App, ev.old.Key, fd.Key)}}, nil
}

// checkFit reads every stored value of the fields whose values must fit
// their new definition, in one pass over the records (deleted ones too:
// they can be restored), and refuses each field with values that do not.
func (ev *evolution) checkFit(ctx context.Context, changes []*fieldChange) ([]errs.FieldError, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	type tally struct {
		bad, held int64
		sample    string
	}
	tallies := make([]tally, len(changes))
	keys := make([]string, len(changes))
	var held []*query.Node
	for i, ch := range changes {
		keys[i] = ch.to.f.Key
		held = append(held, query.Cmp(keyField(keys[i]), query.OpExists, query.Bool(true)))
	}
	err := scanRecords(ctx, ev.st, ev.old.Coll, query.Or(held...), "", keys, func(doc store.Doc) error {
		for i, ch := range changes {
			v, ok := doc[keys[i]]
			if !ok || v == nil {
				continue
			}
			tallies[i].held++
			if fits(ch.to, v) {
				continue
			}
			if tallies[i].bad++; tallies[i].sample == "" {
				why := "which a migration converts"
				if _, _, problem := convert(ch.from, ch.to, v, "en"); problem != "" {
					why = "which cannot be converted: " + problem
				}
				tallies[i].sample = fmt.Sprintf("record %v holds %s, %s", doc[SysID], shortJSON(v), why)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var fe []errs.FieldError
	for i, ch := range changes {
		t := tallies[i]
		if t.bad == 0 {
			continue
		}
		fe = append(fe, errs.FieldError{Path: ch.path + ".type", Code: "form.type_change_needs_migration", Message: fmt.Sprintf(
			"%d of the %d stored values of %q are not valid %s values as stored (e.g. %s). %s",
			t.bad, t.held, keys[i], describe(ch.to), t.sample, migrationHint(ev.old, keys[i], ch.to.f.Type))})
	}
	return fe, nil
}

// describe names a field's definition for messages.
func describe(d fieldDef) string {
	st := d.stored()
	switch {
	case d.f.Type == "number" && st.Kind == query.KindInt:
		return "whole number"
	case d.f.Type == "number":
		return "decimal number"
	}
	return d.f.Type
}

// migrationHint says how to convert the values, and that a dry run counts
// them first.
func migrationHint(f *Form, key, toType string) string {
	return fmt.Sprintf("Convert them first with POST /api/apps/%s/forms/%s/migrations?dryRun=true "+
		"{\"field\": %q, \"toType\": %q} (counts what would change or fail), then without dryRun, then save again", f.App, f.Key, key, toType)
}

// shortJSON renders a value for a message, cut to a readable length.
func shortJSON(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return s
}

// formerField is the definition a key had in the newest published (or
// once published) version of the form that had it; nil when none did.
func (ev *evolution) formerField(ctx context.Context, key string) (*fieldDef, error) {
	return formerField(ctx, ev.meta, ev.old.App, ev.old.Key, key)
}

func formerField(ctx context.Context, m *meta.Service, app, form, key string) (*fieldDef, error) {
	versions, err := m.Versions(ctx, app, meta.KindForm, form)
	if err != nil {
		return nil, err
	}
	for _, d := range versions { // newest first
		if d.Status != meta.StatusPublished && d.Status != meta.StatusSuperseded {
			continue
		}
		var spec formSpec
		if json.Unmarshal(d.Spec, &spec) != nil {
			continue
		}
		fields, err := DecodeFields(spec.Fields)
		if err != nil {
			continue
		}
		for _, fd := range fields {
			if fd.Key != key {
				continue
			}
			if t, ok := LookupFieldType(fd.Type); ok {
				return &fieldDef{fd, t}, nil
			}
		}
	}
	return nil, nil
}

func (ev *evolution) count(ctx context.Context, filter *query.Node) (int64, error) {
	return ev.st.Count(ctx, ev.old.Coll, filter)
}

// keyField addresses a top-level stored value for exists and projection
// filters, whatever its kind.
func keyField(key string) query.Field { return query.Field{Path: key, Kind: query.KindString} }

// scanBatch is how many records one read of a scan returns.
const scanBatch = 5000

// scanRecords calls fn for every record matching filter whose id is
// after after ("" for all), in id order, reading scanBatch records (only
// the fields named, and the id) at a time.
func scanRecords(ctx context.Context, ops store.Ops, coll string, filter *query.Node, after string, fields []string, fn func(store.Doc) error) error {
	for {
		q := store.Query{Filter: filter, Sort: []query.SortKey{{Field: fID}}, Limit: scanBatch, Fields: fields}
		if after != "" {
			q.Filter = query.And(filter, query.Cmp(fID, query.OpGt, query.Str(after)))
		}
		docs, err := ops.Find(ctx, coll, q)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if err := fn(d); err != nil {
				return err
			}
		}
		if len(docs) < scanBatch {
			return nil
		}
		after, _ = docs[len(docs)-1][SysID].(string)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// hideRemoved drops the values a record still holds for fields the form no
// longer has: they stay stored (a field added back with the key finds
// them) but are no part of the record as the published form describes it.
func (f *Form) hideRemoved(doc store.Doc) {
	for k := range doc {
		if _, ok := f.byKey[k]; !ok && !strings.HasPrefix(k, "_") {
			delete(doc, k)
		}
	}
}
