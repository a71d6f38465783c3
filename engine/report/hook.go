package report

import (
	"context"

	"github.com/tangram/tangram/engine/store"
)

// WriteHook is what the records write path calls for every record write
// (create, patch, delete, restore, import, migration, a rollup field a
// child's write recomputes), inside the write's transaction, with the
// record as stored before and after the write (nil for none; a
// soft-deleted record counts as none):
//
//	if err := hook(ctx, tx, app, form, before, after); err != nil { return err }
//
// It bumps the form's write counter (result caches notice the write) and
// moves the record's contribution between rollup cells, so both commit
// with the write or not at all.
type WriteHook func(ctx context.Context, tx store.Ops, app, form string, before, after store.Doc) error

// Hook returns the write hook and marks the service as hooked: from then
// on rollups may be built and used, since every write keeps them current.
// Call it once when wiring the records service to it.
func (s *Service) Hook() WriteHook {
	s.hooked.Store(true)
	return s.onWrite
}

// Hooked reports whether the records write path calls the hook.
func (s *Service) Hooked() bool { return s.hooked.Load() }
