package action

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Speculative runs. On the embedded store every transaction takes its turn
// at one writer, so a script run inside the transaction makes every other
// action wait for its JavaScript. A run therefore first executes its
// script outside the writer against specOps, which reads committed data
// from the store and keeps the run's writes in memory, noting what it read
// and what it wrote. The writer's turn then only checks that what was read
// still holds and replays the writes (spec_commit.go): if both hold, the
// run is exactly the run the script would have made inside the turn, with
// its writes' results as seen. Anything else rolls the turn back and the
// run starts over the old way, inside the turn (speculate.go).
//
// specOps answers exactly what the store would answer inside one
// transaction holding the run's writes, or gives up (errSpecAbort: the run
// is then redone inside the writer) where it cannot be sure:
//   - Get reads the store once per document and then answers from memory,
//     so the run sees its own writes and one version of each document (a
//     document a find gave whole counts as read: known);
//   - Insert and InsertMany accept the document (no read: the replay
//     proves the id was free, or the run is redone); an id the run knows
//     to be taken (read, or written by the run) is store.ErrDuplicate;
//   - Update and Delete evaluate the condition (form.Match, the adapters'
//     semantics) and Update applies the patch in memory with the store's
//     rules (spec_patch.go); a refused condition is confirmed by the store
//     itself (a count of the document under the condition);
//   - Find, Count and Aggregate read the store, unless a document the run
//     wrote in that collection matches the filter before or after its
//     write: merging would need the store's sort, paging and grouping, so
//     the run is redone instead (rare in practice: a checkout's queries
//     look for other documents than the ones it writes);
//   - anything unusual (an invalid collection or patch, a store error
//     other than not found) gives up rather than guess the store's answer;
//   - Defer (form.Deferrer) queues a records write hook's work (report
//     rollups) among the writes, to run in the replay: derived data no
//     script reads stays out of what the run read and wrote.
//
// One run uses one specOps from one goroutine (the script's): host
// functions are called synchronously by the script engine.
type specOps struct {
	st      store.Ops
	entries map[docKey]*entry
	dirty   map[string][]*entry // written entries by collection
	reads   []specRead
	writes  []specWrite
	// abort is why the speculation gave up (nil while it goes on).
	abort error
	// yielded is when the run last let other goroutines run (begin).
	yielded time.Time
}

// errSpecAbort is what a host call gets once the speculation gave up; the
// run is then redone inside the writer, so no caller ever sees it.
var errSpecAbort = errs.New(errs.Internal, "action.speculation_abandoned", "the speculative run gave up; it is run again in the transaction")

// docKey names one document.
type docKey struct{ coll, id string }

// entry is one document as the run knows it.
type entry struct {
	base  store.Doc // the committed version read (nil: none)
	cur   store.Doc // the version the run sees (nil: none or deleted)
	dirty bool      // the run wrote it
	// baseRead is the read of base in reads (a get, or a find that gave
	// the whole document), -1 when base was not read (a document the run
	// inserted without reading it first).
	baseRead int
}

type readKind uint8

const (
	readGet readKind = iota
	readFind
	readCount
	readAggregate
)

// specRead is one read of committed data and what it gave.
type specRead struct {
	kind   readKind
	coll   string
	id     string           // get
	q      store.Query      // find
	filter *query.Node      // count
	agg    *query.Aggregate // aggregate
	doc    store.Doc        // get: the document, nil when not found
	docs   []store.Doc      // find, aggregate
	n      int64            // count
	// verify: the commit must read it again. A document read only to apply
	// an update or a delete that then succeeded needs no second read: the
	// replayed write proves what the run saw (its condition holds and
	// Update returns the same document), until a query of its collection
	// makes its old version matter too.
	verify bool
}

type writeKind uint8

const (
	writeInsert writeKind = iota
	writeUpdate
	writeDelete
	// writeDeferred is a write hook's work (form.Deferrer), done in the
	// replay right after the write it follows.
	writeDeferred
)

// specWrite is one buffered write, replayed in order at commit.
type specWrite struct {
	kind  writeKind
	coll  string
	id    string
	doc   store.Doc // insert: the document; update: the new document the run saw
	patch store.Patch
	cond  *query.Node
	fn    func(ctx context.Context, tx store.Ops) error // deferred
}

func newSpecOps(st store.Ops) *specOps {
	return &specOps{st: st, entries: map[docKey]*entry{}, dirty: map[string][]*entry{}, yielded: time.Now()}
}

