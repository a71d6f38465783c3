package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// memStore is a deliberately simple in-memory adapter built on the suite's
// reference model. It exists only to check the suite's own plumbing (paging,
// races, transactions, error handling) while real adapters are elsewhere;
// agreeing with the model proves nothing about the model itself, which is
// why the filter and sort cases also carry hand-written expectations.
type memStore struct {
	mu   sync.Mutex // one writer or transaction at a time
	data map[string]map[string]store.Doc
	idx  map[string][]store.Index
}

func newMemStore() *memStore {
	return &memStore{data: map[string]map[string]store.Doc{}, idx: map[string][]store.Index{}}
}

// memOps runs operations with the lock already held (inside Tx) or takes it.
type memOps struct {
	m      *memStore
	locked bool
}

func (o memOps) lock() func() {
	if o.locked {
		return func() {}
	}
	o.m.mu.Lock()
	return o.m.mu.Unlock
}

func invalid(format string, args ...any) error {
	return store.Wrapf(store.ErrInvalid, nil, format, args...)
}

func checkFilterPaths(n *query.Node) error {
	var err error
	query.Walk(n, func(x *query.Node) {
		switch x.Op {
		case query.OpAnd, query.OpOr:
		case query.OpNot:
			if len(x.Children) != 1 {
				err = invalid("not takes one child")
			}
		case query.OpEq, query.OpNe, query.OpGt, query.OpGte, query.OpLt, query.OpLte, query.OpIn, query.OpNin,
			query.OpExists, query.OpContains, query.OpStartsWith:
			if !query.ValidPath(x.Field.Path) {
				err = invalid("bad path")
			}
			switch x.Field.Kind {
			case query.KindString, query.KindInt, query.KindDecimal, query.KindBool, query.KindDate, query.KindTime:
			default:
				err = invalid("bad kind")
			}
		default:
			err = invalid("bad op")
		}
	})
	return err
}

func (o memOps) coll(name string) (map[string]store.Doc, error) {
	if !store.ValidCollection(name) {
		return nil, invalid("bad collection")
	}
	if o.m.data[name] == nil {
		o.m.data[name] = map[string]store.Doc{}
	}
	return o.m.data[name], nil
}

func (o memOps) unique(c string, doc store.Doc, self string) error {
	for _, ix := range o.m.idx[c] {
		if !ix.Unique {
			continue
		}
		key := func(d store.Doc) string {
			var vals []any
			for _, f := range ix.Fields {
				vals = append(vals, lookup(d, strings.TrimPrefix(f, "-")))
			}
			return tupleKey(vals)
		}
		k := key(doc)
		for id, other := range o.m.data[c] {
			if id != self && key(other) == k {
				return store.ErrDuplicate
			}
		}
	}
	return nil
}

func (o memOps) Insert(ctx context.Context, c string, doc store.Doc) (string, error) {
	defer o.lock()()
	col, err := o.coll(c)
	if err != nil {
		return "", err
	}
	d := canonDoc(doc)
	id, isStr := d["_id"].(string)
	if d["_id"] != nil && !isStr {
		return "", invalid("_id must be text")
	}
	if id == "" {
		id = store.NewID()
	}
	d["_id"] = id
	if _, dup := col[id]; dup {
		return "", store.ErrDuplicate
	}
	if err := o.unique(c, d, id); err != nil {
		return "", err
	}
	col[id] = d
	return id, nil
}

