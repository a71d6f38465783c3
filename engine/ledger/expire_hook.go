package ledger

import (
	"context"
	"sync"

	"github.com/tangram/tangram/engine/store"
)

// ExpireHook is called inside the transaction of every expiry entry
// Expire posts, with the entry (its BalanceAfter is the account's new
// balance). Callers' postings keep their mirrors themselves (a checkout
// writes the member's points in its own transaction); an expiry has no
// caller, so whatever mirrors a balance — the CRM member's points field —
// learns of it here. An error fails the lot's expiry, which the next run
// tries again: the balance and its mirror commit together or not at all.
type ExpireHook func(ctx context.Context, tx store.Ops, e Entry) error

// expireHooks are the attached hooks by store: every Ledger over a store
// (the API builds its own) calls the one hook wired for it.
var expireHooks sync.Map // store.Store -> ExpireHook

// SetExpireHook attaches h to the ledgers of st (nil detaches it). Call it
// while wiring, before expiries run.
func SetExpireHook(st store.Store, h ExpireHook) {
	if h == nil {
		expireHooks.Delete(st)
		return
	}
	expireHooks.Store(st, h)
}

// onExpire calls the hook of l's store, if any.
func (l *Ledger) onExpire(ctx context.Context, tx store.Ops, e Entry) error {
	h, ok := expireHooks.Load(l.st)
	if !ok {
		return nil
	}
	return h.(ExpireHook)(ctx, tx, e)
}
