package ledger

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// txRunner is what a Store has and a transaction's Ops has not.
type txRunner interface {
	Tx(ctx context.Context, fn func(tx store.Ops) error) error
}

// Post applies p inside the caller's transaction: ops must be the
// store.Ops a store.Tx function received, so that an action can post
// points, debit stored value, redeem a coupon and write the sale
// atomically. Given the Store itself it refuses (ledger.not_in_tx): its
// writes would not commit together. Like every Tx body it has no effect
// outside the store and may run again when the backend retries.
//
// If an entry with p.Key exists in p.App, Post writes nothing and returns
// it when it records the same posting (owner, kind, amount and type; by,
// ref and meta may differ between retries), else fails with 409
// ledger.idempotency_mismatch. A debit beyond the available balance is a
// 422 ledger.insufficient_balance whose message gives the available
// amount. Any error is to be returned from the Tx function, abandoning
// the transaction: a refused debit writes nothing, but an error from the
// store may come after some of the post's writes.
func (l *Ledger) Post(ctx context.Context, ops store.Ops, p Posting) (Entry, error) {
	if err := l.initialised(); err != nil {
		return Entry{}, err
	}
	if _, ok := ops.(txRunner); ok {
		return Entry{}, errNotInTx
	}
	if err := validate(&p); err != nil {
		return Entry{}, err
	}
	if prior, found, err := findKey(ctx, ops, p.App, p.Key); err != nil || found {
		if err != nil {
			return Entry{}, err
		}
		if prior.Owner != p.Owner || prior.Kind != p.Kind || prior.Amount != p.Amount || prior.Type != p.Type {
			return Entry{}, errorf(ErrIdempotencyMismatch, "the key %q was used for another posting (%s %d to %s of %s)",
				p.Key, prior.Type, prior.Amount, prior.Kind, prior.Owner)
		}
		return prior, nil
	}
	// Checked after the replay: a retry that arrives once the expiry has
	// passed still gets the entry its first attempt made.
	now := trunc(l.now())
	if !p.ExpiresAt.IsZero() {
		p.ExpiresAt = trunc(p.ExpiresAt)
		if !p.ExpiresAt.After(now) {
			return Entry{}, &errs.Error{Class: ErrInvalid.Class, Code: ErrInvalid.Code, Msg: ErrInvalid.Msg,
				Fields: []errs.FieldError{{Path: "expiresAt", Code: ErrInvalid.Code, Message: "must be in the future"}}}
		}
	}
	e := Entry{ID: store.NewID(), Account: accountID(p.App, p.Kind, p.Owner), App: p.App, Owner: p.Owner,
		Kind: p.Kind, Unit: p.Unit, Amount: p.Amount, Key: p.Key, Type: p.Type, Ref: p.Ref,
		ExpiresAt: p.ExpiresAt, At: now, By: p.By, Meta: p.Meta}
	var err error
	if p.Amount > 0 {
		err = l.credit(ctx, ops, &e, nil)
	} else {
		err = l.debit(ctx, ops, &e, debitPlan{shortfall: ErrInsufficient})
	}
	if err != nil {
		return Entry{}, err
	}
	if _, err := ops.Insert(ctx, CollEntries, entryDoc(e)); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// PostTx posts p in a transaction of its own. When two first attempts with
// one key race, the loser's transaction fails on the key (or on creating
// the account) and is run again, which then answers as a replay.
func (l *Ledger) PostTx(ctx context.Context, p Posting) (Entry, error) {
	if err := l.Init(ctx); err != nil {
		return Entry{}, err
	}
	return inTx(ctx, l.st, func(tx store.Ops) (Entry, error) { return l.Post(ctx, tx, p) })
}

// inTx runs fn in a transaction, again after a duplicate or a conflict
// (a bounded number of times: those only come from concurrent first
// writes, which the next run sees committed).
func inTx(ctx context.Context, st store.Store, fn func(tx store.Ops) (Entry, error)) (Entry, error) {
	for attempt := 0; ; attempt++ {
		var e Entry
		err := st.Tx(ctx, func(tx store.Ops) error {
			var err error
			e, err = fn(tx)
			return err
		})
		if err == nil {
			return e, nil
		}
		if attempt >= 3 || !(errors.Is(err, store.ErrDuplicate) || errors.Is(err, store.ErrConflict)) {
			return Entry{}, err
		}
	}
}

// findKey looks up the entry with key in app.
func findKey(ctx context.Context, ops store.Ops, app, key string) (Entry, bool, error) {
	docs, err := ops.Find(ctx, CollEntries, store.Query{
		Filter: query.And(query.Eq(fApp, query.Str(app)), query.Eq(fKey, query.Str(key))), Limit: 1})
	if err != nil || len(docs) == 0 {
		return Entry{}, false, err
	}
	return entryFrom(docs[0]), true, nil
}

// credit adds e.Amount to e's account, creating the account on its first
// credit, and makes a lot when e expires. undone is the debit a reversal
// credits back (nil for a posting): the lots it took from get their share
// back, and its account must exist.
func (l *Ledger) credit(ctx context.Context, ops store.Ops, e *Entry, undone *Entry) error {
	var refill []Allocation
	if undone != nil {
		refill = undone.Lots
	}
	lotted := int64(0)
	if !e.ExpiresAt.IsZero() {
		lotted = e.Amount
	}
	for _, a := range refill {
		lotted += a.Amount
	}
	inc := map[string]int64{"balance": e.Amount, "version": 1}
	if lotted != 0 {
		inc["lotsRemaining"] = lotted
	}
	// The unit condition keeps one account in one unit; the bound keeps
	// the balance in the exact range (and the sum of entries with it).
	cond := query.And(query.Eq(fUnit, query.Str(string(e.Unit))), query.Cmp(fBalance, query.OpLte, query.Int(MaxAmount-e.Amount)))
	d, err := ops.Update(ctx, CollAccounts, e.Account, store.Patch{Inc: inc, Set: map[string]any{"updatedAt": stamp(e.At)}}, cond)
	switch {
	case errors.Is(err, store.ErrNotFound) && undone == nil:
		at := stamp(e.At)
		doc := store.Doc{"_id": e.Account, "app": e.App, "owner": e.Owner, "kind": e.Kind, "unit": string(e.Unit),
			"balance": e.Amount, "lotsRemaining": lotted, "createdAt": at, "updatedAt": at, "version": int64(1)}
		if _, err := ops.Insert(ctx, CollAccounts, doc); err != nil {
			return err // a concurrent first credit made it: PostTx runs again
		}
		e.BalanceAfter = e.Amount
	case errors.Is(err, store.ErrConditionFailed):
		cur, gerr := ops.Get(ctx, CollAccounts, e.Account)
		if gerr != nil {
			return gerr
		}
		if a := accountFrom(cur); a.Unit != e.Unit {
			return errorf(ErrUnitMismatch, "the %s account of %s counts in %s, not %s", a.Kind, a.Owner, a.Unit, e.Unit)
		}
		return errorf(ErrOverflow, "the balance would exceed %d", MaxAmount)
	case err != nil:
		return err
	default:
		e.BalanceAfter = i64(d, "balance")
	}
	if !e.ExpiresAt.IsZero() {
		e.Lot = store.NewID()
		at := stamp(e.At)
		lot := store.Doc{"_id": e.Lot, "app": e.App, "account": e.Account, "entry": e.ID, "amount": e.Amount,
			"remaining": e.Amount, "expiresAt": stamp(e.ExpiresAt), "due": stamp(e.ExpiresAt), "at": at, "expiries": int64(0)}
		if _, err := ops.Insert(ctx, CollLots, lot); err != nil {
			return err
		}
	}
	for _, a := range refill {
		if err := refillLot(ctx, ops, e.Account, a); err != nil {
			return err
		}
	}
	return nil
}
