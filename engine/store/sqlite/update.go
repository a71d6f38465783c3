package sqlite

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// update applies the patch in one UPDATE ... RETURNING whose WHERE holds
// the condition, so check and change are atomic even without the single
// writer. Only when no row changed does a second statement find out why.
func (o *ops) update(coll, id string, p store.Patch, cond *query.Node) (store.Doc, error) {
	table, err := quotedTable(coll)
	if err != nil {
		return nil, err
	}
	if err := checkPatchPaths(p); err != nil {
		return nil, err
	}
	if ok, err := o.tableExists(context.Background(), coll); err != nil || !ok {
		return nil, notFoundOr(err)
	}
	text, args, err := updateStatement(table, id, p, cond)
	if err != nil {
		return nil, err
	}
	var body sql.RawBytes
	rows, done, err := o.r.query(context.Background(), text, args)
	if err != nil {
		return nil, mapErr(err)
	}
	defer done()
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&body); err != nil {
			return nil, mapErr(err)
		}
		return decodeDoc(id, body)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	return nil, o.whyNot(table, id, cond, p)
}

// updateStatement is the statement update runs, and its arguments.
func updateStatement(table, id string, p store.Patch, cond *query.Node) (string, []any, error) {
	empty := len(p.Set) == 0 && len(p.Unset) == 0 && len(p.Inc) == 0
	if cond != nil || empty {
		return buildUpdate(table, id, p, cond)
	}
	// Without a condition the text depends only on the patch's shape:
	// the rollup cells, write counters and ledger accounts a checkout
	// updates a dozen times take a few shapes. The text comes from a
	// cache; the arguments are made directly, in the order the text binds
	// them, which the first build of each shape confirms.
	key := updateShape(table, p)
	args, err := updateArgs(id, p)
	if err != nil {
		return "", nil, err
	}
	if text, ok := updateTexts.Load(key); ok {
		return text.(string), args, nil
	}
	text, built, err := buildUpdate(table, id, p, nil)
	if err != nil || !sameArgs(built, args) {
		return text, built, err // not cached: the shortcut would not bind alike
	}
	if updateTextCount.Load() < maxUpdateTexts {
		updateTextCount.Add(1)
		updateTexts.Store(key, text)
	}
	return text, args, nil
}

var (
	updateTexts     sync.Map // updateShape -> statement text
	updateTextCount atomic.Int64
)

// maxUpdateTexts bounds the cached update texts (shapes come from the
// application's code, but a patch's paths may come from input).
const maxUpdateTexts = 1024

// buildUpdate writes the statement: the patch applied where the row has
// id and cond holds and the patch applies (patchGuards), returning the new
// document; an empty patch only reads it.
func buildUpdate(table, id string, p store.Patch, cond *query.Node) (string, []any, error) {
	var b sqlBuf
	empty := len(p.Set) == 0 && len(p.Unset) == 0 && len(p.Inc) == 0
	if empty {
		b.w("SELECT ", docOut, " FROM ", table)
	} else {
		b.w("UPDATE ", table, " SET doc = ")
		if err := patchExpr(&b, p); err != nil {
			return "", nil, err
		}
	}
	b.w(" WHERE id = ")
	b.arg(id)
	b.w(" AND ")
	if err := compileFilter(&b, cond); err != nil {
		return "", nil, err
	}
	b.w(" AND ")
	patchGuards(&b, p)
	if !empty {
		b.w(" RETURNING ", docOut)
	}
	return b.b.String(), b.args, nil
}

// updateShape names what an update's text depends on without a
// condition: the table and the paths set, removed and incremented
// (validated paths, which hold no "|" or ",").
func updateShape(table string, p store.Patch) string {
	return table + "|" + strings.Join(sortedKeys(p.Set), ",") + "|" + strings.Join(sortedCopy(p.Unset), ",") +
		"|" + strings.Join(sortedKeys(p.Inc), ",")
}

// updateArgs are buildUpdate's arguments without a condition: the set
// values as JSON text and the increments (patchExpr), the id, then each
// increment's bounds (patchGuards).
func updateArgs(id string, p store.Patch) ([]any, error) {
	inc := sortedKeys(p.Inc)
	args := make([]any, 0, len(p.Set)+3*len(inc)+1)
	for _, k := range sortedKeys(p.Set) {
		body, err := marshalJSON(p.Set[k])
		if err != nil {
			return nil, err
		}
		args = append(args, string(body))
	}
	for _, k := range inc {
		args = append(args, p.Inc[k])
	}
	args = append(args, id)
	for _, k := range inc {
		lo, hi := incBounds(p.Inc[k])
		args = append(args, lo, hi)
	}
	return args, nil
}

