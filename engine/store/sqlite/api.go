package sqlite

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// now is the start time of an observed operation (zero without observer,
// sparing the clock read).
func (s *Store) now() time.Time {
	if s.obs == nil {
		return time.Time{}
	}
	return time.Now()
}

// observe reports one operation to the Observer; deferred with a pointer
// so it sees the final error.
func (s *Store) observe(op string, start time.Time, err *error) {
	if s.obs != nil {
		s.obs("sqlite", op, time.Since(start), *err)
	}
}

// Get returns one document or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, coll, id string) (d store.Doc, err error) {
	defer s.observe("get", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	return s.read.get(ctx, coll, id)
}

// Find returns the matching documents in sort order, then by _id.
func (s *Store) Find(ctx context.Context, coll string, q store.Query) (docs []store.Doc, err error) {
	defer s.observe("find", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	return s.read.find(ctx, coll, q)
}

// Count counts the matching documents.
func (s *Store) Count(ctx context.Context, coll string, filter *query.Node) (n int64, err error) {
	defer s.observe("count", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	return s.read.count(ctx, coll, filter)
}

// Aggregate runs a group-by in SQL.
func (s *Store) Aggregate(ctx context.Context, coll string, spec *query.Aggregate) (rows []store.Doc, err error) {
	defer s.observe("aggregate", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	return s.read.aggregate(ctx, coll, spec)
}

// Insert stores doc through the writer (group commit) and returns its id.
// The document is encoded before the writer's turn, which is serial.
func (s *Store) Insert(ctx context.Context, coll string, doc store.Doc) (id string, err error) {
	defer s.observe("insert", s.now(), &err)
	e, err := encodeOne(doc)
	if err != nil {
		return "", err
	}
	if err = s.write(ctx, func(o *ops) error { return o.insert(coll, e) }); err != nil {
		return "", err
	}
	return e.id, nil
}

// InsertMany stores docs through the writer in multi-row statements, all
// or nothing, encoded before the writer's turn.
func (s *Store) InsertMany(ctx context.Context, coll string, docs []store.Doc) (ids []string, err error) {
	defer s.observe("insertMany", s.now(), &err)
	if _, err := quotedTable(coll); err != nil {
		return nil, err
	}
	enc, err := encodeMany(docs)
	if err != nil {
		return nil, err
	}
	if len(enc) > 0 {
		if err = s.write(ctx, func(o *ops) error { return o.insertMany(coll, enc) }); err != nil {
			return nil, err
		}
	}
	return idsOf(enc), nil
}

// Update applies patch to document id when cond holds, atomically.
func (s *Store) Update(ctx context.Context, coll, id string, patch store.Patch, cond *query.Node) (d store.Doc, err error) {
	defer s.observe("update", s.now(), &err)
	err = s.write(ctx, func(o *ops) error {
		var e error
		d, e = o.update(coll, id, patch, cond)
		return e
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Delete removes document id when cond holds.
func (s *Store) Delete(ctx context.Context, coll, id string, cond *query.Node) (err error) {
	defer s.observe("delete", s.now(), &err)
	return s.write(ctx, func(o *ops) error { return o.remove(coll, id, cond) })
}

// EnsureIndexes creates the missing indexes of coll (and its table).
func (s *Store) EnsureIndexes(ctx context.Context, coll string, idx []store.Index) (err error) {
	defer s.observe("ensureIndexes", s.now(), &err)
	return s.write(ctx, func(o *ops) error { return o.ensureIndexes(coll, idx) })
}

// Tx runs fn atomically inside the writer's current group transaction.
// fn runs once (SQLite transactions here never conflict), in the caller's
// goroutine; reads through tx see its own writes. A panic in fn rolls its
// work back and then continues. fn must not call the Store itself: a
// write through s would wait for the very turn fn is holding.
func (s *Store) Tx(ctx context.Context, fn func(tx store.Ops) error) (err error) {
	defer s.observe("tx", s.now(), &err)
	return s.write(ctx, func(o *ops) error {
		t := &txOps{o: o, ctx: ctx}
		t.live.Store(true)
		defer t.live.Store(false)
		return fn(t)
	})
}

func (s *Store) write(ctx context.Context, fn func(o *ops) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	return s.w.do(ctx, fn)
}

func (s *Store) usable(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ctx.Err()
}

// txOps is the store.Ops handed to a Tx function: every call runs on the
// write connection within fn's savepoint. It refuses use after fn returned
// (the connection then belongs to other requests) and honours the Tx
// context between operations, never during one (see runner).
type txOps struct {
	o    *ops
	ctx  context.Context
	live atomic.Bool
}

var _ store.Ops = (*txOps)(nil)

var errTxDone = store.Wrapf(store.ErrInvalid, nil, "the transaction has ended; use tx only inside its function")

func (t *txOps) check(ctx context.Context) error {
	if !t.live.Load() {
		return errTxDone
	}
	if err := t.ctx.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// Insert stores doc within the transaction.
func (t *txOps) Insert(ctx context.Context, coll string, doc store.Doc) (id string, err error) {
	defer t.o.s.observe("tx.insert", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return "", err
	}
	e, err := encodeOne(doc)
	if err != nil {
		return "", err
	}
	if err := t.o.insert(coll, e); err != nil {
		return "", err
	}
	return e.id, nil
}

// InsertMany stores docs within the transaction, all or nothing: on an
// error the transaction's earlier writes stay and none of docs is stored.
func (t *txOps) InsertMany(ctx context.Context, coll string, docs []store.Doc) (ids []string, err error) {
	defer t.o.s.observe("tx.insertMany", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	enc, err := encodeMany(docs)
	if err != nil {
		return nil, err
	}
	if err := t.o.insertMany(coll, enc); err != nil {
		return nil, err
	}
	return idsOf(enc), nil
}

// Get reads a document, including the transaction's own writes.
func (t *txOps) Get(ctx context.Context, coll, id string) (d store.Doc, err error) {
	defer t.o.s.observe("tx.get", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return t.o.get(ctx, coll, id)
}

// Find queries within the transaction.
func (t *txOps) Find(ctx context.Context, coll string, q store.Query) (docs []store.Doc, err error) {
	defer t.o.s.observe("tx.find", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return t.o.find(ctx, coll, q)
}

// Count counts within the transaction.
func (t *txOps) Count(ctx context.Context, coll string, filter *query.Node) (n int64, err error) {
	defer t.o.s.observe("tx.count", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return 0, err
	}
	return t.o.count(ctx, coll, filter)
}

// Update changes a document within the transaction.
func (t *txOps) Update(ctx context.Context, coll, id string, patch store.Patch, cond *query.Node) (d store.Doc, err error) {
	defer t.o.s.observe("tx.update", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return t.o.update(coll, id, patch, cond)
}

// Delete removes a document within the transaction.
func (t *txOps) Delete(ctx context.Context, coll, id string, cond *query.Node) (err error) {
	defer t.o.s.observe("tx.delete", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.o.remove(coll, id, cond)
}

// Aggregate groups within the transaction.
func (t *txOps) Aggregate(ctx context.Context, coll string, spec *query.Aggregate) (rows []store.Doc, err error) {
	defer t.o.s.observe("tx.aggregate", t.o.s.now(), &err)
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return t.o.aggregate(ctx, coll, spec)
}
