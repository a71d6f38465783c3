package form

import (
	"context"
	"errors"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// runMigration starts, resumes or repeats the plan's job and converts
// batches until the records are done or the budget is spent.
func (r *Records) runMigration(ctx context.Context, p *auth.Principal, pl *migrationPlan, budget time.Duration) (*MigrationReport, error) {
	if pl.unit && !pl.clear {
		pend, err := r.pending(ctx, pl)
		if err != nil {
			return nil, err
		}
		if pend.Failed > 0 {
			return nil, pl.unconvertible(pend.Failed, pend.Samples)
		}
	}
	job, err := r.startPass(ctx, pl)
	if err != nil {
		return nil, err
	}
	links, err := r.rollupLinks(ctx, pl.f)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	var samples []MigrationSample
	// At least one batch per call, so that any budget makes progress.
	for job.Status == JobRunning {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if job, err = r.migrateBatch(ctx, p, pl, job, links, &samples); err != nil {
			return nil, err
		}
		if budget > 0 && time.Since(start) >= budget {
			break
		}
	}
	rep := pl.report(job.Status)
	rep.Pass, rep.MigrationCounts, rep.Samples = job.Pass, job.Counts, samples
	rep.Next = pl.next(rep)
	if r.audit != nil {
		// One entry per call, not per record: each record's history holds
		// its own revision.
		_ = r.audit.Record(ctx, auth.Entry{Actor: p.Actor(), ActorName: actorName(p), Action: "form.migrate", App: pl.f.App,
			Target: "form:" + pl.f.Key, Details: map[string]any{"field": pl.key, "mode": rep.Mode, "fromType": rep.FromType,
				"toType": rep.ToType, "job": pl.id, "pass": job.Pass, "status": job.Status, "changed": job.Counts.Changed,
				"failed": job.Counts.Failed, "cleared": job.Counts.Cleared}})
	}
	return rep, nil
}

// startPass returns the job in the state to work on: a new job, the
// running pass of an existing one (resumed after its last committed
// batch), or a new pass of a finished one over the records written since.
func (r *Records) startPass(ctx context.Context, pl *migrationPlan) (*migrationJob, error) {
	job, err := loadJob(ctx, r.st, pl.id)
	if err != nil {
		return nil, err
	}
	switch {
	case job == nil:
		job = &migrationJob{ID: pl.id, App: pl.f.App, Form: pl.f.Key, Field: pl.key, Mode: pl.report("").Mode,
			FromType: pl.from.f.Type, ToType: pl.to.f.Type, Status: JobRunning, Pass: 1}
		if _, err := r.st.Insert(ctx, collMigrations, job.doc()); err != nil {
			if errs.HasCode(err, store.ErrDuplicate.Code) {
				return nil, ErrMigrationBusy
			}
			return nil, err
		}
		return job, nil
	case job.Status == JobDone:
		next := *job
		next.Status, next.Pass, next.Since, next.Cursor, next.FinishedAt, next.Counts = JobRunning, job.Pass+1, job.FinishedAt, "", "", MigrationCounts{}
		if err := saveJob(ctx, r.st, job, &next); err != nil {
			return nil, err
		}
		return &next, nil
	}
	return job, nil
}

// saveJob writes next over cur, on condition that nobody moved cur on
// (another run of the same job): losing that race is ErrMigrationBusy.
func saveJob(ctx context.Context, ops store.Ops, cur, next *migrationJob) error {
	set := next.doc()
	delete(set, "_id")
	cond := query.And(query.Eq(fJobPass, query.Int(cur.Pass)), query.Eq(fJobCursor, query.Str(cur.Cursor)),
		query.Eq(fJobStatus, query.Str(cur.Status)))
	_, err := ops.Update(ctx, collMigrations, cur.ID, store.Patch{Set: set}, cond)
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return ErrMigrationBusy
	}
	return err
}

// errUniqueClash marks a converted value that another record already
// claims (a dry run, which claims nothing, cannot see these).
var errUniqueClash = errors.New("unique clash")

