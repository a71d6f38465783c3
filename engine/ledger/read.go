package ledger

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Page sizes of Entries.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Balance returns the balance of owner's account of kind in app (0 when it
// has none). It includes lots past their expiry that Expire has not
// processed yet; Available does not.
func (l *Ledger) Balance(ctx context.Context, app, owner, kind string) (int64, error) {
	a, err := l.Account(ctx, app, owner, kind)
	return a.Balance, err
}

// Available returns what a debit could take now: the balance less the
// lots past their expiry.
func (l *Ledger) Available(ctx context.Context, app, owner, kind string) (int64, error) {
	a, err := l.Account(ctx, app, owner, kind)
	if err != nil || a.LotsRemaining == 0 {
		return a.Balance, err
	}
	lots, err := l.Lots(ctx, a.ID)
	if err != nil {
		return 0, err
	}
	now := trunc(l.now())
	avail := a.Balance
	for _, lot := range lots {
		if !lot.ExpiresAt.After(now) {
			avail -= lot.Remaining
		}
	}
	return max(avail, 0), nil
}

// Account returns owner's account of kind in app; one that was never
// credited comes back empty (zero balance, no id) rather than as an error.
func (l *Ledger) Account(ctx context.Context, app, owner, kind string) (Account, error) {
	if err := l.Init(ctx); err != nil {
		return Account{}, err
	}
	d, err := l.st.Get(ctx, CollAccounts, accountID(app, kind, owner))
	if errors.Is(err, store.ErrNotFound) {
		return Account{App: app, Owner: owner, Kind: kind}, nil
	}
	if err != nil {
		return Account{}, err
	}
	return accountFrom(d), nil
}

// Accounts lists owner's accounts in app, by kind.
func (l *Ledger) Accounts(ctx context.Context, app, owner string) ([]Account, error) {
	if err := l.Init(ctx); err != nil {
		return nil, err
	}
	docs, err := l.st.Find(ctx, CollAccounts, store.Query{
		Filter: query.And(query.Eq(fApp, query.Str(app)), query.Eq(fOwner, query.Str(owner))),
		Sort:   []query.SortKey{{Field: fKind}}, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(docs))
	for i, d := range docs {
		out[i] = accountFrom(d)
	}
	return out, nil
}

// EntryFilter narrows Entries; empty fields do not filter.
type EntryFilter struct {
	Owner, Kind, Ref, Type string
}

// EntryPage is one page of entries, newest first.
type EntryPage struct {
	Items []Entry `json:"items"`
	Next  string  `json:"next,omitempty"` // cursor of the next page; "" on the last
}

// Entries lists app's entries matching f, newest first, limit at a time
// (default 50, at most 500), after cursor (the Next of the previous page).
func (l *Ledger) Entries(ctx context.Context, app string, f EntryFilter, limit int, cursor string) (EntryPage, error) {
	if err := l.Init(ctx); err != nil {
		return EntryPage{}, err
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	filter := query.And(query.Eq(fApp, query.Str(app)))
	if f.Owner != "" && f.Kind != "" {
		// The account id is the one index that serves both at once.
		filter = query.And(filter, query.Eq(fAccount, query.Str(accountID(app, f.Kind, f.Owner))))
	}
	for _, c := range []struct {
		f query.Field
		v string
	}{{fOwner, f.Owner}, {fKind, f.Kind}, {fRef, f.Ref}, {fType, f.Type}} {
		if c.v != "" {
			filter = query.And(filter, query.Eq(c.f, query.Str(c.v)))
		}
	}
	keys := []query.SortKey{{Field: query.IDField, Desc: true}}
	if cursor != "" {
		after, err := query.DecodeCursor(cursor, keys)
		if err != nil {
			return EntryPage{}, err
		}
		filter = query.And(filter, after)
	}
	docs, err := l.st.Find(ctx, CollEntries, store.Query{Filter: filter, Sort: keys, Limit: limit + 1})
	if err != nil {
		return EntryPage{}, err
	}
	var pg EntryPage
	if len(docs) > limit {
		docs = docs[:limit]
		pg.Next = query.CursorOf(docs[limit-1], keys).Encode()
	}
	pg.Items = make([]Entry, len(docs))
	for i, d := range docs {
		pg.Items[i] = entryFrom(d)
	}
	return pg, nil
}

// Entry returns entry id of app (ledger.entry_not_found otherwise).
func (l *Ledger) Entry(ctx context.Context, app, id string) (Entry, error) {
	d, err := l.st.Get(ctx, CollEntries, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && str(d, "app") != app) {
		return Entry{}, ErrEntryNotFound
	}
	if err != nil {
		return Entry{}, err
	}
	return entryFrom(d), nil
}

// Lots returns the open lots (remaining > 0) of an account in the order
// debits use them: by expiry, then oldest first. Spent and expired lots
// stay in the store for the record but are not listed.
func (l *Ledger) Lots(ctx context.Context, account string) ([]Lot, error) {
	if err := l.Init(ctx); err != nil {
		return nil, err
	}
	docs, err := l.st.Find(ctx, CollLots, store.Query{
		Filter: query.And(query.Eq(fAccount, query.Str(account)), query.Cmp(fDue, query.OpExists, query.Bool(true))),
		Sort:   []query.SortKey{{Field: fDue}}, Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := make([]Lot, len(docs))
	for i, d := range docs {
		out[i] = lotFrom(d)
	}
	return out, nil
}
