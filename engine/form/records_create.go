package form

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Create validates input, computes defaults, formulas and auto-numbers,
// and stores a new record with its first revision, its audit entry and the
// rollups it changes, in one transaction. It returns the record as the
// caller may see it. With o.IdempotencyKey, a retry with the same key and
// body returns the stored first result (same id) and a different body is a
// 409 record.idempotency_mismatch.
func (r *Records) Create(ctx context.Context, p *auth.Principal, app, form string, input map[string]any, o WriteOptions) (store.Doc, error) {
	f, d, err := r.open(ctx, p, app, form, access.Create)
	if err != nil {
		return nil, err
	}
	return r.create(ctx, p, f, d, input, o)
}

func (r *Records) create(ctx context.Context, p *auth.Principal, f *Form, d *access.Decision, input map[string]any, o WriteOptions) (store.Doc, error) {
	lang := langFor(ctx, o)
	if err := d.CheckWrite(fieldKeys(f, input)); err != nil {
		return nil, err
	}
	var idem *idemClaim
	if o.IdempotencyKey != "" && !o.DryRun {
		var err error
		if idem, err = newIdemClaim(p, f, o.IdempotencyKey, input, lang); err != nil {
			return nil, err
		}
		if doc, err := r.replay(ctx, r.reads(), idem); doc != nil || err != nil {
			return r.presentOne(ctx, p, f, d, doc, err)
		}
	}
	now := r.stamp()
	rec, fe, err := r.newRecord(ctx, p, f, input, nil, now, lang)
	if err != nil {
		return nil, err
	}
	id := rec[SysID].(string)
	scope, err := d.Filter(f.QFields)
	if err != nil {
		return nil, err
	}
	targets, err := r.relationTargets(ctx, p, f, nil, rec)
	if err != nil {
		return nil, err
	}
	links, err := r.rollupLinks(ctx, f)
	if err != nil {
		return nil, err
	}
	plan, err := r.prepareNumbers(ctx, f)
	if err != nil {
		return nil, err
	}
	var out store.Doc
	err = r.inTx(ctx, func(tx store.Ops) error {
		out = nil
		// Again inside the transaction, since the first look read outside
		// it (unless bound: then it already read through the transaction).
		if idem != nil && r.tx == nil {
			if doc, err := r.replay(ctx, tx, idem); doc != nil || err != nil {
				return &replayed{doc: doc, err: err}
			}
		}
		all := append([]errs.FieldError(nil), fe...)
		more, err := checkRelations(ctx, tx, f, targets, rec, lang)
		if err != nil {
			return err
		}
		all = append(all, more...)
		if more, err = checkFiles(ctx, tx, f, rec, nil, lang); err != nil {
			return err
		}
		all = append(all, more...)
		uk := uniqueChanges(f, nil, rec)
		if more, err = checkClaims(ctx, tx, f, id, rec, uk, lang); err != nil {
			return err
		}
		if err := invalidRecord(lang, append(all, more...)); err != nil {
			return err
		}
		// After validation: a failed create must not consume a number
		// (and the counter update rolls back with it anyway).
		if err := r.assignNumbers(ctx, tx, f, plan, rec); err != nil {
			return err
		}
		if len(f.autoNumbers) > 0 {
			bad, err := f.evalFormulas(ctx, r.scripts, rec, lang, true)
			if err != nil {
				return err
			}
			if err := invalidRecord(lang, bad); err != nil {
				return err
			}
		}
		if !Match(scope, rec) {
			return coded(lang, errs.Forbidden, "record.out_of_scope")
		}
		if o.DryRun {
			out = rec
			return errDryRun
		}
		// Numbers are known now; a unique auto-number is claimed too.
		if err := moveClaims(ctx, tx, f, id, nil, rec, uniqueChanges(f, nil, rec), lang); err != nil {
			return err
		}
		if _, err := tx.Insert(ctx, f.Coll, rec); err != nil {
			return err
		}
		keys, _, newVals := diff(f, nil, rec)
		if err := writeRevision(ctx, tx, f, p, id, Revision{Rev: 1, Op: OpCreate, At: now, Fields: keys, New: newVals}); err != nil {
			return err
		}
		if err := r.auditWrite(ctx, tx, p, f, "record.create", id, 1, keys, o); err != nil {
			return err
		}
		if err := r.recordEvent(ctx, tx, f, p, EventCreated, id, 1, nil, rec, nil); err != nil {
			return err
		}
		if err := r.onWrite(ctx, tx, f, nil, rec); err != nil {
			return err
		}
		if err := r.applyRollups(ctx, tx, links, nil, rec, lang); err != nil {
			return err
		}
		if idem != nil {
			if err := idem.store(ctx, tx, rec, now); err != nil {
				return err
			}
		}
		out = rec
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	var rp *replayed
	if errors.As(err, &rp) {
		return r.presentOne(ctx, p, f, d, rp.doc, rp.err)
	}
	if err != nil && idem != nil && r.tx == nil {
		// Two first attempts raced: the loser's transaction failed on the
		// key (or on the unique value the winner claimed). The winner's
		// stored result is the answer to both. (Inside a caller's
		// transaction the caller's whole transaction is what failed; it
		// decides whether to retry.)
		if doc, rerr := r.replay(ctx, r.st, idem); doc != nil || rerr != nil {
			return r.presentOne(ctx, p, f, d, doc, rerr)
		}
	}
	return r.presentOne(ctx, p, f, d, out, err)
}

// newRecord is the part of a create before its transaction: input
// checked and normalized, the system fields set (a new id, version 1, now
// as the time), defaults and formulas computed, required fields checked
// and the files it names noted. pre are problems the caller already found
// in the input (an importer's unreadable cells): they are reported with
// the rest, and a field they name is not also called missing.
func (r *Records) newRecord(ctx context.Context, p *auth.Principal, f *Form, input map[string]any, pre []errs.FieldError, now, lang string) (store.Doc, []errs.FieldError, error) {
	rec, fe := f.normalizeInput(lang, input, isSystem(p))
	for k, v := range rec {
		if v == nil {
			delete(rec, k) // a create stores absent fields, not nulls
		}
	}
	fe = append(append([]errs.FieldError(nil), pre...), fe...)
	rec[SysID], rec[SysVersion], rec[SysDeleted] = store.NewID(), int64(1), false
	rec[SysCreatedAt], rec[SysUpdatedAt] = now, now
	rec[SysCreatedBy], rec[SysUpdatedBy] = p.Actor(), p.Actor()
	bad, err := f.applyDefaults(ctx, r.scripts, rec, lang)
	if err != nil {
		return nil, nil, err
	}
	fe = append(fe, bad...)
	if bad, err = f.evalFormulas(ctx, r.scripts, rec, lang, false); err != nil {
		return nil, nil, err
	}
	fe = append(fe, bad...)
	fe = append(fe, f.checkRequired(lang, rec, fe)...)
	setFileIDs(f, rec)
	return rec, fe, nil
}

// fieldKeys lists the keys of input that name fields of f, for the field
// rules; unknown keys are reported by validation instead.
func fieldKeys(f *Form, input map[string]any) []string {
	var out []string
	for _, k := range sortedKeys(input) {
		if _, ok := f.byKey[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// isSystem reports whether p is the engines' own principal, which may
// write fields the form marks read-only.
func isSystem(p *auth.Principal) bool { return p != nil && p == auth.System().Principal }

// auditWrite records a data write in the audit log, in the write's
// transaction.
func (r *Records) auditWrite(ctx context.Context, tx store.Ops, p *auth.Principal, f *Form, action, id string, version int64, keys []string, o WriteOptions) error {
	if r.audit == nil {
		return nil
	}
	details := map[string]any{"form": f.Key, "id": id, "version": version}
	if keys != nil {
		details["fields"] = keys
	}
	return r.audit.RecordTx(ctx, tx, auth.Entry{
		Actor: p.Actor(), ActorName: actorName(p), Action: action, App: f.App,
		Target: "form:" + f.Key + "/" + id, Details: details, IP: o.IP, RequestID: o.RequestID,
	})
}

// errDryRun ends a dry run's transaction once everything is checked, so
// nothing it wrote (counters included) is kept.
var errDryRun = errs.New(errs.Internal, "record.dry_run", "dry run")

// errStale is the 412 of a write based on an old version.
func errStale(lang string, current int64) error {
	return coded(lang, errs.PreconditionErr, "record.stale", current)
}

// versionIs is the condition of a write based on version v.
func versionIs(v int64) *query.Node { return query.Eq(fVersion, query.Int(v)) }
