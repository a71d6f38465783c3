package form

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Batch creates. CreateMany stores many new records of one form in one
// transaction with the checks and steps of Create, done per batch where
// Create does them per record: one access decision, one relation read
// per relation field, one claim read per 500 unique values, one counter
// update per auto-number field, and one multi-row insert each for the
// claims, the records and their revisions (store.Ops.InsertMany). One
// audit entry ("record.create_many") lists the ids of the batch; each
// record's first revision names its creator as Create's does. Rollups of
// a parent are recomputed once per batch. The importer writes its new
// rows through it, and data generators load with it.

// MaxCreateMany bounds the records of one CreateMany call: its work is
// one transaction, which holds the embedded store's single writer.
const MaxCreateMany = 5000

// CreateMany validates and stores inputs as new records, all or nothing:
// when any input is invalid nothing is written and the 422
// record.validation error lists every problem of every input, each path
// prefixed with the input's index ("[3].phone"; "[3]" for a problem of
// the whole record, such as record.out_of_scope). Values repeated within
// inputs for a unique field are reported at the later input. It returns
// the records as the caller may see them, in the order of inputs. With
// o.DryRun it checks everything and writes nothing. Idempotency keys are
// refused, not ignored: a batch is not idempotent (retried after a lost
// answer it creates its records again, unless a unique value stops it);
// Bulk gives idempotent creates.
func (r *Records) CreateMany(ctx context.Context, p *auth.Principal, app, form string, inputs []map[string]any, o WriteOptions) ([]store.Doc, error) {
	lang := langFor(ctx, o)
	if len(inputs) > MaxCreateMany {
		return nil, coded(lang, errs.TooLarge, "record.bulk_too_large", MaxCreateMany)
	}
	if o.IdempotencyKey != "" {
		return nil, coded(lang, errs.Invalid, "record.idempotency_many")
	}
	f, d, err := r.open(ctx, p, app, form, access.Create)
	if err != nil {
		return nil, err
	}
	res, err := r.createMany(ctx, p, f, d, inputs, nil, o, false)
	if err != nil {
		return nil, err
	}
	if res.invalid() {
		var fe []errs.FieldError
		for i, rowFE := range res.errs {
			fe = append(fe, rowFieldErrors(i, rowFE)...)
		}
		return nil, invalidRecord(lang, fe)
	}
	out := make([]store.Doc, len(res.recs))
	for i, rec := range res.recs {
		if !res.written[i] {
			return nil, errs.New(errs.Internal, "record.batch_unwritten", "a record of the batch was not written")
		}
		out[i] = deepCopy(rec).(map[string]any)
	}
	if err := r.present(ctx, p, f, d, out); err != nil {
		return nil, err
	}
	return out, nil
}

// rowFieldErrors prefixes the paths of input i's problems with "[i]".
func rowFieldErrors(i int, fe []errs.FieldError) []errs.FieldError {
	prefix := "[" + strconv.Itoa(i) + "]"
	out := make([]errs.FieldError, len(fe))
	for j, e := range fe {
		switch {
		case e.Path == "":
			e.Path = prefix
		case strings.HasPrefix(e.Path, "["):
			e.Path = prefix + e.Path
		default:
			e.Path = prefix + "." + e.Path
		}
		out[j] = e
	}
	return out
}

// manyResult is a batch on its way through createMany: each input's
// record as prepared (nil once a partial batch dropped it), its problems,
// and whether it was written (in a dry run: would be).
type manyResult struct {
	recs    []store.Doc
	errs    [][]errs.FieldError
	written []bool
	// uniqueChecked: checkUnique ran (it runs once, before the first
	// transaction).
	uniqueChecked bool
}

func (m *manyResult) invalid() bool {
	for _, fe := range m.errs {
		if len(fe) > 0 {
			return true
		}
	}
	return false
}

// head is the first n inputs of m, not yet written, with no problems
// (their unique values were checked with m's).
func (m *manyResult) head(n int) *manyResult {
	return &manyResult{recs: m.recs[:n], errs: make([][]errs.FieldError, n), written: make([]bool, n), uniqueChecked: m.uniqueChecked}
}

