package form

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// Records is the records service: create, read, change, delete and list
// the records of published forms, on behalf of a principal whose rights the
// access Guard decides. Every read applies the caller's row scope and field
// rules; every write validates, computes, and commits the record, its
// history revision, its audit entry and the rollups it affects in one
// store transaction. It is safe for concurrent use.
//
// In binds the service to a transaction the caller runs (an action's):
// the operations of the returned TxRecords read and write through that
// transaction instead of opening their own.
type Records struct {
	st      store.Store
	meta    *meta.Service
	guard   *access.Guard
	audit   *auth.AuditLog
	scripts *script.Engine
	now     func() time.Time
	cache   *formCache

	// tx is the caller's transaction in a copy made by In; nil otherwise.
	// Every read and write of an operation then goes through it (reads so
	// they see the transaction's own writes), and nothing may touch st.
	tx store.Ops
	// memo is what the operations of that one transaction already looked
	// up (set with tx).
	memo *txMemo
}

// txMemo keeps, for the operations of one caller's transaction, the forms
// and access decisions already looked up. Each lookup reads the
// definition's head from the store, and an action calls the records
// service several times while it holds the store's single writer; within
// one transaction one version of each form and role is also the
// consistent answer. A TxRecords is used by one goroutine, so the maps
// need no lock.
type txMemo struct {
	forms     map[string]*Form
	decisions map[decisionKey]*access.Decision
}

type decisionKey struct {
	p         *auth.Principal
	app, form string
	right     access.Right
}

// formCache is the compiled forms, shared by a Records and its bound
// copies.
type formCache struct {
	mu      sync.Mutex
	forms   map[string]*Form // by "app/form", the latest compiled version
	indexed sync.Map         // collection@version -> struct{}: indexes ensured
	pending sync.Map         // collection@version -> *Form: compiled inside a caller's transaction, indexes not yet ensured
}

// NewRecords returns the records service. scripts evaluates formula fields
// and formula defaults; it may be nil, and then a form with formulas cannot
// be written (a 500 that names the cause in the log).
func NewRecords(st store.Store, m *meta.Service, g *access.Guard, audit *auth.AuditLog, scripts *script.Engine) *Records {
	return &Records{st: st, meta: m, guard: g, audit: audit, scripts: scripts, now: time.Now,
		cache: &formCache{forms: map[string]*Form{}}}
}

// WriteOptions tune a write.
type WriteOptions struct {
	// Lang is the language of validation messages: "zh-CN" (default) or "en".
	Lang string
	// IdempotencyKey makes a create safe to retry: the same key with the
	// same body returns the first response; another body is a 409.
	IdempotencyKey string
	// IP and RequestID go into the audit entry of the write.
	IP, RequestID string
	// DryRun runs every check of a create or patch, unique values and
	// relations included, inside the transaction, then rolls it back and
	// returns the record as it would have been stored (an import's
	// preview). Auto-numbers shown are the next ones, not reserved.
	DryRun bool
}

// Form returns the compiled published form, compiling it (and ensuring its
// indexes) when its published version changed.
func (r *Records) Form(ctx context.Context, app, key string) (*Form, error) {
	ck := app + "/" + key
	if r.memo != nil {
		if f, ok := r.memo.forms[ck]; ok {
			return f, nil
		}
	}
	def, err := r.meta.Published(ctx, app, meta.KindForm, key)
	if err != nil {
		return nil, err
	}
	c := r.cache
	c.mu.Lock()
	f, ok := c.forms[ck]
	c.mu.Unlock()
	if !ok || f.Version != def.Version {
		if f, err = Compile(def); err != nil {
			return nil, err
		}
		c.mu.Lock()
		// Published versions only grow; a slow compile must not replace a newer one.
		if cur, ok := c.forms[ck]; !ok || cur.Version < f.Version {
			c.forms[ck] = f
		}
		c.mu.Unlock()
	}
	if err := r.ensureIndexes(ctx, f); err != nil {
		return nil, err
	}
	if r.memo != nil {
		r.memo.forms[ck] = f
	}
	return f, nil
}