func (o memOps) Get(ctx context.Context, c, id string) (store.Doc, error) {
	defer o.lock()()
	col, err := o.coll(c)
	if err != nil {
		return nil, err
	}
	d, ok := col[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return canonDoc(d), nil
}

func (o memOps) Find(ctx context.Context, c string, q store.Query) ([]store.Doc, error) {
	defer o.lock()()
	col, err := o.coll(c)
	if err != nil {
		return nil, err
	}
	if err := checkFilterPaths(q.Filter); err != nil {
		return nil, err
	}
	for _, k := range q.Sort {
		if !query.ValidPath(k.Field.Path) {
			return nil, invalid("bad sort path")
		}
	}
	for _, f := range q.Fields {
		if !query.ValidPath(f) {
			return nil, invalid("bad projection")
		}
	}
	docs := expectFind(slices.Collect(maps.Values(col)), q.Filter, q.Sort)
	docs = docs[min(q.Skip, len(docs)):]
	if q.Limit > 0 && len(docs) > q.Limit {
		docs = docs[:q.Limit]
	}
	out := make([]store.Doc, len(docs))
	for i, d := range docs {
		d = canonDoc(d)
		if q.Fields != nil {
			p := store.Doc{"_id": d["_id"]}
			for _, f := range q.Fields {
				if v, ok := d[f]; ok {
					p[f] = v
				}
			}
			d = p
		}
		out[i] = d
	}
	return out, nil
}

func (o memOps) Count(ctx context.Context, c string, filter *query.Node) (int64, error) {
	docs, err := o.Find(ctx, c, store.Query{Filter: filter})
	return int64(len(docs)), err
}

func setPath(d store.Doc, path string, v any) error {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := d[p].(map[string]any)
		if !ok {
			if d[p] != nil {
				return invalid("cannot set below a non-object")
			}
			next = map[string]any{}
			d[p] = next
		}
		d = next
	}
	d[parts[len(parts)-1]] = v
	return nil
}

func (o memOps) Update(ctx context.Context, c, id string, p store.Patch, cond *query.Node) (store.Doc, error) {
	defer o.lock()()
	col, err := o.coll(c)
	if err != nil {
		return nil, err
	}
	var paths []string
	paths = append(paths, slices.Collect(maps.Keys(p.Set))...)
	paths = append(paths, p.Unset...)
	paths = append(paths, slices.Collect(maps.Keys(p.Inc))...)
	for _, path := range paths {
		if !query.ValidPath(path) || path == "_id" || strings.HasPrefix(path, "_id.") {
			return nil, invalid("bad path")
		}
	}
	if err := checkFilterPaths(cond); err != nil {
		return nil, err
	}
	cur, ok := col[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	if !matches(cur, cond) {
		return nil, store.ErrConditionFailed
	}
	d := canonDoc(cur)
	for k, v := range p.Set {
		if err := setPath(d, k, canon(v)); err != nil {
			return nil, err
		}
	}
	for _, k := range p.Unset {
		parts := strings.Split(k, ".")
		if parent, ok := lookup(d, strings.Join(parts[:len(parts)-1], ".")).(map[string]any); ok || len(parts) == 1 {
			if len(parts) == 1 {
				parent = d
			}
			delete(parent, parts[len(parts)-1])
		}
	}
	for k, by := range p.Inc {
		cur := lookup(d, k)
		r, _ := toRat(cur)
		if cur != nil && (r == nil || !r.IsInt()) {
			return nil, invalid("only integers can be incremented")
		}
		var n int64
		if r != nil {
			n = r.Num().Int64()
		}
		if err := setPath(d, k, num(fmt.Sprint(n+by))); err != nil {
			return nil, err
		}
	}
	if err := o.unique(c, d, id); err != nil {
		return nil, err
	}
	col[id] = d
	return canonDoc(d), nil
}

func (o memOps) Delete(ctx context.Context, c, id string, cond *query.Node) error {
	defer o.lock()()
	col, err := o.coll(c)
	if err != nil {
		return err
	}
	cur, ok := col[id]
	if !ok {
		return store.ErrNotFound
	}
	if !matches(cur, cond) {
		return store.ErrConditionFailed
	}
	delete(col, id)
	return nil
}

func (o memOps) Aggregate(ctx context.Context, c string, a *query.Aggregate) ([]store.Doc, error) {
	docs, err := o.Find(ctx, c, store.Query{})
	if err != nil {
		return nil, err
	}
	rows, err := expectAggregate(docs, a)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		for k, v := range r {
			if r2, ok := toRat(v); ok && !r2.IsInt() {
				r[k] = num(r2.FloatString(20))
			}
		}
	}
	return rows, nil
}

