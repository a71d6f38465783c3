package auth

import (
	"context"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The lockout counter lives in the user document ("failedLogins",
// "lockedUntil") so it holds across server instances. Both steps are
// conditional updates, which makes them exact under concurrency without a
// transaction:
//
//  1. a failure increments failedLogins only while the account is not
//     locked (an atomic Inc: no count below the threshold is ever lost);
//  2. whoever sees the count reach the threshold sets lockedUntil and resets
//     the count, on condition that the count is still at the threshold and
//     the account still unlocked, so exactly one caller locks it.
//
// When the lock expires the count is already zero and the next failure
// starts a new series.

// locked reports whether u is locked now.
func (s *Service) locked(u *userDoc) bool {
	return u.LockedUntil != "" && u.LockedUntil > s.nowString()
}

// notLocked is the condition "lockedUntil is unset or past".
func (s *Service) notLocked() *query.Node {
	return query.Or(
		query.Eq(fLockedUntil, query.Null(query.KindTime)),
		query.Cmp(fLockedUntil, query.OpLte, query.TimeV(s.nowString())),
	)
}

// registerFailure counts a wrong password for u and locks the account when
// the count reaches MaxFailures. It reports whether this call locked it.
func (s *Service) registerFailure(ctx context.Context, c Caller, u *userDoc) (bool, error) {
	doc, err := s.st.Update(ctx, CollUsers, u.ID, store.Patch{Inc: map[string]int64{"failedLogins": 1}}, s.notLocked())
	if isCode(err, store.ErrConditionFailed) || isCode(err, store.ErrNotFound) {
		return false, nil // locked meanwhile (or deleted): nothing to count
	}
	if err != nil {
		return false, err
	}
	var after userDoc
	if err := decode(doc, &after); err != nil {
		return false, err
	}
	limit := int64(s.cfg.MaxFailures)
	if after.FailedLogins < limit {
		return false, nil
	}
	until := s.now().Add(s.cfg.LockFor)
	cond := query.And(query.Cmp(fFailed, query.OpGte, query.Int(limit)), s.notLocked())
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		if _, err := tx.Update(ctx, CollUsers, u.ID, store.Patch{
			Set: map[string]any{"failedLogins": 0, "lockedUntil": query.FormatTime(until)},
		}, cond); err != nil {
			return err
		}
		return s.record(ctx, tx, c, "auth.lockout", "user:"+u.ID, map[string]any{
			"username": u.Username, "failures": after.FailedLogins, "lockedUntil": query.FormatTime(until)})
	})
	if isCode(err, store.ErrConditionFailed) {
		return false, nil // another attempt locked it first
	}
	return err == nil, err
}
