package ledger

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/store"
)

// ReverseKeyPrefix starts the key of every reversal entry: "reverse:<id>"
// is unique per app, so an entry is reversed at most once.
const ReverseKeyPrefix = "reverse:"

// Reverse posts the exact opposite of entry entryID of app inside the
// caller's transaction (see Post), marked reverses=entryID, type
// "reversal", with the original's ref.
//
//   - A reversed debit is credited back into the lots it took from (their
//     remaining restored; a lot that has expired meanwhile is due at once
//     and expires again on the next Expire run) and into the unlotted
//     remainder for the rest.
//   - A reversed credit is taken back from its own lot first, whatever is
//     left of it, and for the part already spent from the account's other
//     funds like a debit. When the account cannot cover that, it fails with
//     422 ledger.reversal_insufficient and writes nothing: the points or
//     money were spent, and taking them back would overdraw the account.
//   - Expiries and reversals are not reversed (422 ledger.not_reversible):
//     a new credit reinstates expired points; a reversal is final.
//
// key is the caller's idempotency key for the request (optional): the same
// key again returns the reversal already posted, while any other request
// to reverse the entry once more is a 409 ledger.already_reversed. An
// entry of another app is not found (404 ledger.entry_not_found).
func (l *Ledger) Reverse(ctx context.Context, ops store.Ops, app, entryID, key, by string) (Entry, error) {
	if err := l.initialised(); err != nil {
		return Entry{}, err
	}
	if _, ok := ops.(txRunner); ok {
		return Entry{}, errNotInTx
	}
	for _, f := range []struct{ path, v string }{{"key", key}, {"by", by}} {
		if msg := checkText(f.v, maxKey, false); msg != "" {
			return Entry{}, errorf(ErrInvalid, "%s %s", f.path, msg)
		}
	}
	d, err := ops.Get(ctx, CollEntries, entryID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && str(d, "app") != app) {
		return Entry{}, ErrEntryNotFound
	}
	if err != nil {
		return Entry{}, err
	}
	orig := entryFrom(d)
	if orig.Type == TypeExpire || orig.Type == TypeReversal {
		return Entry{}, errorf(ErrNotReversible, "%s entries cannot be reversed; post a new entry instead", orig.Type)
	}
	rkey := ReverseKeyPrefix + orig.ID
	if prior, found, err := findKey(ctx, ops, app, rkey); err != nil || found {
		if err != nil {
			return Entry{}, err
		}
		if key != "" && prior.RequestKey == key {
			return prior, nil
		}
		return Entry{}, errorf(ErrAlreadyReversed, "entry %s was reversed by entry %s", orig.ID, prior.ID)
	}
	e := Entry{ID: store.NewID(), Account: orig.Account, App: app, Owner: orig.Owner, Kind: orig.Kind, Unit: orig.Unit,
		Amount: -orig.Amount, Key: rkey, Type: TypeReversal, Ref: orig.Ref, Reverses: orig.ID, RequestKey: key,
		At: trunc(l.now()), By: by}
	if orig.Amount < 0 {
		err = l.credit(ctx, ops, &e, &orig)
		e.Lots = orig.Lots
	} else {
		err = l.debit(ctx, ops, &e, debitPlan{prefer: orig.Lot, shortfall: ErrReversalInsufficient})
	}
	if err != nil {
		return Entry{}, err
	}
	if _, err := ops.Insert(ctx, CollEntries, entryDoc(e)); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// ReverseTx reverses in a transaction of its own (see Reverse).
func (l *Ledger) ReverseTx(ctx context.Context, app, entryID, key, by string) (Entry, error) {
	if err := l.Init(ctx); err != nil {
		return Entry{}, err
	}
	return inTx(ctx, l.st, func(tx store.Ops) (Entry, error) { return l.Reverse(ctx, tx, app, entryID, key, by) })
}