// ensureIndexes creates the indexes of a form version once per process;
// EnsureIndexes keeps existing ones, so other processes doing the same is
// harmless. Inside a caller's transaction it only notes the form:
// EnsureIndexes is a write of its own, which would wait for the very
// transaction that asks for it (SQLite's single writer, lungo's write
// lock). Indexes only speed queries up, so the operation goes on without
// them; EnsurePendingIndexes, or the next use of the form outside a
// transaction, creates them.
func (r *Records) ensureIndexes(ctx context.Context, f *Form) error {
	key := f.Coll + "@" + strconv.Itoa(f.Version)
	if _, done := r.cache.indexed.Load(key); done {
		return nil
	}
	if r.tx != nil {
		r.cache.pending.Store(key, f)
		return nil
	}
	if err := r.st.EnsureIndexes(ctx, f.Coll, f.Indexes()); err != nil {
		return err
	}
	if err := r.st.EnsureIndexes(ctx, f.HistColl, historyIndexes); err != nil {
		return err
	}
	r.cache.indexed.Store(key, struct{}{})
	r.cache.pending.Delete(key)
	return nil
}

// EnsurePendingIndexes creates the indexes of the forms first compiled
// inside a caller's transaction (see In). Call it after that transaction
// ended, never inside one; it costs nothing when no form is pending.
func (r *Records) EnsurePendingIndexes(ctx context.Context) error {
	var first error
	r.cache.pending.Range(func(_, v any) bool {
		if err := r.unbound().ensureIndexes(ctx, v.(*Form)); err != nil && first == nil {
			first = err
		}
		return true
	})
	return first
}

// reads is where an operation reads: the caller's transaction when bound,
// so that it sees the transaction's own writes, else the store.
func (r *Records) reads() store.Ops {
	if r.tx != nil {
		return r.tx
	}
	return r.st
}

// inTx runs fn in the caller's transaction when bound, else in a
// transaction of its own (where fn may run more than once, on MongoDB).
func (r *Records) inTx(ctx context.Context, fn func(tx store.Ops) error) error {
	if r.tx != nil {
		return fn(r.tx)
	}
	return r.st.Tx(ctx, fn)
}

// unbound is r without a caller's transaction.
func (r *Records) unbound() *Records {
	if r.tx == nil {
		return r
	}
	c := *r
	c.tx, c.memo = nil, nil
	return &c
}

// decide asks the guard what p may do with right on a form.
func (r *Records) decide(ctx context.Context, p *auth.Principal, app, form string, right access.Right) (*access.Decision, error) {
	k := decisionKey{p: p, app: app, form: form, right: right}
	if r.memo != nil {
		if d, ok := r.memo.decisions[k]; ok {
			return d, nil
		}
	}
	d, err := r.guard.Decide(ctx, p, access.Target{App: app, Kind: meta.KindForm, Key: form}, right)
	if err == nil && r.memo != nil {
		r.memo.decisions[k] = d
	}
	return d, err
}

// open is the start of every operation: the caller's decision for right,
// then the compiled form.
func (r *Records) open(ctx context.Context, p *auth.Principal, app, form string, right access.Right) (*Form, *access.Decision, error) {
	d, err := r.decide(ctx, p, app, form, right)
	if err != nil {
		return nil, nil, err
	}
	f, err := r.Form(ctx, app, form)
	if err != nil {
		return nil, nil, err
	}
	return f, d, nil
}

// scopeOf is the decision's row scope over the form, live rows only unless
// deleted is set (then deleted rows only).
func scopeOf(f *Form, d *access.Decision, deleted bool) (*query.Node, error) {
	scope, err := d.Filter(f.QFields)
	if err != nil {
		return nil, err
	}
	alive := query.Cmp(fDeleted, query.OpNe, query.Bool(true))
	if deleted {
		alive = query.Eq(fDeleted, query.Bool(true))
	}
	return query.And(alive, scope), nil
}

// loadScoped reads one record through the scope: a record outside it, or
// deleted (unless deleted is asked), is record.not_found, exactly like a
// missing one.
func loadScoped(ctx context.Context, ops store.Ops, f *Form, scope *query.Node, id, lang string) (store.Doc, error) {
	docs, err := ops.Find(ctx, f.Coll, store.Query{Filter: query.And(query.Eq(fID, query.Str(id)), scope), Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, coded(lang, errs.NotFound, "record.not_found")
	}
	return docs[0], nil
}

// stamp is the current time in the stored form.
func (r *Records) stamp() string { return query.FormatTime(r.now()) }

// actorName is the principal's display name for history and audit.
func actorName(p *auth.Principal) string {
	if p.Username != "" {
		return p.Username
	}
	return p.Actor()
}