// begin starts an operation: it fails once the speculation gave up, and
// it first lets other goroutines run. A script is CPU work that never
// blocks, and speculations run on every core; without this the writer's
// goroutines, which every run waits for (the writer after each fsync, the
// callers holding its turns), would wait for the scheduler to preempt a
// script, up to 10 ms. A store operation is a natural point to yield: a
// few microseconds apart, and where the script waits anyway.
func (s *specOps) begin() error {
	if now := time.Now(); now.Sub(s.yielded) >= specYieldEvery {
		runtime.Gosched()
		s.yielded = time.Now()
	}
	if s.abort != nil {
		return errSpecAbort
	}
	return nil
}

// stop gives the speculation up for reason; every later call fails too.
func (s *specOps) stop(reason error) error {
	if s.abort == nil {
		s.abort = reason
	}
	return errSpecAbort
}

// load returns the entry of a document, reading the committed version the
// first time (a read to verify when visible).
func (s *specOps) load(ctx context.Context, coll, id string, visible bool) (*entry, error) {
	k := docKey{coll, id}
	if e := s.entries[k]; e != nil {
		return e, nil
	}
	doc, err := s.st.Get(ctx, coll, id)
	if errors.Is(err, store.ErrNotFound) {
		doc, err = nil, nil
	}
	if err != nil {
		return nil, s.stop(err)
	}
	e := &entry{base: doc, cur: doc, baseRead: len(s.reads)}
	s.reads = append(s.reads, specRead{kind: readGet, coll: coll, id: id, doc: doc, verify: visible})
	s.entries[k] = e
	return e, nil
}

// see makes the read of e's committed version one to verify: the run's
// outcome now depends on it.
func (s *specOps) see(e *entry) {
	if e.baseRead >= 0 {
		s.reads[e.baseRead].verify = true
	}
}

// written records that the run wrote e.
func (s *specOps) written(coll string, e *entry) {
	if !e.dirty {
		e.dirty = true
		s.dirty[coll] = append(s.dirty[coll], e)
	}
}

// Get returns the version of the document the run sees.
func (s *specOps) Get(ctx context.Context, coll, id string) (store.Doc, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	e, err := s.load(ctx, coll, id, true)
	if err != nil {
		return nil, err
	}
	if e.cur == nil {
		return nil, store.ErrNotFound
	}
	return copyDoc(e.cur), nil
}

// overlaps reports whether a query of coll with filter could see one of
// the run's writes there, and makes the old versions of the written
// documents reads to verify: the answer relied on them.
func (s *specOps) overlaps(coll string, filter *query.Node) bool {
	for _, e := range s.dirty[coll] {
		s.see(e)
		if (e.base != nil && form.Match(filter, e.base)) || (e.cur != nil && form.Match(filter, e.cur)) {
			return true
		}
	}
	return false
}

// errOverlap is why a query over the run's own writes gives up.
var errOverlap = errors.New("a query of documents the run wrote")

// Find reads committed documents (see overlaps).
func (s *specOps) Find(ctx context.Context, coll string, q store.Query) ([]store.Doc, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	if docs, ok, err := s.findByIDs(ctx, coll, q); ok || err != nil {
		return docs, err
	}
	if s.overlaps(coll, q.Filter) {
		return nil, s.stop(errOverlap)
	}
	docs, err := s.st.Find(ctx, coll, q)
	if err != nil {
		return nil, s.stop(err)
	}
	s.reads = append(s.reads, specRead{kind: readFind, coll: coll, q: q, docs: docs, verify: true})
	if len(q.Fields) == 0 {
		s.known(coll, docs, len(s.reads)-1)
	}
	return copyDocs(docs), nil
}

// known makes the whole documents a find returned (read r) the run's
// versions of them, unless it knows them already: a later get, relation
// check or update of one (a checkout finds its member by phone, then
// points the sale at it and updates it) needs no read of its own. The
// find is verified at commit with every document it gave, which proves
// these versions as a get's verification would.
func (s *specOps) known(coll string, docs []store.Doc, r int) {
	for _, d := range docs {
		id, _ := d["_id"].(string)
		if id == "" {
			continue
		}
		k := docKey{coll, id}
		if s.entries[k] == nil {
			s.entries[k] = &entry{base: d, cur: d, baseRead: r}
		}
	}
}

