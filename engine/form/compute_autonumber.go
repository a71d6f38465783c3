package form

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Auto-numbers. Each auto-number field counts per period (its pattern
// decides: per year, per month, per day, or never reset) in a counter
// document of a shared collection. A create increments the counter with
// store.Update Inc inside its own transaction, so a number is used exactly
// when its record commits: never twice, whatever the concurrency, and a
// create that fails validation or loses a race consumes none.

// counterID names the counter of field key of f for a period.
func counterID(f *Form, key, period string) string {
	return f.Coll + "." + key + "." + period
}

// numberPlan is the counters a create will increment, prepared before the
// transaction.
type numberPlan struct {
	at      time.Time
	periods map[string]string // field key -> period
}

// prepareNumbers makes sure the counters a create needs exist, outside its
// transaction: creating a counter inside concurrent transactions would
// make all but one of them fail on MongoDB instead of waiting. Inside a
// caller's transaction (In) there is no outside: assignNumbers creates a
// missing counter there, and on MongoDB the first creates of a new period
// racing each other may then fail with a conflict the caller retries.
func (r *Records) prepareNumbers(ctx context.Context, f *Form) (*numberPlan, error) {
	if len(f.autoNumbers) == 0 {
		return nil, nil
	}
	// Date parts and periods follow the business time zone, so a record
	// made at 00:30 in Shanghai gets that day's number.
	plan := &numberPlan{at: r.now().In(query.DefaultLocation), periods: map[string]string{}}
	for _, a := range f.autoNumbers {
		period := AutoNumberPeriod(AutoNumberPattern(a.fd), plan.at)
		plan.periods[a.key] = period
		if r.tx != nil {
			continue
		}
		id := counterID(f, a.key, period)
		if _, err := r.st.Get(ctx, collCounters, id); err == nil {
			continue
		} else if !errs.HasCode(err, store.ErrNotFound.Code) {
			return nil, err
		}
		_, err := r.st.Insert(ctx, collCounters, store.Doc{"_id": id, "n": int64(0)})
		if err != nil && !errs.HasCode(err, store.ErrDuplicate.Code) {
			return nil, err
		}
	}
	return plan, nil
}

// assignNumbers takes the next number of every auto-number field for each
// of recs, in order, inside the create's transaction: one counter update
// per field advances it by len(recs) at once.
func (r *Records) assignNumbers(ctx context.Context, tx store.Ops, f *Form, plan *numberPlan, recs ...store.Doc) error {
	if plan == nil || len(recs) == 0 {
		return nil
	}
	n := int64(len(recs))
	for _, a := range f.autoNumbers {
		id := counterID(f, a.key, plan.periods[a.key])
		doc, err := tx.Update(ctx, collCounters, id, store.Patch{Inc: map[string]int64{"n": n}}, nil)
		if errs.HasCode(err, store.ErrNotFound.Code) {
			// Not made by prepareNumbers (inside a caller's transaction), or
			// removed since (a restore from backup): start over.
			doc = store.Doc{"_id": id, "n": n}
			_, err = tx.Insert(ctx, collCounters, doc)
		}
		if err != nil {
			return err
		}
		first, pattern := intOf(doc["n"])-n+1, AutoNumberPattern(a.fd)
		for i, rec := range recs {
			rec[a.key] = FormatAutoNumber(pattern, plan.at, first+int64(i))
		}
	}
	return nil
}
