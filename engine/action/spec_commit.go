package action

import (
	"context"
	"errors"

	"github.com/tangram/tangram/engine/store"
)

// The commit of a speculative run, inside the writer's turn: first every
// read the run's outcome depends on is made again and must give what the
// run saw, then the buffered writes are replayed in order and each must
// give what the run saw (the id, the updated document). When the reads
// hold, the committed state the writes start from is the one the run
// read, so the replay is the run the script would have made inside the
// turn. Reads come before any write so that a stale run costs no rollback
// and can be redone in the same turn.

// fresh reports whether every read to verify gives, through tx, what the
// speculation saw. A store error counts as a difference: the run done
// again inside the turn meets it itself.
func (s *specOps) fresh(ctx context.Context, tx store.Ops) bool {
	for i := range s.reads {
		r := &s.reads[i]
		if !r.verify {
			continue
		}
		switch r.kind {
		case readGet:
			d, err := tx.Get(ctx, r.coll, r.id)
			if errors.Is(err, store.ErrNotFound) {
				if r.doc != nil {
					return false
				}
				continue
			}
			if err != nil || r.doc == nil || !sameValue(map[string]any(d), map[string]any(r.doc)) {
				return false
			}
		case readFind:
			docs, err := tx.Find(ctx, r.coll, r.q)
			if err != nil || !sameDocs(docs, r.docs) {
				return false
			}
		case readCount:
			n, err := tx.Count(ctx, r.coll, r.filter)
			if err != nil || n != r.n {
				return false
			}
		case readAggregate:
			rows, err := tx.Aggregate(ctx, r.coll, r.agg)
			if err != nil || !sameDocs(rows, r.docs) {
				return false
			}
		}
	}
	return true
}

// apply replays the buffered writes through tx in order and reports
// whether each gave what the speculation saw; it stops at the first that
// did not (the caller then rolls the turn back). Deferred hook work runs
// in its place among them; its failure also rolls the turn back, and the
// run done again inside the writer meets it itself.
func (s *specOps) apply(ctx context.Context, tx store.Ops) bool {
	for i := range s.writes {
		w := &s.writes[i]
		switch w.kind {
		case writeInsert:
			id, err := tx.Insert(ctx, w.coll, w.doc)
			if err != nil || id != w.id {
				return false
			}
		case writeUpdate:
			d, err := tx.Update(ctx, w.coll, w.id, w.patch, w.cond)
			if err != nil || !sameValue(map[string]any(d), map[string]any(w.doc)) {
				return false
			}
		case writeDelete:
			if err := tx.Delete(ctx, w.coll, w.id, w.cond); err != nil {
				return false
			}
		case writeDeferred:
			if err := w.fn(ctx, tx); err != nil {
				return false
			}
		}
	}
	return true
}
