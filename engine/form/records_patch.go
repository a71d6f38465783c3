package form

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Patch changes a record with JSON merge patch semantics (RFC 7396) at the
// top level: a key with a value sets the field, a key with null clears it,
// absent keys stay as they are. Values are replaced whole — a sub-table's
// rows, an address object, a multi-select list — never merged inside.
// The merged record is validated again, formulas are recomputed, and the
// write is conditional on the version read, so of two concurrent patches
// neither is lost. ifMatch > 0 is the version the client based its change
// on (a stale one is a 412 record.stale); 0 skips that check. A patch that
// changes nothing writes nothing and returns the record as it is.
func (r *Records) Patch(ctx context.Context, p *auth.Principal, app, form, id string, patch map[string]any, ifMatch int64, o WriteOptions) (store.Doc, error) {
	f, d, err := r.open(ctx, p, app, form, access.Update)
	if err != nil {
		return nil, err
	}
	return r.patch(ctx, p, f, d, id, patch, ifMatch, o, patchMode{op: OpUpdate})
}

// patchMode distinguishes a client's patch from a revision restore, whose
// values are already in stored form.
type patchMode struct {
	op     string
	from   int64 // restored revision
	stored bool
}

func (r *Records) patch(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, id string, patch map[string]any, ifMatch int64, o WriteOptions, mode patchMode) (store.Doc, error) {
	lang := langFor(ctx, o)
	if err := d.CheckWrite(fieldKeys(f, patch)); err != nil {
		return nil, err
	}
	vals, fe := store.Doc(patch), []errs.FieldError(nil)
	if !mode.stored {
		vals, fe = f.normalizeInput(lang, patch, isSystem(p))
	}
	scope, err := scopeOf(f, d, false)
	if err != nil {
		return nil, err
	}
	rowScope, err := d.Filter(f.QFields)
	if err != nil {
		return nil, err
	}
	targets, err := r.relationTargets(ctx, p, f, nil, vals)
	if err != nil {
		return nil, err
	}
	links, err := r.rollupLinks(ctx, f)
	if err != nil {
		return nil, err
	}
	// The merge, formulas and record checks run before the transaction,
	// on the record as read now, so the store's single writer never waits
	// on a formula; they run again inside only if the record changed in
	// between. Inside a caller's transaction (In) they read through it,
	// once: the caller holds the writer already, and the record can only
	// change through that same transaction.
	pre, err := loadScoped(ctx, r.reads(), f, scope, id, lang)
	if err != nil {
		return nil, err
	}
	if v := intOf(pre[SysVersion]); ifMatch > 0 && ifMatch != v {
		return nil, errStale(lang, v)
	}
	preNext, preFE, err := r.merge(ctx, f, pre, vals, fe, lang)
	if err != nil {
		return nil, err
	}
	var out store.Doc
	err = r.inTx(ctx, func(tx store.Ops) error {
		out = nil
		cur, err := pre, error(nil)
		if r.tx == nil {
			if cur, err = loadScoped(ctx, tx, f, scope, id, lang); err != nil {
				return err
			}
		}
		curV := intOf(cur[SysVersion])
		if ifMatch > 0 && ifMatch != curV {
			return errStale(lang, curV)
		}
		next, all := deepCopy(preNext).(map[string]any), append([]errs.FieldError(nil), preFE...)
		if curV != intOf(pre[SysVersion]) {
			if next, all, err = r.merge(ctx, f, cur, vals, fe, lang); err != nil {
				return err
			}
		}
		// Only changed relations are checked: an unchanged one was valid
		// when written, and the related record leaving the writer's scope
		// since must not block unrelated edits.
		changed := map[string]*relTarget{}
		for k, t := range targets {
			if !sameJSON(cur[k], next[k]) {
				changed[k] = t
			}
		}
		more, err := checkRelations(ctx, tx, f, changed, next, lang)
		if err != nil {
			return err
		}
		all = append(all, more...)
		if more, err = checkFiles(ctx, tx, f, next, changedFileKeys(f, cur, next), lang); err != nil {
			return err
		}
		all = append(all, more...)
		uk := uniqueChanges(f, cur, next)
		if more, err = checkClaims(ctx, tx, f, id, next, uk, lang); err != nil {
			return err
		}
		if err := invalidRecord(lang, append(all, more...)); err != nil {
			return err
		}
		if !Match(rowScope, next) {
			return coded(lang, errs.Forbidden, "record.out_of_scope")
		}
		keys, oldVals, newVals := diff(f, cur, next)
		if len(keys) == 0 {
			out = cur
			return nil
		}
		now := r.stamp()
		next[SysVersion], next[SysUpdatedAt], next[SysUpdatedBy] = curV+1, now, p.Actor()
		up := store.Patch{Set: map[string]any{SysVersion: curV + 1, SysUpdatedAt: now, SysUpdatedBy: p.Actor()}}
		for _, k := range keys {
			if v, ok := next[k]; ok {
				up.Set[k] = v
			} else {
				up.Unset = append(up.Unset, k)
			}
		}
		filesUpdate(&up, cur, next)
		updated, err := tx.Update(ctx, f.Coll, id, up, versionIs(curV))
		if errs.HasCode(err, store.ErrConditionFailed.Code) {
			return errStale(lang, curV)
		}
		if err != nil {
			return err
		}
		if err := moveClaims(ctx, tx, f, id, cur, next, uk, lang); err != nil {
			return err
		}
		if o.DryRun {
			out = next
			return errDryRun
		}
		rv := Revision{Rev: curV + 1, Op: mode.op, At: now, Fields: keys, Old: oldVals, New: newVals, From: mode.from}
		if err := writeRevision(ctx, tx, f, p, id, rv); err != nil {
			return err
		}
		if err := r.auditWrite(ctx, tx, p, f, "record."+mode.op, id, curV+1, keys, o); err != nil {
			return err
		}
		if err := r.recordEvent(ctx, tx, f, p, EventUpdated, id, curV+1, oldVals, updated, keys); err != nil {
			return err
		}
		if err := r.onWrite(ctx, tx, f, cur, updated); err != nil {
			return err
		}
		if err := r.applyRollups(ctx, tx, links, cur, next, lang); err != nil {
			return err
		}
		out = updated
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return r.presentOne(ctx, p, f, d, out, err)
}

// merge applies normalized patch values to a copy of cur, recomputes the
// formulas and checks required fields, adding to the problems fe found.
func (r *Records) merge(ctx context.Context, f *Form, cur, vals store.Doc, fe []errs.FieldError, lang string) (store.Doc, []errs.FieldError, error) {
	next := deepCopy(cur).(map[string]any)
	for k, v := range vals {
		if v == nil {
			delete(next, k)
		} else {
			next[k] = v
		}
	}
	all := append([]errs.FieldError(nil), fe...)
	bad, err := f.evalFormulas(ctx, r.scripts, next, lang, false)
	if err != nil {
		return nil, nil, err
	}
	all = append(all, bad...)
	setFileIDs(f, next)
	return next, append(all, f.checkRequired(lang, next, all)...), nil
}

// Delete soft-deletes a record: it disappears from Get and List, its
// unique values are released, the rollups that counted it are updated, and
// a revision and an audit entry record who did it. It needs the delete
// right and the record in the delete scope; ifMatch works as for Patch.
func (r *Records) Delete(ctx context.Context, p *auth.Principal, app, form, id string, ifMatch int64, o WriteOptions) error {
	f, d, err := r.open(ctx, p, app, form, access.Delete)
	if err != nil {
		return err
	}
	_, err = r.setDeleted(ctx, p, f, d, id, ifMatch, true, o)
	return err
}

// Restore brings a soft-deleted record back (needs the delete right: who
// may delete may undo it). Its unique values must still be free.
func (r *Records) Restore(ctx context.Context, p *auth.Principal, app, form, id string, o WriteOptions) (store.Doc, error) {
	f, d, err := r.open(ctx, p, app, form, access.Delete)
	if err != nil {
		return nil, err
	}
	doc, err := r.setDeleted(ctx, p, f, d, id, 0, false, o)
	return r.presentOne(ctx, p, f, d, doc, err)
}

// setDeleted flips a record's _deleted flag with everything that goes
// with it, in one transaction.
func (r *Records) setDeleted(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, id string, ifMatch int64, deleted bool, o WriteOptions) (store.Doc, error) {
	lang := langFor(ctx, o)
	scope, err := scopeOf(f, d, !deleted)
	if err != nil {
		return nil, err
	}
	links, err := r.rollupLinks(ctx, f)
	if err != nil {
		return nil, err
	}
	op, action := OpDelete, "record.delete"
	if !deleted {
		op, action = OpRestore, "record.restore"
	}
	var out store.Doc
	err = r.inTx(ctx, func(tx store.Ops) error {
		cur, err := loadScoped(ctx, tx, f, scope, id, lang)
		if err != nil {
			return err
		}
		curV := intOf(cur[SysVersion])
		if ifMatch > 0 && ifMatch != curV {
			return errStale(lang, curV)
		}
		before, after := store.Doc(cur), store.Doc(nil)
		if !deleted {
			before, after = nil, cur
			fe, err := checkClaims(ctx, tx, f, id, cur, uniqueChanges(f, nil, cur), lang)
			if err != nil {
				return err
			}
			if err := invalidRecord(lang, fe); err != nil {
				return err
			}
		}
		if o.DryRun {
			out = cur
			return errDryRun
		}
		now := r.stamp()
		up := store.Patch{Set: map[string]any{SysDeleted: deleted, SysVersion: curV + 1, SysUpdatedAt: now, SysUpdatedBy: p.Actor()}}
		updated, err := tx.Update(ctx, f.Coll, id, up, versionIs(curV))
		if errs.HasCode(err, store.ErrConditionFailed.Code) {
			return errStale(lang, curV)
		}
		if err != nil {
			return err
		}
		if err := moveClaims(ctx, tx, f, id, before, after, uniqueChanges(f, before, after), lang); err != nil {
			return err
		}
		if err := writeRevision(ctx, tx, f, p, id, Revision{Rev: curV + 1, Op: op, At: now}); err != nil {
			return err
		}
		if err := r.auditWrite(ctx, tx, p, f, action, id, curV+1, nil, o); err != nil {
			return err
		}
		if deleted {
			err = r.recordEvent(ctx, tx, f, p, EventDeleted, id, curV+1, cur, nil, nil)
		} else {
			err = r.recordEvent(ctx, tx, f, p, EventUpdated, id, curV+1, map[string]any{SysDeleted: true}, updated, []string{SysDeleted})
		}
		if err != nil {
			return err
		}
		// The hook sees a deleted record as none: the live one goes away
		// on delete and comes back on restore.
		if deleted {
			err = r.onWrite(ctx, tx, f, cur, nil)
		} else {
			err = r.onWrite(ctx, tx, f, nil, updated)
		}
		if err != nil {
			return err
		}
		if err := r.applyRollups(ctx, tx, links, before, after, lang); err != nil {
			return err
		}
		out = updated
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return out, err
}