// migrateBatch converts the next batch of records and moves the job on,
// in one transaction; with no records left it marks the pass done.
func (r *Records) migrateBatch(ctx context.Context, p *auth.Principal, pl *migrationPlan, job *migrationJob, links []rollupLink, samples *[]MigrationSample) (*migrationJob, error) {
	var next migrationJob
	var found []MigrationSample
	err := r.st.Tx(ctx, func(tx store.Ops) error {
		// The transaction may run again on a transient conflict: start
		// from the committed state each time.
		next, found = *job, nil
		filter := pl.filter(job.Since)
		if job.Cursor != "" {
			filter = query.And(filter, query.Cmp(fID, query.OpGt, query.Str(job.Cursor)))
		}
		docs, err := tx.Find(ctx, pl.f.Coll, store.Query{Filter: filter, Sort: []query.SortKey{{Field: fID}}, Limit: pl.batch})
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			next.Status, next.FinishedAt = JobDone, r.stamp()
			return saveJob(ctx, tx, job, &next)
		}
		now := r.stamp()
		for _, doc := range docs {
			before := next.Counts
			out, write := pl.tally(&next.Counts, &found, doc)
			if pl.unit && next.Counts.Failed > before.Failed {
				// Written since the check before the run: this batch
				// rolls back, and the next run's check reports it.
				return pl.unconvertible(1, found[len(found)-1:])
			}
			if !write {
				continue
			}
			err := r.migrateRecord(ctx, tx, p, pl, links, doc, out, now)
			if errors.Is(err, errUniqueClash) {
				// The converted value is another record's: a value that
				// cannot be converted, kept or cleared like the others.
				next.Counts = before
				next.Counts.Scanned++
				if !pl.clear {
					next.Counts.Failed++
					if len(found) < maxSamples {
						id, _ := doc[SysID].(string)
						found = append(found, MigrationSample{ID: id, Value: doc[pl.key], Problem: recordMsg(pl.lang, "record.unique")})
					}
					continue
				}
				next.Counts.Cleared++
				next.Counts.Changed++
				err = r.migrateRecord(ctx, tx, p, pl, links, doc, nil, now)
			}
			if err != nil {
				return err
			}
		}
		next.Cursor, _ = docs[len(docs)-1][SysID].(string)
		next.Counts.Batches++
		return saveJob(ctx, tx, job, &next)
	})
	if err != nil {
		return nil, err
	}
	for _, s := range found {
		if len(*samples) < maxSamples {
			*samples = append(*samples, s)
		}
	}
	return &next, nil
}

// migrateRecord writes one record's new value with what every write
// carries: a new version, the unique claim moved, a history revision and
// the parents' rollups. Deleted records are converted too (they may be
// restored) but hold no claims and count in no rollup.
func (r *Records) migrateRecord(ctx context.Context, tx store.Ops, p *auth.Principal, pl *migrationPlan, links []rollupLink, doc store.Doc, out any, now string) error {
	id, _ := doc[SysID].(string)
	curV := intOf(doc[SysVersion])
	next := deepCopy(doc).(map[string]any)
	if out == nil {
		delete(next, pl.key)
	} else {
		next[pl.key] = out
	}
	live := doc[SysDeleted] != true
	unique := live && contains(pl.f.unique, pl.key)
	if unique {
		fe, err := checkClaims(ctx, tx, pl.f, id, next, []string{pl.key}, pl.lang)
		if err != nil {
			return err
		}
		if len(fe) > 0 {
			return errUniqueClash
		}
	}
	up := store.Patch{Set: map[string]any{SysVersion: curV + 1, SysUpdatedAt: now, SysUpdatedBy: p.Actor()}}
	if out == nil {
		up.Unset = []string{pl.key}
	} else {
		up.Set[pl.key] = out
	}
	after, err := tx.Update(ctx, pl.f.Coll, id, up, versionIs(curV))
	if err != nil {
		return err
	}
	// Deleted records count in no report; the hook sees them as none.
	if live {
		if err := r.onWrite(ctx, tx, pl.f, doc, after); err != nil {
			return err
		}
	}
	if unique {
		if err := moveClaims(ctx, tx, pl.f, id, doc, next, []string{pl.key}, pl.lang); err != nil {
			return err
		}
	}
	rv := Revision{Rev: curV + 1, Op: OpUpdate, At: now, Fields: []string{pl.key}, Old: map[string]any{}, New: map[string]any{}}
	if v := doc[pl.key]; v != nil {
		rv.Old[pl.key] = v
	}
	if out != nil {
		rv.New[pl.key] = out
	}
	if err := writeRevision(ctx, tx, pl.f, p, id, rv); err != nil {
		return err
	}
	if live {
		return r.applyRollups(ctx, tx, links, doc, next, pl.lang)
	}
	return nil
}
