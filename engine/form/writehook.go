package form

import (
	"context"
	"maps"
	"sync"

	"github.com/tangram/tangram/engine/store"
)

// WriteHook is called for every write of a record, inside the write's
// transaction, with the record as stored before and after it (nil for
// none: before of a create, after of a hard delete). A soft delete passes
// the live record as before and nil as after; a restore passes nil and the
// restored record. An error fails the write, so whatever the hook keeps
// (engine/report's rollups) commits with the records or not at all.
//
// Unlike record events, the hook also runs under WithoutEvents: demo data
// and migrations are no news, but they change what reports count.
//
// Under a speculative run (Deferrer) the call comes later, in the writer's
// turn, right after the replay of the write, with copies of the records'
// top-level values: the same transaction and the same point in it, so an
// error still fails the write (the run is then done again inline).
type WriteHook func(ctx context.Context, tx store.Ops, app, form string, before, after store.Doc) error

// writeHooks are the attached hooks, by the records service they belong to
// (its form cache, which every bound copy of it shares, as for events).
var writeHooks sync.Map // *formCache -> WriteHook

// SetWriteHook attaches the write hook (engine/report's Service.Hook).
// Call it once, while wiring, before the service writes; nil detaches it.
func (r *Records) SetWriteHook(h func(ctx context.Context, tx store.Ops, app, form string, before, after store.Doc) error) {
	if h == nil {
		writeHooks.Delete(r.cache)
		return
	}
	writeHooks.Store(r.cache, WriteHook(h))
}

// Deferrer is implemented by the store.Ops of a run that can take a
// write hook's work later in the same transaction: engine/action's
// speculative runs, which execute a script outside the writer and replay
// its writes in the writer's turn. Derived data kept by the hook (report
// rollup cells and write counters) is read by no script, yet every
// checkout would read and rewrite the same cells, so their speculations
// would always conflict. Deferred, the hook's work is done in the replay,
// right after the write it belongs to, against the real transaction: the
// same work in the same place, outside the run's read set.
//
// Defer takes fn when it will run it (its error then fails the replay,
// and the run is done again with the hook inline); false means the
// caller must run the hook itself, now.
type Deferrer interface {
	Defer(fn func(ctx context.Context, tx store.Ops) error) bool
}

// onWrite calls the write hook, if any, for one write of a record of f.
func (r *Records) onWrite(ctx context.Context, tx store.Ops, f *Form, before, after store.Doc) error {
	h, ok := writeHooks.Load(r.cache)
	if !ok {
		return nil
	}
	hook := h.(WriteHook)
	if d, ok := tx.(Deferrer); ok {
		// The writer may change its documents after this call; the hook
		// reads their top-level values only.
		before, after := maps.Clone(before), maps.Clone(after)
		app, key := f.App, f.Key
		if d.Defer(func(ctx context.Context, tx store.Ops) error { return hook(ctx, tx, app, key, before, after) }) {
			return nil
		}
	}
	return hook(ctx, tx, f.App, f.Key, before, after)
}

// onWrites calls the write hook for the records a batch created, under
// one write batch (WithWriteBatch), so the hook can do once per batch what
// it would otherwise do per record.
func (r *Records) onWrites(ctx context.Context, tx store.Ops, f *Form, recs []store.Doc) error {
	ctx = WithWriteBatch(ctx)
	for _, rec := range recs {
		if err := r.onWrite(ctx, tx, f, nil, rec); err != nil {
			return err
		}
	}
	return nil
}

type writeBatchKey struct{}

// WithWriteBatch marks the hook calls made with the returned context as
// one batch of writes in one transaction (an import's or a bulk create's
// hundreds of records). WriteBatchMemo then gives the hook a memo shared
// by those calls: engine/report bumps a form's write counter and reads its
// rollup registry once per batch instead of once per record, which was a
// third of an import's time. The calls of one batch are sequential.
func WithWriteBatch(ctx context.Context) context.Context {
	return context.WithValue(ctx, writeBatchKey{}, map[string]any{})
}

// WriteBatchMemo is the memo of the write batch ctx belongs to, or nil
// outside a batch (a single write, or a deferred hook call).
func WriteBatchMemo(ctx context.Context) map[string]any {
	m, _ := ctx.Value(writeBatchKey{}).(map[string]any)
	return m
}
