package ledger

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Problems Reconcile reports, one code per broken invariant.
const (
	ProblemBalance       = "balance_ne_entries"  // balance ≠ Σ entry.amount
	ProblemNegative      = "negative_balance"    // balance < 0
	ProblemLotsTotal     = "lots_total_mismatch" // account.lotsRemaining ≠ Σ lot.remaining
	ProblemLotsOverdrawn = "lots_exceed_balance" // Σ lot.remaining > balance
	ProblemNegativeLot   = "negative_lot"        // some lot.remaining < 0
)

// Mismatch is one account that breaks an invariant.
type Mismatch struct {
	Account       string   `json:"account"`
	Owner         string   `json:"owner"`
	Kind          string   `json:"kind"`
	Balance       int64    `json:"balance"`
	SumOfEntries  int64    `json:"sumOfEntries"`
	LotsRemaining int64    `json:"lotsRemaining"` // Σ lot.remaining
	AccountLots   int64    `json:"accountLots"`   // the account's own lotsRemaining
	Problems      []string `json:"problems"`
}

// Report is the outcome of Reconcile.
type Report struct {
	App        string     `json:"app"`
	Accounts   int        `json:"accounts"`
	Entries    int64      `json:"entries"`
	Method     string     `json:"method"` // "aggregate" (in the database) or "scan" (paged reads)
	Mismatches []Mismatch `json:"mismatches"`
}

// reconcilePage is how many accounts one round of Reconcile checks.
const reconcilePage = 500

// Reconcile checks every account of app against its entries and lots (the
// invariants in the package doc). Sums are computed by store aggregation,
// per page of accounts; on a backend without it (lungo) by paging through
// the entries. Reading while posts go on can catch an account between two
// reads, so a suspect account is checked again inside a transaction (one
// consistent state) before it is reported.
func (l *Ledger) Reconcile(ctx context.Context, app string) (Report, error) {
	rep := Report{App: app, Method: "aggregate", Mismatches: []Mismatch{}}
	if err := l.Init(ctx); err != nil {
		return rep, err
	}
	keys := []query.SortKey{{Field: query.IDField}}
	base := query.Eq(fApp, query.Str(app))
	filter := base
	for {
		docs, err := l.st.Find(ctx, CollAccounts, store.Query{Filter: filter, Sort: keys, Limit: reconcilePage})
		if err != nil {
			return rep, err
		}
		accts := make([]Account, len(docs))
		for i, d := range docs {
			accts[i] = accountFrom(d)
		}
		sums, err := sumsOf(ctx, l.st, accts, &rep.Method)
		if err != nil {
			return rep, err
		}
		for _, a := range accts {
			rep.Accounts++
			rep.Entries += sums[a.ID].count
			if check(a, sums[a.ID]).Problems == nil {
				continue
			}
			m, err := l.recheck(ctx, a.ID, &rep.Method)
			if err != nil {
				return rep, err
			}
			if m.Problems != nil {
				rep.Mismatches = append(rep.Mismatches, m)
			}
		}
		if len(docs) < reconcilePage {
			return rep, nil
		}
		filter = query.And(base, query.After(keys, []query.Value{query.Str(accts[len(accts)-1].ID)}))
	}
}

// recheck checks one account again within a transaction.
func (l *Ledger) recheck(ctx context.Context, id string, method *string) (Mismatch, error) {
	var m Mismatch
	err := l.st.Tx(ctx, func(tx store.Ops) error {
		d, err := tx.Get(ctx, CollAccounts, id)
		if err != nil {
			return err
		}
		a := accountFrom(d)
		sums, err := sumsOf(ctx, tx, []Account{a}, method)
		if err != nil {
			return err
		}
		m = check(a, sums[id])
		return nil
	})
	return m, err
}

// totals are one account's sums over its entries and lots.
type totals struct {
	entries, count int64
	lots, minLot   int64
}