// checkUnique reports, before the batch's transaction, the unique values
// an input repeats from an earlier input (at the later one) or that
// another record holds; a field already reported (a caller's duplicate in
// a file, a bad value) is not looked up. Unlike the other checks it needs
// no transaction: a value claimed between this read and the batch's claim
// insert makes the insert fail, which reports it (lostRace). So the read
// costs the store's single writer nothing, and the importer does it while
// the previous batch is written. It runs once per batch.
func (r *Records) checkUnique(ctx context.Context, f *Form, res *manyResult, lang string) error {
	if res.uniqueChecked || len(f.unique) == 0 {
		return nil
	}
	res.uniqueChecked = true
	var rows []int
	var recs []store.Doc
	var ids []string
	var keys [][]string
	first := map[string]bool{}
	for i, rec := range res.recs {
		if rec == nil {
			continue
		}
		var mine []string
		for _, k := range unreported(uniqueChanges(f, nil, rec), res.errs[i]) {
			cid := claimID(f, k, rec[k])
			if first[cid] {
				res.errs[i] = append(res.errs[i], fieldErr(lang, k, "record.unique"))
				continue
			}
			first[cid] = true
			mine = append(mine, k)
		}
		rows, recs, ids, keys = append(rows, i), append(recs, rec), append(ids, rec[SysID].(string)), append(keys, mine)
	}
	taken, err := checkClaimsMany(ctx, r.reads(), f, ids, recs, keys, lang)
	if err != nil {
		return err
	}
	for j, i := range rows {
		res.errs[i] = append(res.errs[i], taken[j]...)
	}
	return nil
}

// Transaction outcomes of a batch that are no store errors.
var (
	// errRowsInvalid: an input failed a check; nothing is written.
	errRowsInvalid = errs.New(errs.Unprocessable, "record.validation", "a record of the batch is invalid")
	// errBatchAgain: in a partial batch an input failed after the batch
	// took its numbers; the transaction is rolled back (the counter must
	// keep no gap) and the batch runs again without it.
	errBatchAgain = errs.New(errs.Internal, "record.batch_again", "the batch runs again without a failed record")
)

// createMany runs CreateMany on an opened form: prepareMany, then
// commitMany.
func (r *Records) createMany(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, inputs []map[string]any, pre [][]errs.FieldError, o WriteOptions, partial bool) (*manyResult, error) {
	res, err := r.prepareMany(ctx, p, f, d, inputs, pre, o)
	if err != nil {
		return nil, err
	}
	return res, r.commitMany(ctx, p, f, d, res, o, partial)
}

// prepareMany is the part of createMany before its transaction, which
// reads nothing from the store and so may run while an earlier batch is
// being written (the importer does): the field rules, and each input
// checked, normalized and computed (newRecord). pre[i] are problems the
// caller already found in input i (may be nil).
func (r *Records) prepareMany(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, inputs []map[string]any, pre [][]errs.FieldError, o WriteOptions) (*manyResult, error) {
	lang := langFor(ctx, o)
	res := &manyResult{recs: make([]store.Doc, len(inputs)), errs: make([][]errs.FieldError, len(inputs)), written: make([]bool, len(inputs))}
	now := r.stamp()
	for i, in := range inputs {
		var known []errs.FieldError
		if i < len(pre) {
			known = pre[i]
		}
		if err := d.CheckWrite(fieldKeys(f, in)); err != nil {
			e, ok := errs.As(err)
			if !ok {
				return nil, err
			}
			known = append(append([]errs.FieldError(nil), known...), e.Fields...)
		}
		rec, fe, err := r.newRecord(ctx, p, f, in, known, now, lang)
		if err != nil {
			return nil, err
		}
		res.recs[i], res.errs[i] = rec, fe
	}
	return res, nil
}

