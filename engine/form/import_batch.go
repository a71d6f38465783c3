package form

import (
	"context"
	"errors"
	"hash/fnv"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Writing a batch of import rows. A create through the API is one store
// transaction, so a create costs a durable commit; an import of a million
// rows cannot afford that. Here the consecutive new rows of a batch are
// created in one transaction, by the steps and with the functions of
// Records.create, in the same order: normalizeInput, applyDefaults,
// evalFormulas and checkRequired before the transaction; checkRelations,
// checkClaims and the row scope inside it, then, for the rows that passed,
// the auto-numbers (one counter update for the batch: takeNumbers),
// moveClaims, the insert and the history revision, and the rollups. A row
// that fails a check is left out before anything of it is written, so the
// others still commit. The records an import creates are audited by the
// import's one "record.import" entry (who, when, which form, how many,
// with the request id) rather than one "record.create" entry each: each
// record's history already names its creator and time, and a million
// audit entries would make the audit log useless and the import a third
// slower (measured). Upserted rows go through Records.patch and keep its
// per-record entries. The few failures that can only happen after a
// row's first write (a unique value claimed by a concurrent writer between
// check and claim, a formula over a fresh auto-number failing) abandon the
// batch's transaction and the batch is redone row by row through
// Records.create, each row in its own transaction as through the API.
// Rollups are recomputed once per parent per batch, not once per row.
// A step added to Records.create (an outbox event, say) belongs here too:
// TestExportImportRoundTrip compares records stored by both paths.

// importRow is one data row on its way into the store.
type importRow struct {
	row    int
	input  map[string]any
	id     string            // the _id cell, for UpsertBy _id
	fe     []errs.FieldError // problems found before the store: cells, duplicates, validation
	target string            // the record an upsert patches; "" creates
	rec    store.Doc         // a create's record, validated and computed
	err    error             // the row's failure
	done   bool              // written (in a dry run: would be)
	marks  []uint64          // the row's entries in the duplicate tracker
}

// Transaction outcomes that are no store errors.
var (
	errImportStop = errs.New(errs.Internal, "import.stop", "the import stops at a failing row")
	errRowByRow   = errs.New(errs.Internal, "import.row_by_row", "the batch is redone row by row")
)

// writeBatch validates and, unless the pass is dry, writes rows; then it
// adds their outcomes to res. An error is a store or context failure.
func (im *Importer) writeBatch(ctx context.Context, res *ImportResult, st *passState, rows []*importRow) error {
	if err := im.resolveTargets(ctx, rows); err != nil {
		return err
	}
	for _, row := range rows {
		if err := im.prepare(ctx, st, row); err != nil {
			return err
		}
	}
	end := len(rows) // rows past a stop are neither written nor failed
	for i := 0; i < len(rows); {
		row, j := rows[i], i+1
		switch {
		case row.err != nil:
		case row.target != "":
			if err := im.update(ctx, row, st.dry); err != nil {
				return err
			}
		default:
			for j < len(rows) && rows[j].target == "" && rows[j].err == nil {
				j++
			}
			if err := im.createRun(ctx, rows[i:j], st); err != nil {
				return err
			}
		}
		if st.stop {
			for k, r := range rows[i:j] {
				if r.err != nil {
					st.stopped, res.StoppedAt, res.Outcome = true, r.row, OutcomePartial
					end = i + k + 1
					break
				}
			}
		}
		if st.stopped {
			break
		}
		i = j
	}
	for _, row := range rows[:end] {
		switch {
		case row.done && row.target != "":
			res.Updated++
		case row.done:
			res.Created++
		case row.err != nil:
			res.Failed++
			im.addErrors(res, row.row, row.err)
			st.seen.forget(row)
		}
	}
	return nil
}

// resolveTargets finds the records upserted rows patch: by id, or by the
// claim of the unique value (one query per batch).
func (im *Importer) resolveTargets(ctx context.Context, rows []*importRow) error {
	key := im.o.UpsertBy
	if key == "" {
		return nil
	}
	byClaim := map[string][]*importRow{}
	var ids []query.Value
	for _, row := range rows {
		if key == SysID {
			row.target = row.id
			continue
		}
		v, ok := row.input[key]
		if !ok {
			continue
		}
		nv, bad := im.f.types[key].Normalize(Ctx{Lang: im.lang, Path: key}, im.f.byKey[key], v)
		if len(bad) > 0 || nv == nil {
			continue // validation reports it
		}
		cid := claimID(im.f, key, nv)
		if byClaim[cid] == nil {
			ids = append(ids, query.Str(cid))
		}
		byClaim[cid] = append(byClaim[cid], row)
	}
	if len(ids) == 0 {
		return nil
	}
	claims, err := im.r.st.Find(ctx, collUnique, store.Query{Filter: &query.Node{Op: query.OpIn, Field: fID, Values: ids}, Limit: len(ids)})
	if err != nil {
		return err
	}
	for _, c := range claims {
		cid, _ := c[SysID].(string)
		rid, _ := c["record"].(string)
		for _, row := range byClaim[cid] {
			row.target = rid
		}
	}
	return nil
}

// prepare checks a row's rights, validates a create before the store, and
// finds values repeated from earlier rows of the file.
func (im *Importer) prepare(ctx context.Context, st *passState, row *importRow) error {
	d, derr := im.dCreate, im.errCreate
	if row.target != "" {
		d, derr = im.dUpdate, im.errUpdate
	}
	if d == nil {
		row.err = derr
		return nil
	}
	var vals map[string]any
	if row.target == "" {
		if err := d.CheckWrite(fieldKeys(im.f, row.input)); err != nil {
			row.err = err
			return nil
		}
		if err := im.prepareCreate(ctx, row); err != nil {
			return err
		}
		vals = map[string]any{}
		for _, k := range im.f.unique {
			if v := row.rec[k]; v != nil {
				vals[k] = v
			}
		}
	} else {
		if len(row.fe) > 0 {
			// Report the row's every problem, not only the cells'.
			_, more := im.f.normalizeInput(im.lang, row.input, isSystem(im.p))
			row.err = invalidRecord(im.lang, append(row.fe, more...))
			return nil
		}
		vals = im.uniqueInputs(row)
	}
	dups := st.seen.check(row, vals, im.lang)
	row.fe = append(row.fe, dups...)
	if len(row.fe) == 0 {
		st.seen.add(row, vals)
	} else if row.target != "" {
		row.err = invalidRecord(im.lang, row.fe)
	}
	return nil
}

// prepareCreate is the part of Records.create before its transaction.
func (im *Importer) prepareCreate(ctx context.Context, row *importRow) error {
	f, r, lang := im.f, im.r, im.lang
	rec, fe := f.normalizeInput(lang, row.input, isSystem(im.p))
	for k, v := range rec {
		if v == nil {
			delete(rec, k)
		}
	}
	id, now := store.NewID(), r.stamp()
	rec[SysID], rec[SysVersion], rec[SysDeleted] = id, int64(1), false
	rec[SysCreatedAt], rec[SysUpdatedAt] = now, now
	rec[SysCreatedBy], rec[SysUpdatedBy] = im.p.Actor(), im.p.Actor()
	bad, err := f.applyDefaults(ctx, r.scripts, rec, lang)
	if err != nil {
		return err
	}
	fe = append(fe, bad...)
	if bad, err = f.evalFormulas(ctx, r.scripts, rec, lang, false); err != nil {
		return err
	}
	all := append(append(row.fe, fe...), bad...)
	row.fe = append(all, f.checkRequired(lang, rec, all)...)
	setFileIDs(f, rec)
	row.rec = rec
	return nil
}

// uniqueInputs are an upserted row's unique values in stored form, and
// its id.
func (im *Importer) uniqueInputs(row *importRow) map[string]any {
	vals := map[string]any{SysID: row.target}
	for _, k := range im.f.unique {
		if v, ok := row.input[k]; ok {
			if nv, bad := im.f.types[k].Normalize(Ctx{Lang: im.lang, Path: k}, im.f.byKey[k], v); len(bad) == 0 && nv != nil {
				vals[k] = nv
			}
		}
	}
	return vals
}

// update patches an upserted row's record, as PATCH would.
func (im *Importer) update(ctx context.Context, row *importRow, dry bool) error {
	o := WriteOptions{Lang: im.lang, IP: im.o.IP, RequestID: im.o.RequestID, DryRun: dry}
	_, err := im.r.patch(ctx, im.p, im.f, im.dUpdate, row.target, row.input, 0, o, patchMode{op: OpUpdate})
	return im.settle(row, err)
}

// settle records a row's outcome; an error that is no row problem is
// returned to end the import.
func (im *Importer) settle(row *importRow, err error) error {
	if err == nil {
		row.done = true
		return nil
	}
	if e, ok := errs.As(err); !ok || e.Class == errs.Internal {
		return err
	}
	row.err = err
	return nil
}

// createRun creates consecutive new rows in one transaction. With st.stop
// the transaction is abandoned at the first failing row and the rows
// before it are written again without it, so that every row before the
// failure is written and none after.
func (im *Importer) createRun(ctx context.Context, run []*importRow, st *passState) error {
	f, r, lang := im.f, im.r, im.lang
	scope, err := im.dCreate.Filter(f.QFields)
	if err != nil {
		return err
	}
	every := store.Doc{}
	for k := range f.relations {
		every[k] = true
	}
	targets, err := r.relationTargets(ctx, im.p, f, nil, every)
	if err != nil {
		return err
	}
	links, err := r.rollupLinks(ctx, f)
	if err != nil {
		return err
	}
	plan, err := r.prepareNumbers(ctx, f)
	if err != nil {
		return err
	}
	failed := -1
	err = r.st.Tx(ctx, func(tx store.Ops) error {
		failed = -1
		var valid []*importRow
		for i, row := range run {
			row.done, row.err = false, nil
			all := append([]errs.FieldError(nil), row.fe...)
			more, err := checkRelations(ctx, tx, f, targets, row.rec, lang)
			if err != nil {
				return err
			}
			all = append(all, more...)
			if more, err = checkFiles(ctx, tx, f, row.rec, nil, lang); err != nil {
				return err
			}
			all = append(all, more...)
			keys := unreported(uniqueChanges(f, nil, row.rec), row.fe)
			if more, err = checkClaims(ctx, tx, f, row.rec[SysID].(string), row.rec, keys, lang); err != nil {
				return err
			}
			row.err = invalidRecord(lang, append(all, more...))
			if row.err == nil && !Match(scope, row.rec) {
				row.err = coded(lang, errs.Forbidden, "record.out_of_scope")
			}
			switch {
			case row.err == nil:
				valid = append(valid, row)
			case st.stop:
				failed = i
				return errImportStop
			}
		}
		// After validation, as in create: a failed row takes no number.
		if err := im.takeNumbers(ctx, tx, plan, valid); err != nil {
			return err
		}
		if len(f.autoNumbers) > 0 {
			for _, row := range valid {
				bad, err := f.evalFormulas(ctx, r.scripts, row.rec, lang, true)
				if err != nil {
					return err
				}
				if len(bad) > 0 || !Match(scope, row.rec) {
					return errRowByRow // the row's own rollback must return its number
				}
			}
		}
		if st.dry {
			for _, row := range valid {
				row.done = true
			}
			return errDryRun
		}
		parents := make([]map[string]bool, len(links))
		for _, row := range valid {
			id := row.rec[SysID].(string)
			if err := moveClaims(ctx, tx, f, id, nil, row.rec, uniqueChanges(f, nil, row.rec), lang); err != nil {
				if errs.ClassOf(err) == errs.Unprocessable {
					return errRowByRow
				}
				return err
			}
			if _, err := tx.Insert(ctx, f.Coll, row.rec); err != nil {
				return err
			}
			keys, _, newVals := diff(f, nil, row.rec)
			rv := Revision{Rev: 1, Op: OpCreate, At: row.rec[SysCreatedAt].(string), Fields: keys, New: newVals}
			if err := writeRevision(ctx, tx, f, im.p, id, rv); err != nil {
				return err
			}
			for li, l := range links {
				ids, _, _ := relationIDs(l.rel.key, row.rec[l.rel.key])
				for _, pid := range ids {
					if parents[li] == nil {
						parents[li] = map[string]bool{}
					}
					parents[li][pid] = true
				}
			}
			row.done = true
		}
		for li, l := range links {
			for _, pid := range sortedKeys(parents[li]) {
				if err := r.recomputeParent(ctx, tx, l, pid, lang); err != nil {
					return err
				}
			}
		}
		return nil
	})
	switch {
	case err == nil, errors.Is(err, errDryRun):
		return nil
	case errors.Is(err, errImportStop):
		for _, row := range run {
			row.done = false
		}
		if failed > 0 {
			return im.createRun(ctx, run[:failed], st)
		}
		return nil
	case errors.Is(err, errRowByRow), errs.HasCode(err, store.ErrDuplicate.Code):
		return im.createOneByOne(ctx, run, st)
	}
	for _, row := range run {
		row.done = false
	}
	return err
}

// takeNumbers gives rows the next numbers of every auto-number field with
// one update of assignNumbers' counter per field, advanced by the number
// of rows at once, in the rows' order.
func (im *Importer) takeNumbers(ctx context.Context, tx store.Ops, plan *numberPlan, rows []*importRow) error {
	if plan == nil || len(rows) == 0 {
		return nil
	}
	n := int64(len(rows))
	for _, a := range im.f.autoNumbers {
		id := counterID(im.f, a.key, plan.periods[a.key])
		doc, err := tx.Update(ctx, collCounters, id, store.Patch{Inc: map[string]int64{"n": n}}, nil)
		if errs.HasCode(err, store.ErrNotFound.Code) {
			doc = store.Doc{"_id": id, "n": n}
			_, err = tx.Insert(ctx, collCounters, doc)
		}
		if err != nil {
			return err
		}
		first, pattern := intOf(doc["n"])-n+1, AutoNumberPattern(a.fd)
		for i, row := range rows {
			row.rec[a.key] = FormatAutoNumber(pattern, plan.at, first+int64(i))
		}
	}
	return nil
}

// unreported drops the keys already reported (a value repeated in the
// file is not also "taken" by the earlier row's claim).
func unreported(keys []string, fe []errs.FieldError) []string {
	var out []string
	for _, k := range keys {
		seen := false
		for _, e := range fe {
			seen = seen || e.Path == k
		}
		if !seen {
			out = append(out, k)
		}
	}
	return out
}

// createOneByOne writes rows through Records.create, each in its own
// transaction: the fallback when a batch cannot commit as one.
func (im *Importer) createOneByOne(ctx context.Context, run []*importRow, st *passState) error {
	o := WriteOptions{Lang: im.lang, IP: im.o.IP, RequestID: im.o.RequestID, DryRun: st.dry}
	for _, row := range run {
		row.done, row.err = false, nil
		if len(row.fe) > 0 {
			row.err = invalidRecord(im.lang, row.fe)
		} else {
			_, err := im.r.create(ctx, im.p, im.f, im.dCreate, row.input, o)
			if err := im.settle(row, err); err != nil {
				return err
			}
		}
		if row.err != nil && st.stop {
			return nil
		}
	}
	return nil
}

// dupTracker remembers, as 64-bit hashes, the unique values of the rows
// read so far, so a value repeated in the file is reported at its second
// row even in a dry run, where nothing is claimed in the store. A million
// rows with a unique phone take about 40 MB.
type dupTracker struct{ rowOf map[uint64]int }

func newDupTracker() *dupTracker { return &dupTracker{rowOf: map[uint64]int{}} }

func dupHash(key string, v any) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(jsonText(v)))
	return h.Sum64()
}

// check reports the values of vals seen in an earlier row.
func (t *dupTracker) check(row *importRow, vals map[string]any, lang string) []errs.FieldError {
	var fe []errs.FieldError
	for _, k := range sortedKeys(vals) {
		if first, ok := t.rowOf[dupHash(k, vals[k])]; ok && first != row.row {
			path := k
			if k == SysID {
				path = ""
			}
			fe = append(fe, ioFieldErr(lang, path, "import.duplicate", first))
		}
	}
	return fe
}

// add remembers a row's values.
func (t *dupTracker) add(row *importRow, vals map[string]any) {
	for k, v := range vals {
		h := dupHash(k, v)
		t.rowOf[h] = row.row
		row.marks = append(row.marks, h)
	}
}

// forget drops the values of a row that failed after all, so a later row
// holding them is not called a duplicate of a row that was not imported.
func (t *dupTracker) forget(row *importRow) {
	for _, h := range row.marks {
		if t.rowOf[h] == row.row {
			delete(t.rowOf, h)
		}
	}
	row.marks = nil
}
