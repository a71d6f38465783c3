package action

import (
	"context"
	"errors"
	"time"

	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// ledger.* — balance accounts of the action's app, inside the run's
// transaction. Ledger accounts have no roles of their own: the right to
// run the action is the right to post what its script posts (a POS key
// runs checkout; it cannot post points any other way). Entries name the
// caller as their actor.

// ledgerPost is ledger.post({owner, kind, unit, amount, key, type, ref?,
// expiresAt?, meta?}): the entry (a replay of the same key gives the entry
// already posted).
func (h *host) ledgerPost(ctx context.Context, list []any) (any, error) {
	a := h.args("ledger.post", list)
	m, err := a.obj(0, "posting", false)
	if err != nil {
		return nil, err
	}
	if err := a.known(m, "owner", "kind", "unit", "amount", "key", "type", "ref", "expiresAt", "meta"); err != nil {
		return nil, err
	}
	p := ledger.Posting{App: h.a.app, By: h.caller.Actor()}
	var unit string
	for name, dst := range map[string]*string{"owner": &p.Owner, "kind": &p.Kind, "unit": &unit, "key": &p.Key, "type": &p.Type, "ref": &p.Ref} {
		if *dst, err = a.propStr(m, name); err != nil {
			return nil, err
		}
	}
	p.Unit = ledger.Unit(unit)
	if p.Amount, _, err = a.propInt(m, "amount"); err != nil {
		return nil, err
	}
	if p.ExpiresAt, err = propTime(a, m, "expiresAt"); err != nil {
		return nil, err
	}
	if v, ok := m["meta"]; ok && v != nil {
		meta, ok := v.(map[string]any)
		if !ok {
			return nil, a.prop("meta", "object")
		}
		p.Meta = meta
	}
	return entryValue(h.s.ledger.Post(ctx, h.tx, p))
}

// entryValue is an entry as the script gets it (its JSON values, made
// directly rather than through its encoding).
func entryValue(e ledger.Entry, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return e.Plain(), nil
}

// propTime reads an optional date-time property (RFC 3339, or a date
// meaning midnight in the business time zone).
func propTime(a *args, m map[string]any, name string) (time.Time, error) {
	s, err := a.propStr(m, name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	t, err := query.ParseTime(s, query.DefaultLocation)
	if err != nil {
		return time.Time{}, a.prop(name, "datetime")
	}
	return t, nil
}

// ledgerReverse is ledger.reverse(entryId, key?): the reversal entry.
func (h *host) ledgerReverse(ctx context.Context, list []any) (any, error) {
	a := h.args("ledger.reverse", list)
	id, err := a.str(0, "entryId")
	if err != nil {
		return nil, err
	}
	key, err := a.optStr(1, "key")
	if err != nil {
		return nil, err
	}
	return entryValue(h.s.ledger.Reverse(ctx, h.tx, h.a.app, id, key, h.caller.Actor()))
}

// ledgerBalance is ledger.balance(owner, kind): the balance as of this
// point of the transaction, its own posts included (0 for an account
// never credited). It reads the account through the transaction because
// the ledger's own Balance reads the store, which would not see them; the
// account's id and its "balance" are the ledger's documented model.
func (h *host) ledgerBalance(ctx context.Context, list []any) (any, error) {
	a := h.args("ledger.balance", list)
	owner, err := a.str(0, "owner")
	if err != nil {
		return nil, err
	}
	kind, err := a.str(1, "kind")
	if err != nil {
		return nil, err
	}
	d, err := h.tx.Get(ctx, ledger.CollAccounts, h.a.app+":"+kind+":"+owner)
	if errors.Is(err, store.ErrNotFound) {
		return int64(0), nil
	}
	if err != nil {
		return nil, err
	}
	return d["balance"], nil
}
