package form

import (
	"context"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Writing a batch of import rows. The consecutive new rows of a batch are
// created by Records.createMany, the batch create of CreateMany, in one
// transaction: the same validation, formulas, auto-numbers, unique
// claims, relation and scope checks, history revisions and rollups as a
// create through the API, with one audit entry ("record.create_many",
// listing the ids) per batch besides the import's own "record.import"
// entry. Mode skip writes a batch's valid rows and reports the others;
// mode all validates every row first (createMany's dry run), and in its
// write phase a batch that fails after all (a value taken by a concurrent
// writer) is written up to the failing row and the import stops there.
// Rows matched by UpsertBy are patched one by one through Records.patch,
// with its per-record entries.

// importRow is one data row on its way into the store.
type importRow struct {
	row    int
	input  map[string]any
	id     string            // the _id cell, for UpsertBy _id
	fe     []errs.FieldError // problems found before the store: cells, duplicates, validation
	target string            // the record an upsert patches; "" creates
	err    error             // the row's failure
	done   bool              // written (in a dry run: would be)
	marks  []uint64          // the row's entries in the duplicate tracker
}

// writeBatch validates and, unless the pass is dry, writes a batch's
// rows; then it adds their outcomes to res. An error is a store or
// context failure.
func (im *Importer) writeBatch(ctx context.Context, res *ImportResult, st *passState, b *importBatch) error {
	rows := b.rows
	if b.prepared != nil {
		// Every row is a create, prepared by the reader: only the values
		// repeated in the file remain to be found.
		for i, row := range rows {
			if rec := b.prepared.recs[i]; rec != nil {
				b.prepared.errs[i] = im.track(st, row, uniqueValues(im.f, rec), b.prepared.errs[i])
			}
		}
	} else {
		if err := im.resolveTargets(ctx, rows); err != nil {
			return err
		}
		for _, row := range rows {
			if err := im.prepare(ctx, st, row); err != nil {
				return err
			}
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
			if err := im.createRun(ctx, rows[i:j], st, b.prepared); err != nil {
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
	vals := im.uniqueInputs(row)
	if row.target == "" {
		delete(vals, SysID) // a new record gets a new id
	} else if len(row.fe) > 0 {
		// Report the row's every problem, not only the cells'.
		_, more := im.f.normalizeInput(im.lang, row.input, isSystem(im.p))
		row.err = invalidRecord(im.lang, append(row.fe, more...))
		return nil
	}
	row.fe = im.track(st, row, vals, row.fe)
	if len(row.fe) > 0 && row.target != "" {
		row.err = invalidRecord(im.lang, row.fe)
	}
	return nil
}

// track reports the values of vals an earlier row of the file holds,
// appended to fe, and remembers them for the rows to come when the row
// has no problem so far.
func (im *Importer) track(st *passState, row *importRow, vals map[string]any, fe []errs.FieldError) []errs.FieldError {
	dups := st.seen.check(row, vals, im.lang)
	if len(dups) > 0 {
		// A value repeated in the file is that, whether or not the earlier
		// row's record was already written (the reader checks unique
		// values while earlier batches are written): not also "taken".
		dupAt := map[string]bool{}
		for _, d := range dups {
			dupAt[d.Path] = true
		}
		keep := fe[:0:0]
		for _, e := range fe {
			if e.Code != "record.unique" || !dupAt[e.Path] {
				keep = append(keep, e)
			}
		}
		fe = append(keep, dups...)
	}
	if len(fe) == 0 {
		st.seen.add(row, vals)
	}
	return fe
}

// uniqueValues are a prepared record's values of unique fields.
func uniqueValues(f *Form, rec map[string]any) map[string]any {
	vals := map[string]any{}
	for _, k := range f.unique {
		if v := rec[k]; v != nil {
			vals[k] = v
		}
	}
	return vals
}

// uniqueInputs are a row's unique values in stored form, and the id it
// upserts.
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
	o := im.writeOptions(dry)
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

// createRun creates consecutive new rows with one batch create: in a
// skip-mode batch (or a validation pass) the valid rows are written and
// the others reported; with st.stop the batch is all or nothing, and when
// it fails the rows before the first failing one are written again
// without it, so that every row before the failure is written and none
// after. res is the rows prepared by the reader, or nil.
func (im *Importer) createRun(ctx context.Context, run []*importRow, st *passState, res *manyResult) error {
	o := im.writeOptions(st.dry)
	if res == nil {
		var err error
		if res, err = im.prepareCreates(ctx, run); err != nil {
			return err
		}
	}
	for _, row := range run {
		row.done, row.err = false, nil
	}
	if err := im.r.commitMany(ctx, im.p, im.f, im.dCreate, res, o, !st.stop); err != nil {
		return err
	}
	for i, row := range run {
		switch {
		case len(res.errs[i]) > 0:
			row.err = invalidRecord(im.lang, res.errs[i])
		case res.written[i]:
			row.done = true
		}
	}
	if !st.stop || !res.invalid() {
		return nil
	}
	first := 0
	for len(res.errs[first]) == 0 {
		first++
	}
	for _, row := range run[first+1:] {
		row.err = nil // past the stop: neither written nor failed
	}
	if first == 0 {
		return nil
	}
	return im.createRun(ctx, run[:first], st, res.head(first))
}

// writeOptions are the write options of the import's records.
func (im *Importer) writeOptions(dry bool) WriteOptions {
	return WriteOptions{Lang: im.lang, IP: im.o.IP, RequestID: im.o.RequestID, DryRun: dry}
}