// findByIDs answers a find that names its documents by id (an _id
// equality or a short list, alone or in a top-level "and"; no sort, no
// skip) from the documents as the run sees them: how the records service
// reads a record (its id and the caller's row scope) and checks a
// relation. Each named document is read once (or is the run's own
// version: the store does not have it), kept when it matches the filter
// (form.Match), in id order (the store's order without a sort) and
// projected; other documents cannot match. A record read, updated and
// pointed at by one run is then one read to verify, and a read of the
// run's own writes needs none.
func (s *specOps) findByIDs(ctx context.Context, coll string, q store.Query) ([]store.Doc, bool, error) {
	ids := pinnedIDs(q.Filter)
	if ids == nil || q.Skip != 0 || len(q.Sort) != 0 || q.Limit < 0 {
		return nil, false, nil
	}
	if len(ids) > maxPinned {
		mine := false
		for _, id := range ids {
			if e := s.entries[docKey{coll, id}]; e != nil && e.dirty {
				mine = true
			}
		}
		if !mine {
			return nil, false, nil // one query reads them more cheaply
		}
	}
	limit := q.Limit
	if limit == 0 || limit > store.MaxLimit {
		limit = store.MaxLimit
	}
	out := []store.Doc{}
	for _, id := range ids {
		e, err := s.load(ctx, coll, id, true)
		if err != nil {
			return nil, true, err
		}
		if e.cur != nil && form.Match(q.Filter, e.cur) {
			out = append(out, store.Project(copyDoc(e.cur), q.Fields))
		}
		if len(out) == limit {
			break
		}
	}
	return out, true, nil
}

// maxPinned is the most ids findByIDs reads one by one when the run wrote
// none of them.
const maxPinned = 8

// pinnedIDs returns the ids a filter limits its documents to (an _id
// equality or list, alone or in a top-level "and"), sorted and distinct;
// nil when it does not.
func pinnedIDs(n *query.Node) []string {
	if n == nil {
		return nil
	}
	of := func(n *query.Node) []string {
		if n.Field.Path != "_id" || n.Field.Array {
			return nil
		}
		vals := n.Values
		switch n.Op {
		case query.OpEq:
			vals = []query.Value{n.Value}
		case query.OpIn:
		default:
			return nil
		}
		ids := make([]string, 0, len(vals))
		for _, v := range vals {
			if v.Null || v.Kind != query.KindString {
				return nil
			}
			ids = append(ids, v.Str)
		}
		slices.Sort(ids)
		return slices.Compact(ids)
	}
	if ids := of(n); ids != nil || n.Op != query.OpAnd {
		return ids
	}
	for _, c := range n.Children {
		if ids := of(c); ids != nil {
			return ids
		}
	}
	return nil
}

// Count counts committed documents (see overlaps).
func (s *specOps) Count(ctx context.Context, coll string, filter *query.Node) (int64, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	if s.overlaps(coll, filter) {
		return 0, s.stop(errOverlap)
	}
	n, err := s.st.Count(ctx, coll, filter)
	if err != nil {
		return 0, s.stop(err)
	}
	s.reads = append(s.reads, specRead{kind: readCount, coll: coll, filter: filter, n: n, verify: true})
	return n, nil
}

// Aggregate groups committed documents (see overlaps).
func (s *specOps) Aggregate(ctx context.Context, coll string, spec *query.Aggregate) ([]store.Doc, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	if spec == nil || s.overlaps(coll, spec.Filter) {
		return nil, s.stop(errOverlap)
	}
	rows, err := s.st.Aggregate(ctx, coll, spec)
	if err != nil {
		return nil, s.stop(err)
	}
	s.reads = append(s.reads, specRead{kind: readAggregate, coll: coll, agg: spec, docs: rows, verify: true})
	return copyDocs(rows), nil
}

// Insert buffers a new document.
func (s *specOps) Insert(ctx context.Context, coll string, doc store.Doc) (string, error) {
	if err := s.begin(); err != nil {
		return "", err
	}
	if !store.ValidCollection(coll) {
		return "", s.stop(store.ErrInvalid)
	}
	id, norm, err := normalizeInsert(doc)
	if err != nil {
		return "", s.stop(err)
	}
	k := docKey{coll, id}
	e := s.entries[k]
	switch {
	case e == nil:
		e = &entry{baseRead: -1}
		s.entries[k] = e
	case e.cur != nil:
		// Taken as the run knows it: a read it verifies, or its own write.
		s.see(e)
		return "", store.ErrDuplicate
	case !e.dirty && e.baseRead >= 0 && s.reads[e.baseRead].kind == readGet:
		// The run read that the id is free: the replayed insert proves it
		// still is, so the read need not be made again.
		s.reads[e.baseRead].verify = false
		e.baseRead = -1
	}
	e.cur = norm
	s.written(coll, e)
	s.writes = append(s.writes, specWrite{kind: writeInsert, coll: coll, id: id, doc: norm})
	return id, nil
}

