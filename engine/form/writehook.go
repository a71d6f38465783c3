package form

import (
	"context"
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

// onWrite calls the write hook, if any, for one write of a record of f.
func (r *Records) onWrite(ctx context.Context, tx store.Ops, f *Form, before, after store.Doc) error {
	h, ok := writeHooks.Load(r.cache)
	if !ok {
		return nil
	}
	return h.(WriteHook)(ctx, tx, f.App, f.Key, before, after)
}

// onWrites calls the write hook for the records a batch created.
func (r *Records) onWrites(ctx context.Context, tx store.Ops, f *Form, recs []store.Doc) error {
	h, ok := writeHooks.Load(r.cache)
	if !ok {
		return nil
	}
	for _, rec := range recs {
		if err := h.(WriteHook)(ctx, tx, f.App, f.Key, nil, rec); err != nil {
			return err
		}
	}
	return nil
}
