package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// debitPlan says where a debit takes from.
type debitPlan struct {
	// prefer is a lot to empty first whatever its expiry: the lot of a
	// credit being reversed, or the lot an expiry closes.
	prefer string
	// expire: an expiry, which takes from prefer and nothing else and
	// counts itself on the lot.
	expire bool
	// shortfall is the error when the account cannot cover the debit.
	shortfall *errs.Error
}

// take is one planned lot change: the allocation and the lot as read, so
// the update can require that it is still so (compare-and-set).
type take struct {
	Allocation
	was      int64 // remaining when read
	expiries int64
}

// debit takes -e.Amount from e's account: from its unexpired lots first
// (first-expiring-first), then from its unlotted remainder. Lots past
// their expiry are neither used nor counted as available. It records the
// lots used on e.
func (l *Ledger) debit(ctx context.Context, ops store.Ops, e *Entry, plan debitPlan) error {
	need := -e.Amount
	d, err := ops.Get(ctx, CollAccounts, e.Account)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(plan.shortfall, "%s: available 0, needed %d (%s)", plan.shortfall.Msg, need, e.Unit)
	}
	if err != nil {
		return err
	}
	acct := accountFrom(d)
	if acct.Unit != e.Unit {
		return errorf(ErrUnitMismatch, "the %s account of %s counts in %s, not %s", acct.Kind, acct.Owner, acct.Unit, e.Unit)
	}
	var takes []take
	if acct.LotsRemaining > 0 || plan.prefer != "" {
		if takes, err = l.allocate(ctx, ops, acct.ID, need, plan); err != nil {
			return err
		}
	}
	var fromLots int64
	for _, t := range takes {
		fromLots += t.Amount
	}
	// After the debit the balance must still cover every lot left: the
	// unlotted remainder never goes below zero. With the lots as read,
	// that is balance ≥ need + lotsAfter.
	lotsAfter := acct.LotsRemaining - fromLots
	required := need + lotsAfter
	short := func() error {
		avail := max(acct.Balance-lotsAfter, 0)
		return errorf(plan.shortfall, "%s: available %d, needed %d (%s)", plan.shortfall.Msg, avail, need, acct.Unit)
	}
	if acct.Balance < required {
		return short()
	}
	inc := map[string]int64{"balance": -need, "version": 1}
	if fromLots != 0 {
		inc["lotsRemaining"] = -fromLots
	}
	nd, err := ops.Update(ctx, CollAccounts, acct.ID, store.Patch{Inc: inc, Set: map[string]any{"updatedAt": stamp(e.At)}},
		query.Cmp(fBalance, query.OpGte, query.Int(required)))
	if errors.Is(err, store.ErrConditionFailed) {
		return short()
	}
	if err != nil {
		return err
	}
	e.BalanceAfter = i64(nd, "balance")
	for _, t := range takes {
		if err := drawLot(ctx, ops, t, plan.expire); err != nil {
			return err
		}
		e.Lots = append(e.Lots, t.Allocation)
	}
	return nil
}

// A debit reads lots a page at a time, the first page small (most debits
// need one or two lots) and each next one larger.
const (
	firstLotPage = 2
	maxLotPage   = 256
)

// allocate plans which lots a debit of need uses: plan.prefer first, then
// the account's open lots by expiry then age, skipping those already past
// expiry. Expired lots sort before every live one, so all of them have
// been skipped by the time a live lot is used. It may cover less than
// need; the rest comes from the unlotted remainder.
func (l *Ledger) allocate(ctx context.Context, ops store.Ops, account string, need int64, plan debitPlan) ([]take, error) {
	var out []take
	left := need
	if plan.prefer != "" {
		d, err := ops.Get(ctx, CollLots, plan.prefer)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			lot := lotFrom(d)
			if lot.Account != account {
				return nil, fmt.Errorf("ledger: lot %s is not of account %s", lot.ID, account)
			}
			if n := min(left, lot.Remaining); n > 0 {
				out = append(out, take{Allocation{lot.ID, n}, lot.Remaining, lot.Expiries})
				left -= n
			}
		}
		if plan.expire {
			return out, nil
		}
	}
	now := stamp(l.now())
	keys := []query.SortKey{{Field: fDue}, {Field: query.IDField}}
	base := query.And(query.Eq(fAccount, query.Str(account)), query.Cmp(fDue, query.OpExists, query.Bool(true)))
	filter := base
	for size := firstLotPage; left > 0; size = min(2*size, maxLotPage) {
		docs, err := ops.Find(ctx, CollLots, store.Query{Filter: filter, Sort: keys, Limit: size})
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			lot := lotFrom(d)
			if lot.ID == plan.prefer || str(d, "due") <= now || lot.Remaining <= 0 {
				continue
			}
			n := min(left, lot.Remaining)
			out = append(out, take{Allocation{lot.ID, n}, lot.Remaining, lot.Expiries})
			if left -= n; left == 0 {
				break
			}
		}
		if len(docs) < size {
			break
		}
		last := docs[len(docs)-1]
		filter = query.And(base, query.After(keys, []query.Value{query.TimeV(str(last, "due")), query.Str(str(last, "_id"))}))
	}
	return out, nil
}

// drawLot takes t from its lot, closing the lot (no "due") when it is
// used up. expire also counts an expiry on the lot. The condition is the
// lot as read: a change in between is a conflict to run again, never a
// lot drawn twice.
func drawLot(ctx context.Context, ops store.Ops, t take, expire bool) error {
	p := store.Patch{Inc: map[string]int64{"remaining": -t.Amount}}
	if t.Amount == t.was {
		p.Unset = []string{"due"}
	}
	if expire {
		p.Inc["expiries"] = 1
	}
	cond := query.And(query.Eq(fRemaining, query.Int(t.was)), query.Eq(fExpiries, query.Int(t.expiries)))
	_, err := ops.Update(ctx, CollLots, t.Lot, p, cond)
	if errors.Is(err, store.ErrConditionFailed) {
		return store.Wrapf(store.ErrConflict, err, "%s", store.ErrConflict.Msg)
	}
	return err
}

// refillLot gives a back to its lot (a reversed debit), reopening it. A
// lot refilled after its expiry is due at once, and the next Expire run
// expires it again.
func refillLot(ctx context.Context, ops store.Ops, account string, a Allocation) error {
	d, err := ops.Get(ctx, CollLots, a.Lot)
	if err != nil {
		return err
	}
	lot := lotFrom(d)
	if lot.Account != account || lot.Remaining+a.Amount > lot.Amount {
		return fmt.Errorf("ledger: lot %s cannot take back %d (remaining %d of %d)", lot.ID, a.Amount, lot.Remaining, lot.Amount)
	}
	p := store.Patch{Inc: map[string]int64{"remaining": a.Amount}, Set: map[string]any{"due": stamp(lot.ExpiresAt)}}
	_, err = ops.Update(ctx, CollLots, lot.ID, p, query.Eq(fRemaining, query.Int(lot.Remaining)))
	if errors.Is(err, store.ErrConditionFailed) {
		return store.Wrapf(store.ErrConflict, err, "%s", store.ErrConflict.Msg)
	}
	return err
}