func (m *memStore) Tx(ctx context.Context, fn func(tx store.Ops) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	snap := map[string]map[string]store.Doc{}
	for c, col := range m.data {
		snap[c] = maps.Clone(col)
	}
	ok := false
	defer func() {
		if !ok {
			m.data = snap
		}
	}()
	if err := fn(memOps{m: m, locked: true}); err != nil {
		return err
	}
	ok = true
	return nil
}

func (m *memStore) EnsureIndexes(ctx context.Context, c string, idx []store.Index) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !store.ValidCollection(c) {
		return invalid("bad collection")
	}
	for _, ix := range idx {
		if !store.ValidIndexName(ix.Name) || len(ix.Fields) == 0 {
			return invalid("bad index")
		}
		for _, f := range ix.Fields {
			if !query.ValidPath(strings.TrimPrefix(f, "-")) {
				return invalid("bad index path")
			}
		}
	}
	for _, ix := range idx {
		if !slices.ContainsFunc(m.idx[c], func(x store.Index) bool { return x.Name == ix.Name }) {
			m.idx[c] = append(m.idx[c], ix)
		}
	}
	return nil
}

// InsertMany inserts one by one and, on a failure, puts the collection
// back as it was: all or nothing.
func (o memOps) InsertMany(ctx context.Context, c string, docs []store.Doc) ([]string, error) {
	defer o.lock()()
	col, err := o.coll(c)
	if err != nil {
		return nil, err
	}
	snap := maps.Clone(col)
	in := memOps{m: o.m, locked: true}
	ids := make([]string, len(docs))
	for i, d := range docs {
		if ids[i], err = in.Insert(ctx, c, d); err != nil {
			o.m.data[c] = snap
			base := store.ErrInvalid
			if errors.Is(err, store.ErrDuplicate) {
				base = store.ErrDuplicate
			}
			return nil, store.RowError(base, err, i)
		}
	}
	return ids, nil
}

func (m *memStore) InsertMany(ctx context.Context, c string, d []store.Doc) ([]string, error) {
	return memOps{m: m}.InsertMany(ctx, c, d)
}
func (m *memStore) Insert(ctx context.Context, c string, d store.Doc) (string, error) {
	return memOps{m: m}.Insert(ctx, c, d)
}
func (m *memStore) Get(ctx context.Context, c, id string) (store.Doc, error) {
	return memOps{m: m}.Get(ctx, c, id)
}
func (m *memStore) Find(ctx context.Context, c string, q store.Query) ([]store.Doc, error) {
	return memOps{m: m}.Find(ctx, c, q)
}
func (m *memStore) Count(ctx context.Context, c string, f *query.Node) (int64, error) {
	return memOps{m: m}.Count(ctx, c, f)
}
func (m *memStore) Update(ctx context.Context, c, id string, p store.Patch, cond *query.Node) (store.Doc, error) {
	return memOps{m: m}.Update(ctx, c, id, p, cond)
}
func (m *memStore) Delete(ctx context.Context, c, id string, cond *query.Node) error {
	return memOps{m: m}.Delete(ctx, c, id, cond)
}
func (m *memStore) Aggregate(ctx context.Context, c string, a *query.Aggregate) ([]store.Doc, error) {
	return memOps{m: m}.Aggregate(ctx, c, a)
}
func (m *memStore) Ping(ctx context.Context) error { return nil }
func (m *memStore) Backend() string                { return "memory" }
func (m *memStore) Close() error                   { return nil }

var _ store.Store = (*memStore)(nil)

// TestSuiteOnMemStore runs the whole suite on the reference adapter: every
// case must pass there, or the suite itself is wrong.
func TestSuiteOnMemStore(t *testing.T) {
	shared := newMemStore()
	Run(t, Harness{Open: func(t *testing.T) store.Store { return shared }})
}

// TestSuiteSkipsAggregation checks the NoAggregate switch.
func TestSuiteSkipsAggregation(t *testing.T) {
	Run(t, Harness{Open: func(t *testing.T) store.Store { return newMemStore() }, NoAggregate: "memory store: testing the skip"})
}