// commitMany checks the prepared batch against the store and writes it.
// Problems of inputs go to res, never to the error, which is a store,
// context or rights failure. All or nothing unless partial is set: then
// the valid inputs are written and the invalid ones reported, and an
// input that loses a race for a unique value after the checks is reported
// and the rest written in a new transaction. Every check runs for every
// input, so an input's every problem is reported.
func (r *Records) commitMany(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, res *manyResult, o WriteOptions, partial bool) error {
	lang := langFor(ctx, o)
	if len(res.recs) == 0 {
		return nil
	}
	scope, err := d.Filter(f.QFields)
	if err != nil {
		return err
	}
	every := store.Doc{}
	for k := range f.relations {
		every[k] = true
	}
	targets, err := r.relationTargets(ctx, p, f, nil, every)
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
	if err := r.checkUnique(ctx, f, res, lang); err != nil {
		return err
	}
	b := &batch{r: r, p: p, f: f, o: o, lang: lang, scope: scope, targets: targets, links: links, plan: plan, partial: partial}
	// Each further round follows an input dropped, so this ends.
	for round := 0; round <= len(res.recs); round++ {
		err := r.inTx(ctx, func(tx store.Ops) error { return b.run(ctx, tx, res) })
		var lost *lostRace
		switch {
		case err == nil || errors.Is(err, errDryRun):
			for i, rec := range res.recs {
				res.written[i] = rec != nil && len(res.errs[i]) == 0
			}
			return nil
		case errors.Is(err, errRowsInvalid):
			return nil
		case errors.Is(err, errBatchAgain):
			continue
		case errors.As(err, &lost):
			res.errs[lost.row] = append(res.errs[lost.row], fieldErr(lang, lost.key, "record.unique"))
			if partial && r.tx == nil {
				res.recs[lost.row] = nil
				continue
			}
			// All or nothing, or inside a caller's transaction (which the
			// failed write may have aborted): nothing is written.
			return nil
		}
		return err
	}
	return errs.New(errs.Internal, "record.batch_rounds", "the batch did not settle")
}

// batch is what a createMany transaction needs besides the records.
type batch struct {
	r       *Records
	p       *auth.Principal
	f       *Form
	o       WriteOptions
	lang    string
	scope   *query.Node
	targets map[string]*relTarget
	links   []rollupLink
	plan    *numberPlan
	partial bool
}

// lostRace is a unique value claimed by a concurrent writer between the
// batch's check and its claim insert: input row's field key.
type lostRace struct {
	row int
	key string
}

func (l *lostRace) Error() string {
	return "unique value taken meanwhile at row " + strconv.Itoa(l.row)
}

// run is the body of a createMany transaction over the inputs still in
// play (res.recs[i] != nil): the checks that read the store for all of
// them, then, when every one passed (partial: for those that did), the
// numbers, the claims, the records, their revisions, the audit entry and
// the rollups.
func (b *batch) run(ctx context.Context, tx store.Ops, res *manyResult) error {
	f, lang := b.f, b.lang
	var rows []int
	for i, rec := range res.recs {
		if rec != nil {
			rows = append(rows, i)
		}
	}
	recs := make([]store.Doc, len(rows))
	for j, i := range rows {
		recs[j] = res.recs[i]
	}
	rel, err := checkRelationsMany(ctx, tx, f, b.targets, recs, lang)
	if err != nil {
		return err
	}
	for j, i := range rows {
		res.errs[i] = append(res.errs[i], rel[j]...)
		more, err := checkFiles(ctx, tx, f, recs[j], nil, lang)
		if err != nil {
			return err
		}
		res.errs[i] = append(res.errs[i], more...)
		if !Match(b.scope, recs[j]) {
			res.errs[i] = append(res.errs[i], b.outOfScope())
		}
	}
	if rows, recs, err = b.valid(res, rows, recs); err != nil {
		return err
	}
	// After validation: a failed create must not consume a number.
	if err := b.r.assignNumbers(ctx, tx, f, b.plan, recs...); err != nil {
		return err
	}
	// The numbers may feed formulas, and the scope may name them.
	failed := false
	for j, rec := range recs {
		if len(f.autoNumbers) == 0 {
			break
		}
		i := rows[j]
		bad, err := f.evalFormulas(ctx, b.r.scripts, rec, lang, true)
		if err != nil {
			return err
		}
		res.errs[i] = append(res.errs[i], bad...)
		if len(res.errs[i]) == 0 && !Match(b.scope, rec) {
			res.errs[i] = append(res.errs[i], b.outOfScope())
		}
		failed = failed || len(res.errs[i]) > 0
	}
	if failed {
		if !b.partial {
			return errRowsInvalid
		}
		for _, i := range rows {
			if len(res.errs[i]) > 0 {
				res.recs[i] = nil
			}
		}
		return errBatchAgain // the numbers taken for the failed inputs go back
	}
	if b.o.DryRun {
		return errDryRun
	}
	if len(recs) == 0 {
		return nil
	}
	return b.write(ctx, tx, rows, recs)
}

