package action

import (
	"context"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// The host API: the globals a script sees, every function bound to the
// run's transaction and to the principal whose rights apply (the caller,
// or the runAs role). Values cross into JavaScript as plain JSON values;
// money and points are integers of fen and points both ways.
//
//	records.get(form, id)                       record or null
//	records.find(form, filter?, {sort, limit}?) array of records
//	records.create(form, data)                  the created record
//	records.update(form, id, patch, {ifVersion}?) the updated record
//	ledger.post({owner, kind, unit, amount, key, type, ref?, expiresAt?, meta?}) entry
//	ledger.reverse(entryId, key?)               the reversal entry
//	ledger.balance(owner, kind)                 integer
//	rules.evaluate(ruleKey, inputs, at?)        {matched, rows, outputs, list}
//	now()                                       "2026-11-23T06:30:00.000Z"
//	ids.new()                                   a new 20-character id
//	log(...) / console.log(...)                 a line in the run's log
//
// A host function that fails after it wrote part of its work (a record
// whose rollup failed after the insert, a debit whose entry insert failed
// after the balance moved) leaves that part in the transaction, which has
// no nested savepoints to undo it. The run is then failed with that error
// even if the script catches it: catching only makes sense for failures
// that wrote nothing, such as a validation error or an insufficient
// balance, and those stay catchable.

// host is the host API of one run (one attempt of the transaction).
type host struct {
	s      *Service
	a      *compiled
	tx     *countingOps
	rec    *form.TxRecords
	p      *auth.Principal // whose rights the records calls use
	caller *auth.Principal // who asked: the actor of ledger entries
	lang   string
	wo     form.WriteOptions

	// poison is the first error of a host call that had written something
	// before failing: the run fails with it whatever the script does.
	poison error
}

// newHost binds the host API to tx for one run.
func (s *Service) newHost(tx store.Ops, a *compiled, caller, p *auth.Principal, o Options, lang string) *host {
	ct := &countingOps{Ops: tx}
	return &host{s: s, a: a, tx: ct, rec: s.records.In(ct), p: p, caller: caller, lang: lang,
		wo: form.WriteOptions{Lang: lang, IP: o.IP, RequestID: o.RequestID}}
}

// globals are the script's host API.
func (h *host) globals() map[string]any {
	g := map[string]any{
		"records": map[string]any{
			"get":    h.fn("records.get", h.recordsGet),
			"find":   h.fn("records.find", h.recordsFind),
			"create": h.fn("records.create", h.recordsCreate),
			"update": h.fn("records.update", h.recordsUpdate),
		},
		"ids": map[string]any{"new": h.fn("ids.new", func(context.Context, []any) (any, error) { return store.NewID(), nil })},
		// Shadows the engine's now() so scripts, rules and the service
		// read one clock.
		"now": h.fn("now", func(context.Context, []any) (any, error) {
			return h.s.now().UTC().Format(script.DatetimeLayout), nil
		}),
	}
	if h.s.ledger != nil {
		g["ledger"] = map[string]any{
			"post":    h.fn("ledger.post", h.ledgerPost),
			"reverse": h.fn("ledger.reverse", h.ledgerReverse),
			"balance": h.fn("ledger.balance", h.ledgerBalance),
		}
	}
	if h.s.rules != nil {
		g["rules"] = map[string]any{"evaluate": h.fn("rules.evaluate", h.rulesEvaluate)}
	}
	return g
}

// fn wraps a host function: it notes a failure after a write (see
// poison) and turns the result into plain JSON values.
func (h *host) fn(name string, f func(ctx context.Context, args []any) (any, error)) script.HostFunc {
	return func(ctx context.Context, args []any) (any, error) {
		before := h.tx.writes
		res, err := f(ctx, args)
		if err != nil {
			if h.tx.writes != before && h.poison == nil {
				h.poison = err
			}
			return nil, err
		}
		if isPlain(res, 0) {
			// Already plain: the script engine copies it into JavaScript
			// values and keeps nothing of it, so no copy is needed here.
			return res, nil
		}
		return plain(res), nil
	}
}

// isPlain reports whether v is made only of the values plain passes
// through unchanged (so plain(v) would be an equal copy). Deeper than
// maxPlainDepth it answers false and plain decides.
func isPlain(v any, depth int) bool {
	switch x := v.(type) {
	case nil, bool, string, int64, int, float64, json.Number:
		return true
	case map[string]any:
		return depth < maxPlainDepth && allPlain(maps.Values(x), depth+1)
	case []any:
		return depth < maxPlainDepth && allPlain(slices.Values(x), depth+1)
	}
	return false
}

// allPlain reports whether every value of seq is plain (isPlain).
func allPlain(seq iter.Seq[any], depth int) bool {
	for it := range seq {
		if !isPlain(it, depth) {
			return false
		}
	}
	return true
}

// maxPlainDepth bounds isPlain's walk.
const maxPlainDepth = 64

// countingOps counts the writes that succeeded through a transaction, so
// a host call can tell whether it failed before or after writing.
type countingOps struct {
	store.Ops
	writes int
}

// Insert counts a successful insert.
func (c *countingOps) Insert(ctx context.Context, coll string, doc store.Doc) (string, error) {
	id, err := c.Ops.Insert(ctx, coll, doc)
	if err == nil {
		c.writes++
	}
	return id, err
}

// InsertMany counts a successful multi-row insert (one write per row).
func (c *countingOps) InsertMany(ctx context.Context, coll string, docs []store.Doc) ([]string, error) {
	ids, err := c.Ops.InsertMany(ctx, coll, docs)
	if err == nil {
		c.writes += len(ids)
	}
	return ids, err
}

// Update counts a successful update.
func (c *countingOps) Update(ctx context.Context, coll, id string, patch store.Patch, cond *query.Node) (store.Doc, error) {
	d, err := c.Ops.Update(ctx, coll, id, patch, cond)
	if err == nil {
		c.writes++
	}
	return d, err
}

// Delete counts a successful delete.
func (c *countingOps) Delete(ctx context.Context, coll, id string, cond *query.Node) error {
	err := c.Ops.Delete(ctx, coll, id, cond)
	if err == nil {
		c.writes++
	}
	return err
}

// plain turns a Go result into the JSON-like values the script engine
// accepts (nil, bool, string, numbers, []any, map[string]any), copying
// maps and lists (a result may share them with a cache); anything else (a
// struct, a time) goes through JSON.
func plain(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, int, float64, json.Number:
		return x
	case time.Time:
		return x.UTC().Format(script.DatetimeLayout)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = plain(it)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = plain(it)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	out, err := decodeJSON(b)
	if err != nil {
		return nil
	}
	return out
}
