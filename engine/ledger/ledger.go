// Package ledger keeps balance accounts — member points, stored value
// (储值) principal and bonus — as append-only entries. Money and points are
// int64 in the smallest unit (point, fen) and are never float.
//
// Model:
//   - An Account is one balance of one owner (a member record id) of one
//     kind ("points", "sv_principal", ...; kinds are data defined by the
//     app's templates). It is created by the first credit and its id is
//     "<app>:<kind>:<owner>", so a post finds it by id without an index.
//   - An Entry is one change of one account: amount (credit > 0, debit < 0),
//     the balance after it, an idempotency key unique per app, a type
//     (earn, redeem, topup, pay, refund, adjust, ...; "expire" and "reversal"
//     are written by the ledger itself), a reference (e.g. a receipt id),
//     the actor and a little metadata. Entries are never updated or deleted.
//   - A Lot is what remains of one credit that expires. Debits use lots
//     first-expiring-first (oldest first among equal expiries) and record
//     which lots they used on their entry. Credits without expiry are not
//     lots: they form the account's unlotted remainder (balance minus the
//     lots' remaining), which debits use last.
//
// Invariants, per account, kept by every write:
//
//	balance = Σ entry.amount
//	balance ≥ 0
//	lotsRemaining (on the account) = Σ lot.remaining
//	Σ lot.remaining ≤ balance (the unlotted remainder is never negative)
//	0 ≤ lot.remaining ≤ lot.amount
//
// Reconcile checks all of them but the last upper bound, which a store
// aggregation cannot express and which the one write that raises a lot
// (a reversal's refill) checks before it writes.
//
// Every write of a post — entry, account balance, lots — happens in one
// store transaction, and each balance or lot change is also a conditional
// update (a debit's condition is balance ≥ what it needs), so a balance can
// never go negative even on a backend whose transactions are not serial.
// A lot past its expiry that Expire has not processed yet still counts in
// the balance but cannot be spent: debits skip it and need the rest of the
// balance to cover them.
package ledger

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Collections of the ledger.
const (
	CollAccounts = "ledger_accounts"
	CollEntries  = "ledger_entries"
	CollLots     = "ledger_lots"
)

// indexes are what the ledger's reads and its idempotency rely on. The
// unique (app, key) index is what makes a key take effect once even when
// two transactions race on a backend that does not serialise them.
var indexes = map[string][]store.Index{
	CollAccounts: {
		{Name: "ledger_accounts_owner", Fields: []string{"app", "owner"}},
		{Name: "ledger_accounts_app", Fields: []string{"app", "_id"}},
	},
	CollEntries: {
		{Name: "ledger_entries_key", Fields: []string{"app", "key"}, Unique: true},
		{Name: "ledger_entries_account", Fields: []string{"account", "_id"}},
		{Name: "ledger_entries_owner", Fields: []string{"app", "owner", "_id"}},
		{Name: "ledger_entries_ref", Fields: []string{"app", "ref"}},
	},
	CollLots: {
		// "due" exists only while a lot holds points, so both indexes stay
		// the size of the open lots however long the history grows. _id
		// is the sort's tie-break: with it the index gives the whole order
		// and a page is read without sorting every open lot.
		{Name: "ledger_lots_account", Fields: []string{"account", "due", "_id"}},
		{Name: "ledger_lots_due", Fields: []string{"app", "due", "_id"}},
	},
}

// Options tune a Ledger.
type Options struct {
	// Now is the clock (default time.Now). It decides when a lot counts as
	// expired for debits and stamps entries.
	Now func() time.Time
}

// Ledger posts and reads entries in one store. It is safe for concurrent
// use, and several Ledgers (in one process or several) may share a store.
type Ledger struct {
	st  store.Store
	now func() time.Time

	mu    sync.Mutex  // serialises Init
	ready atomic.Bool // Init has succeeded
}

// New returns a Ledger over st. Call Init before Post; the other methods
// call it themselves.
func New(st store.Store, opt Options) *Ledger {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Ledger{st: st, now: opt.Now}
}

// Init creates the ledger's indexes (once per Ledger; EnsureIndexes keeps
// existing ones, so other processes doing the same is harmless).
func (l *Ledger) Init(ctx context.Context) error {
	if l.ready.Load() {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ready.Load() {
		return nil
	}
	for _, coll := range []string{CollAccounts, CollEntries, CollLots} {
		if err := l.st.EnsureIndexes(ctx, coll, indexes[coll]); err != nil {
			return err
		}
	}
	l.ready.Store(true)
	return nil
}

// initialised reports whether Init has succeeded. Post cannot initialise
// lazily: it runs inside a caller's transaction, where a write through the
// Store itself would deadlock (SQLite) or escape the transaction (MongoDB).
func (l *Ledger) initialised() error {
	if !l.ready.Load() {
		return errNotInitialised
	}
	return nil
}

// Errors of the ledger. Each is a sentinel usable with errors.Is; the
// returned errors carry messages with the amounts involved.
var (
	// ErrInvalid: the posting is malformed; Fields say where.
	ErrInvalid = errs.New(errs.Unprocessable, "ledger.invalid", "the posting is invalid")
	// ErrInsufficient: a debit needs more than the account has available.
	ErrInsufficient = errs.New(errs.Unprocessable, "ledger.insufficient_balance", "the balance is not enough")
	// ErrIdempotencyMismatch: the key was used for a different posting.
	ErrIdempotencyMismatch = errs.New(errs.Conflict, "ledger.idempotency_mismatch", "this idempotency key was used for a different posting")
	// ErrUnitMismatch: the posting's unit is not the account's.
	ErrUnitMismatch = errs.New(errs.Unprocessable, "ledger.unit_mismatch", "the unit does not match the account's")
	// ErrOverflow: the balance would leave the exact range.
	ErrOverflow = errs.New(errs.Unprocessable, "ledger.overflow", "the balance would exceed the largest amount the ledger keeps")
	// ErrEntryNotFound: no entry with this id in this app.
	ErrEntryNotFound = errs.New(errs.NotFound, "ledger.entry_not_found", "no such ledger entry")
	// ErrAlreadyReversed: the entry was reversed before (by another request).
	ErrAlreadyReversed = errs.New(errs.Conflict, "ledger.already_reversed", "this entry has already been reversed")
	// ErrNotReversible: expiries and reversals are not reversed; post a
	// new entry instead.
	ErrNotReversible = errs.New(errs.Unprocessable, "ledger.not_reversible", "this entry cannot be reversed")
	// ErrReversalInsufficient: a credit's points or money were spent and
	// the account cannot cover taking them back.
	ErrReversalInsufficient = errs.New(errs.Unprocessable, "ledger.reversal_insufficient", "the account cannot cover reversing this credit")

	errNotInitialised = errs.New(errs.Internal, "ledger.not_initialised", "ledger.Init was not called")
	errNotInTx        = errs.New(errs.Internal, "ledger.not_in_tx", "Post needs the store.Ops of a transaction (use PostTx outside one)")
)