// check compares an account with its sums; Problems is nil when it holds.
func check(a Account, t totals) Mismatch {
	m := Mismatch{Account: a.ID, Owner: a.Owner, Kind: a.Kind, Balance: a.Balance, SumOfEntries: t.entries,
		LotsRemaining: t.lots, AccountLots: a.LotsRemaining}
	if a.Balance != t.entries {
		m.Problems = append(m.Problems, ProblemBalance)
	}
	if a.Balance < 0 {
		m.Problems = append(m.Problems, ProblemNegative)
	}
	if a.LotsRemaining != t.lots {
		m.Problems = append(m.Problems, ProblemLotsTotal)
	}
	if t.lots > a.Balance {
		m.Problems = append(m.Problems, ProblemLotsOverdrawn)
	}
	if t.minLot < 0 {
		m.Problems = append(m.Problems, ProblemNegativeLot)
	}
	return m
}

// sumsOf sums the entries and lots of accts, in the database when the
// backend aggregates; *method becomes "scan" when it does not.
func sumsOf(ctx context.Context, ops store.Ops, accts []Account, method *string) (map[string]totals, error) {
	out := make(map[string]totals, len(accts))
	if len(accts) == 0 {
		return out, nil
	}
	ids := make([]query.Value, len(accts))
	for i, a := range accts {
		ids[i] = query.Str(a.ID)
	}
	in := &query.Node{Op: query.OpIn, Field: fAccount, Values: ids}
	err := aggregateSums(ctx, ops, in, out)
	if errors.Is(err, store.ErrUnsupported) {
		*method = "scan"
		clear(out)
		err = scanSums(ctx, ops, in, out)
	}
	return out, err
}

func aggregateSums(ctx context.Context, ops store.Ops, in *query.Node, out map[string]totals) error {
	group := []query.GroupKey{{Field: fAccount, As: "account"}}
	rows, err := ops.Aggregate(ctx, CollEntries, &query.Aggregate{Filter: in, Group: group,
		Measures: []query.Measure{{Fn: query.FnSum, Field: fAmount, As: "total"}, {Fn: query.FnCount, As: "n"}}})
	if err != nil {
		return err
	}
	for _, r := range rows {
		t := out[str(r, "account")]
		t.entries, t.count = i64(r, "total"), i64(r, "n")
		out[str(r, "account")] = t
	}
	rows, err = ops.Aggregate(ctx, CollLots, &query.Aggregate{Filter: in, Group: group,
		Measures: []query.Measure{{Fn: query.FnSum, Field: fRemaining, As: "total"}, {Fn: query.FnMin, Field: fRemaining, As: "least"}}})
	if err != nil {
		return err
	}
	for _, r := range rows {
		t := out[str(r, "account")]
		t.lots, t.minLot = i64(r, "total"), i64(r, "least")
		out[str(r, "account")] = t
	}
	return nil
}

// scanPage is how many documents one read of scanSums takes.
const scanPage = 1000

// scanSums pages through the entries and lots of the accounts, reading
// only the fields it sums, so memory stays one page whatever the history.
func scanSums(ctx context.Context, ops store.Ops, in *query.Node, out map[string]totals) error {
	keys := []query.SortKey{{Field: query.IDField}}
	for _, c := range []struct {
		coll  string
		field string
	}{{CollEntries, "amount"}, {CollLots, "remaining"}} {
		filter := in
		for {
			docs, err := ops.Find(ctx, c.coll, store.Query{Filter: filter, Sort: keys, Limit: scanPage,
				Fields: []string{"account", c.field}})
			if err != nil {
				return err
			}
			for _, d := range docs {
				id, v := str(d, "account"), i64(d, c.field)
				t := out[id]
				if c.coll == CollEntries {
					t.entries += v
					t.count++
				} else {
					t.lots += v
					t.minLot = min(t.minLot, v)
				}
				out[id] = t
			}
			if len(docs) < scanPage {
				break
			}
			filter = query.And(in, query.After(keys, []query.Value{query.Str(str(docs[len(docs)-1], "_id"))}))
		}
	}
	return nil
}