// outOfScope is the problem of a record outside the rows the caller may
// write: the whole record's, so its path is the input's.
func (b *batch) outOfScope() errs.FieldError {
	return errs.FieldError{Code: "record.out_of_scope", Message: recordMsg(b.lang, "record.out_of_scope")}
}

// valid drops the inputs that failed a check: all of them (the batch
// fails) unless partial.
func (b *batch) valid(res *manyResult, rows []int, recs []store.Doc) ([]int, []store.Doc, error) {
	var keepRows []int
	var keep []store.Doc
	for j, i := range rows {
		if len(res.errs[i]) == 0 {
			keepRows, keep = append(keepRows, i), append(keep, recs[j])
			continue
		}
		if !b.partial {
			return nil, nil, errRowsInvalid
		}
		res.recs[i] = nil
	}
	return keepRows, keep, nil
}

// write stores the batch's claims, records and revisions with one
// multi-row insert each, its audit entry, and the rollups it changes.
func (b *batch) write(ctx context.Context, tx store.Ops, rows []int, recs []store.Doc) error {
	f := b.f
	var claims []store.Doc
	var claimAt []lostRace
	for j, rec := range recs {
		id := rec[SysID].(string)
		for _, k := range uniqueChanges(f, nil, rec) {
			claims = append(claims, store.Doc{"_id": claimID(f, k, rec[k]), "coll": f.Coll, "field": k, "record": id})
			claimAt = append(claimAt, lostRace{row: rows[j], key: k})
		}
	}
	if _, err := tx.InsertMany(ctx, collUnique, claims); err != nil {
		if i, ok := store.FailedRow(err); ok && errs.HasCode(err, store.ErrDuplicate.Code) && i < len(claimAt) {
			return &claimAt[i]
		}
		return err
	}
	ids := make([]string, len(recs))
	revs := make([]store.Doc, len(recs))
	for j, rec := range recs {
		ids[j] = rec[SysID].(string)
		keys, _, newVals := diff(f, nil, rec)
		revs[j] = revisionDoc(b.p, ids[j], Revision{Rev: 1, Op: OpCreate, At: rec[SysCreatedAt].(string), Fields: keys, New: newVals})
	}
	if _, err := tx.InsertMany(ctx, f.Coll, recs); err != nil {
		return err
	}
	if _, err := tx.InsertMany(ctx, f.HistColl, revs); err != nil {
		return err
	}
	if b.r.audit != nil {
		err := b.r.audit.RecordTx(ctx, tx, auth.Entry{
			Actor: b.p.Actor(), ActorName: actorName(b.p), Action: "record.create_many", App: f.App,
			Target: "form:" + f.Key, IP: b.o.IP, RequestID: b.o.RequestID,
			Details: map[string]any{"form": f.Key, "count": len(ids), "ids": anyStrings(ids)},
		})
		if err != nil {
			return err
		}
	}
	if err := b.r.recordEvents(ctx, tx, f, b.p, recs); err != nil {
		return err
	}
	if err := b.r.onWrites(ctx, tx, f, recs); err != nil {
		return err
	}
	// Rollups: each parent once for the batch.
	for _, l := range b.links {
		parents := map[string]bool{}
		for _, rec := range recs {
			pids, _, _ := relationIDs(l.rel.key, rec[l.rel.key])
			for _, pid := range pids {
				parents[pid] = true
			}
		}
		for _, pid := range sortedKeys(parents) {
			if err := b.r.recomputeParent(ctx, tx, l, pid, b.lang); err != nil {
				return err
			}
		}
	}
	return nil
}