// InsertMany buffers new documents in order. A failure gives up: the store
// may have inserted some of them before it, which the run cannot mirror.
func (s *specOps) InsertMany(ctx context.Context, coll string, docs []store.Doc) ([]string, error) {
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		id, err := s.Insert(ctx, coll, d)
		if err != nil {
			return nil, s.stop(err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// target returns the entry an update or delete of a present document
// applies to, or the error the store would give: not found, or a
// condition that does not hold.
func (s *specOps) target(ctx context.Context, coll, id string, cond *query.Node) (*entry, error) {
	if !store.ValidCollection(coll) {
		return nil, s.stop(store.ErrInvalid)
	}
	e, err := s.load(ctx, coll, id, false)
	if err != nil {
		return nil, err
	}
	if e.cur == nil {
		s.see(e)
		return nil, store.ErrNotFound
	}
	if form.Match(cond, e.cur) {
		return e, nil
	}
	if e.dirty {
		// Only the replay could confirm a refusal of the run's own
		// version, and a refusal is not replayed.
		return nil, s.stop(errors.New("a refused condition on a document the run wrote"))
	}
	// The store's own semantics must agree that the condition is false:
	// counted now, and again at commit, with the document read as is.
	s.see(e)
	only := query.And(query.Eq(query.Field{Path: "_id", Kind: query.KindString}, query.Str(id)), cond)
	n, err := s.st.Count(ctx, coll, only)
	if err != nil || n != 0 {
		return nil, s.stop(errors.New("the store does not confirm the refused condition"))
	}
	s.reads = append(s.reads, specRead{kind: readCount, coll: coll, filter: only, verify: true})
	return nil, store.ErrConditionFailed
}

// Update applies the patch to the run's version of the document.
func (s *specOps) Update(ctx context.Context, coll, id string, patch store.Patch, cond *query.Node) (store.Doc, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	norm, err := normalizePatch(patch)
	if err != nil {
		return nil, s.stop(err)
	}
	e, err := s.target(ctx, coll, id, cond)
	if err != nil {
		return nil, err
	}
	next, err := applyPatch(e.cur, norm)
	if err != nil {
		return nil, s.stop(err)
	}
	if !e.dirty && e.baseRead >= 0 && s.reads[e.baseRead].kind == readGet && s.reads[e.baseRead].verify {
		// The run read this version: where the replayed update can prove
		// it unchanged, the read need not be made again.
		if same, ok := unchangedIf(e.cur, norm); ok {
			cond = query.And(append([]*query.Node{cond}, same...)...)
			s.reads[e.baseRead].verify = false
			e.baseRead = -1
		}
	}
	e.cur = next
	s.written(coll, e)
	s.writes = append(s.writes, specWrite{kind: writeUpdate, coll: coll, id: id, doc: next, patch: norm, cond: cond})
	return copyDoc(next), nil
}

// Delete removes the run's version of the document.
func (s *specOps) Delete(ctx context.Context, coll, id string, cond *query.Node) error {
	if err := s.begin(); err != nil {
		return err
	}
	e, err := s.target(ctx, coll, id, cond)
	if err != nil {
		return err
	}
	e.cur = nil
	s.written(coll, e)
	s.writes = append(s.writes, specWrite{kind: writeDelete, coll: coll, id: id, cond: cond})
	return nil
}

// Defer takes a write hook's work for the replay (form.Deferrer): the
// hook's derived data is left out of what the run reads and writes, so
// concurrent runs do not conflict on it.
func (s *specOps) Defer(fn func(ctx context.Context, tx store.Ops) error) bool {
	if s.abort == nil {
		s.writes = append(s.writes, specWrite{kind: writeDeferred, fn: fn})
	}
	return true // after an abort the run is redone inside the writer anyway
}

// Defer passes a write hook's work to the speculation under c, if any
// (form.Deferrer): the records service sees the host's counting wrapper.
func (c *countingOps) Defer(fn func(ctx context.Context, tx store.Ops) error) bool {
	d, ok := c.Ops.(form.Deferrer)
	return ok && d.Defer(fn)
}

// specYieldEvery is how long a speculation runs at most between two
// yields at its store operations (begin). Not at every operation: the
// script's goroutine is locked to its thread, so each yield hands the
// thread's core over and back (thread wake-ups through the kernel) even
// when nothing else waits; a checkout's operations come some 50-100 µs
// apart.
const specYieldEvery = 250 * time.Microsecond
