package workflow

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// LeaseTTL is how long a runner holds the SLA lease after taking or
// renewing it.
const LeaseTTL = time.Minute

// lease is a named lease in the store that at most one holder has at a
// time, so that among several server instances sharing a store only one
// runs the SLA timers at once.
//
// The lease document {_id: name, holder, until} is taken when it does not
// exist (an insert: of two racing inserts one fails on the duplicate id),
// when it has expired, or by its holder to renew it; taking an existing
// one is an update on condition that holder and until are still what was
// read, so of two runners racing for an expired lease exactly one wins.
// A holder that stops (or stalls past LeaseTTL) simply stops renewing and
// another instance takes over at its next tick. Times come from the
// service's clock, which every instance must share closely (NTP); a
// runner also works only on batches short enough to finish well within
// LeaseTTL. The lease is an efficiency measure, not the safety one: every
// SLA action is a conditional write on the task's revision, so even two
// runners overlapping after a stall act on each task once.
type lease struct {
	st     store.Store
	name   string
	holder string
	now    func() time.Time
}

func newLease(st store.Store, name, holder string, now func() time.Time) *lease {
	return &lease{st: st, name: name, holder: holder, now: now}
}

var (
	fHolder = query.Field{Path: "holder", Kind: query.KindString}
	fUntil  = query.Field{Path: "until", Kind: query.KindString}
)

// acquire takes or renews the lease; false when another holder has it.
func (l *lease) acquire(ctx context.Context) (bool, error) {
	now := l.now()
	until := query.FormatTime(now.Add(LeaseTTL))
	doc, err := l.st.Get(ctx, collLeases, l.name)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		_, err := l.st.Insert(ctx, collLeases, store.Doc{"_id": l.name, "holder": l.holder, "until": until})
		if errs.HasCode(err, store.ErrDuplicate.Code) {
			return false, nil
		}
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	holder, _ := doc["holder"].(string)
	old, _ := doc["until"].(string)
	if holder != l.holder && old > query.FormatTime(now) {
		return false, nil
	}
	cond := query.And(query.Eq(fHolder, query.Str(holder)), query.Eq(fUntil, query.Str(old)))
	_, err = l.st.Update(ctx, collLeases, l.name, store.Patch{Set: store.Doc{"holder": l.holder, "until": until}}, cond)
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return false, nil
	}
	return err == nil, err
}

// release gives the lease up at once (on shutdown), if held.
func (l *lease) release(ctx context.Context) error {
	_, err := l.st.Update(ctx, collLeases, l.name, store.Patch{Set: store.Doc{"until": query.FormatTime(time.Unix(0, 0))}},
		query.Eq(fHolder, query.Str(l.holder)))
	if errs.HasCode(err, store.ErrConditionFailed.Code) || errs.HasCode(err, store.ErrNotFound.Code) {
		return nil
	}
	return err
}