// sameArgs reports whether two argument lists bind alike.
func sameArgs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch x := a[i].(type) {
		case string:
			if y, ok := b[i].(string); !ok || x != y {
				return false
			}
		case int64:
			if y, ok := b[i].(int64); !ok || x != y {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// whyNot explains a write that matched no row: no document, a false
// condition, or a patch that does not apply to the document.
func (o *ops) whyNot(table, id string, cond *query.Node, p store.Patch) error {
	var b sqlBuf
	b.w("SELECT IFNULL(")
	if err := compileFilter(&b, cond); err != nil {
		return err
	}
	b.w(",0), IFNULL(")
	patchGuards(&b, p)
	b.w(",0) FROM ", table, " WHERE id = ")
	b.arg(id)
	var condOK, patchOK bool
	found, err := o.r.queryRow(context.Background(), b.b.String(), b.args, &condOK, &patchOK)
	switch {
	case err != nil:
		return mapErr(err)
	case !found:
		return store.ErrNotFound
	case !condOK:
		return store.ErrConditionFailed
	case !patchOK:
		return store.Wrapf(store.ErrInvalid, nil, "the patch does not apply: a path goes below a value that is not an object, or an increment is not of an integer or leaves the 64-bit range")
	}
	// The row matched now but not a moment ago: impossible under the single
	// writer, so report it as a conflict to retry rather than guess.
	return store.ErrConflict
}

// checkPatchPaths refuses invalid paths, any change to "_id", and paths
// that overlap ("a" with "a.b"), which have no well-defined order.
func checkPatchPaths(p store.Patch) error {
	var all []string
	for k := range p.Set {
		all = append(all, k)
	}
	all = append(all, p.Unset...)
	for k := range p.Inc {
		all = append(all, k)
	}
	sort.Strings(all)
	for i, k := range all {
		if k == "_id" || strings.HasPrefix(k, "_id.") {
			return store.Wrapf(store.ErrInvalid, nil, "the _id of a document cannot be changed")
		}
		if !validPath(k) {
			return store.Wrapf(store.ErrInvalid, nil, "invalid field path %q", k)
		}
		if i > 0 && (all[i-1] == k || strings.HasPrefix(k, all[i-1]+".")) {
			return store.Wrapf(store.ErrInvalid, nil, "the patch changes %q and %q at once", all[i-1], k)
		}
	}
	return nil
}

// patchExpr writes the new document: removals first, then sets and
// increments in one json_set call. Inside UPDATE, "doc" in the increments is
// still the old document, so "a.n + 1" reads the value before the patch.
// Set values are bound as JSON text wrapped in json()/jsonb() so they are
// stored as JSON values, not as strings.
func patchExpr(b *sqlBuf, p store.Patch) error {
	inner := func() {
		if len(p.Unset) == 0 {
			b.w("doc")
			return
		}
		b.w(jsonRemoveFn, "(doc")
		for _, k := range sortedCopy(p.Unset) {
			b.w(", ", jsonPath(k))
		}
		b.w(")")
	}
	if len(p.Set) == 0 && len(p.Inc) == 0 {
		inner()
		return nil
	}
	b.w(jsonSetFn, "(")
	inner()
	for _, k := range sortedKeys(p.Set) {
		body, err := marshalJSON(p.Set[k])
		if err != nil {
			return err
		}
		b.w(", ", jsonPath(k), ", ", jsonValueFn, "(")
		b.arg(string(body))
		b.w(")")
	}
	for _, k := range sortedKeys(p.Inc) {
		b.w(", ", jsonPath(k), ", COALESCE(json_extract(doc,", jsonPath(k), "),0) + ")
		b.arg(p.Inc[k])
	}
	b.w(")")
	return nil
}

// patchGuards is true when the patch applies as written. json_set would
// silently skip a path below a text, list or null value, so every parent
// of a set or incremented path must be an object or missing (missing
// parents are created). Every incremented value must be an integer (null
// and missing count as 0) whose sum stays within int64: SQLite would turn
// an overflowing sum into a float.
func patchGuards(b *sqlBuf, p store.Patch) {
	var terms []func()
	parents := map[string]bool{}
	for _, k := range append(sortedKeys(p.Set), sortedKeys(p.Inc)...) {
		for i := 0; i < len(k); i++ {
			if k[i] == '.' {
				parents[k[:i]] = true
			}
		}
	}
	for _, parent := range sortedKeys(parents) {
		jp := jsonPath(parent)
		terms = append(terms, func() { b.w("IFNULL(json_type(doc,", jp, "),'object') = 'object'") })
	}
	for _, k := range sortedKeys(p.Inc) {
		lo, hi := incBounds(p.Inc[k])
		jp := jsonPath(k)
		terms = append(terms, func() {
			b.w("IFNULL(json_type(doc,", jp, "),'null') IN ('integer','null') AND IFNULL(json_extract(doc,", jp, "),0) BETWEEN ")
			b.arg(lo)
			b.w(" AND ")
			b.arg(hi)
		})
	}
	if len(terms) == 0 {
		b.w("1")
		return
	}
	b.w("(")
	for i, t := range terms {
		if i > 0 {
			b.w(" AND ")
		}
		t()
	}
	b.w(")")
}

// incBounds are the values an integer may hold for an increment by d to
// stay within int64.
func incBounds(d int64) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if d > 0 {
		hi -= d
	} else {
		lo -= d
	}
	return lo, hi
}

// remove deletes document id when cond holds.
func (o *ops) remove(coll, id string, cond *query.Node) error {
	table, err := quotedTable(coll)
	if err != nil {
		return err
	}
	if ok, err := o.tableExists(context.Background(), coll); err != nil || !ok {
		return notFoundOr(err)
	}
	var b sqlBuf
	b.w("DELETE FROM ", table, " WHERE id = ")
	b.arg(id)
	b.w(" AND ")
	if err := compileFilter(&b, cond); err != nil {
		return err
	}
	res, err := o.r.exec(context.Background(), b.b.String(), b.args)
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapErr(err)
	} else if n == 0 {
		return o.whyNot(table, id, cond, store.Patch{})
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
