package ledger

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// ExpireResult says what one Expire run did.
type ExpireResult struct {
	Expired int `json:"expired"` // lots expired by this run
	Failed  int `json:"failed"`  // lots whose expiry failed (see the error)
}

// ExpireKeyPrefix starts the key of every expire entry.
const ExpireKeyPrefix = "expire:"

// expirePage is how many due lots one read of Expire takes.
const expirePage = 200

// Expire closes every lot of app that still holds points at or after its
// expiry (expiresAt ≤ now) with an "expire" debit of what remains, one
// transaction per lot. The entry's key is "expire:<lotId>" (and
// "expire:<lotId>:<n>" for the n-th expiry of a lot that a reversal
// refilled after it had expired), so runs on several instances at once
// have exactly one effect per lot: the transaction re-reads the lot, the
// key is unique and the lot update is conditional on the lot as read.
// A lot that fails is counted and skipped; the first error is returned
// with the result. The store's ExpireHook, if any, runs in each lot's
// transaction (expire_hook.go).
func (l *Ledger) Expire(ctx context.Context, app string, now time.Time) (ExpireResult, error) {
	var res ExpireResult
	if !meta.ValidKey(app) {
		return res, errorf(ErrInvalid, "app must be an app key")
	}
	if err := l.Init(ctx); err != nil {
		return res, err
	}
	cut := stamp(now)
	keys := []query.SortKey{{Field: fDue}, {Field: query.IDField}}
	base := query.And(query.Eq(fApp, query.Str(app)), query.Cmp(fDue, query.OpLte, query.TimeV(cut)))
	filter := base
	var first error
	for {
		docs, err := l.st.Find(ctx, CollLots, store.Query{Filter: filter, Sort: keys, Limit: expirePage, Fields: []string{"due"}})
		if err != nil {
			return res, err
		}
		for _, d := range docs {
			done, err := l.expireLot(ctx, str(d, "_id"), cut)
			switch {
			case err != nil:
				res.Failed++
				if first == nil {
					first = fmt.Errorf("ledger: expire lot %s: %w", str(d, "_id"), err)
				}
			case done:
				res.Expired++
			}
		}
		if len(docs) < expirePage {
			return res, first
		}
		last := docs[len(docs)-1]
		filter = query.And(base, query.After(keys, []query.Value{query.TimeV(str(last, "due")), query.Str(str(last, "_id"))}))
	}
}

// expireLot expires one lot if it is still due at cut; false when another
// run (or a debit's reversal) got there first.
func (l *Ledger) expireLot(ctx context.Context, lotID, cut string) (bool, error) {
	done := false
	_, err := inTx(ctx, l.st, func(tx store.Ops) (Entry, error) {
		done = false
		d, err := tx.Get(ctx, CollLots, lotID)
		if err != nil {
			return Entry{}, err
		}
		lot := lotFrom(d)
		due, open := d["due"].(string)
		if !open || due > cut || lot.Remaining <= 0 {
			return Entry{}, nil
		}
		key := ExpireKeyPrefix + lot.ID
		if lot.Expiries > 0 {
			key += ":" + strconv.FormatInt(lot.Expiries+1, 10)
		}
		if _, found, err := findKey(ctx, tx, lot.App, key); err != nil || found {
			return Entry{}, err
		}
		ad, err := tx.Get(ctx, CollAccounts, lot.Account)
		if err != nil {
			return Entry{}, err
		}
		acct := accountFrom(ad)
		e := Entry{ID: store.NewID(), Account: acct.ID, App: acct.App, Owner: acct.Owner, Kind: acct.Kind,
			Unit: acct.Unit, Amount: -lot.Remaining, Key: key, Type: TypeExpire, At: trunc(l.now()), By: "system"}
		if err := l.debit(ctx, tx, &e, debitPlan{prefer: lot.ID, expire: true, shortfall: ErrInsufficient}); err != nil {
			return Entry{}, err
		}
		if _, err := tx.Insert(ctx, CollEntries, entryDoc(e)); err != nil {
			return Entry{}, err
		}
		if err := l.onExpire(ctx, tx, e); err != nil {
			return Entry{}, err
		}
		done = true
		return e, nil
	})
	return done, err
}
