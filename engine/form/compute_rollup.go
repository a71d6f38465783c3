package form

import (
	"context"
	"encoding/json"
	"math/big"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Rollups. A parent form's rollup field aggregates the live child records
// whose relation field points at the parent. Every write of a child
// recomputes the rollups of the parents it pointed at before and after, in
// the child's transaction, so the stored value is always exact. The
// aggregation runs in the database (Count, Aggregate); where the backend
// has no aggregation (lungo) the children are read, at most
// MaxRollupChildren of them. The parent's formulas that read rollups are
// recomputed with them. Rollups are derived data: they change neither the
// parent's version nor its history.

// MaxRollupChildren bounds the children read where the store cannot
// aggregate.
const MaxRollupChildren = 10000

// rollupLink is one relation of a child form that parent rollups follow.
type rollupLink struct {
	rel     *relationDef
	child   *Form
	parent  *Form
	rollups []*rollupDef
}

// rollupLinks finds, before the transaction, the parent forms whose
// rollups follow one of f's relation fields.
func (r *Records) rollupLinks(ctx context.Context, f *Form) ([]rollupLink, error) {
	var out []rollupLink
	for _, k := range sortedKeys(f.relations) {
		rel := f.relations[k]
		parent := f
		if rel.target != f.Key {
			var err error
			if parent, err = r.Form(ctx, f.App, rel.target); err != nil {
				if errs.ClassOf(err) == errs.NotFound {
					continue
				}
				return nil, err
			}
		}
		var rs []*rollupDef
		for _, ru := range parent.rollups {
			if ru.child == f.Key && ru.relation == k {
				rs = append(rs, ru)
			}
		}
		if len(rs) > 0 {
			out = append(out, rollupLink{rel: rel, child: f, parent: parent, rollups: rs})
		}
	}
	return out, nil
}

// applyRollups recomputes the parents affected by a child's change from
// before to after (nil for a create or a delete).
func (r *Records) applyRollups(ctx context.Context, tx store.Ops, links []rollupLink, before, after store.Doc, lang string) error {
	for _, l := range links {
		if !rollupTouched(l, before, after) {
			continue
		}
		parents := map[string]bool{}
		for _, doc := range []store.Doc{before, after} {
			if doc == nil {
				continue
			}
			ids, _, _ := relationIDs(l.rel.key, doc[l.rel.key])
			for _, id := range ids {
				parents[id] = true
			}
		}
		for _, id := range sortedKeys(parents) {
			if err := r.recomputeParent(ctx, tx, l, id, lang); err != nil {
				return err
			}
		}
	}
	return nil
}

// rollupTouched reports whether a change can move a parent's rollups: a
// create or delete, a changed relation, or a changed aggregated field.
func rollupTouched(l rollupLink, before, after store.Doc) bool {
	if before == nil || after == nil || !sameJSON(before[l.rel.key], after[l.rel.key]) {
		return true
	}
	for _, ru := range l.rollups {
		if ru.field != "" && !sameJSON(before[ru.field], after[ru.field]) {
			return true
		}
	}
	return false
}

// recomputeParent stores fresh rollup values (and the formulas reading
// them) on one parent.
func (r *Records) recomputeParent(ctx context.Context, tx store.Ops, l rollupLink, id, lang string) error {
	cur, err := tx.Get(ctx, l.parent.Coll, id)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return nil // a dangling id: nothing to keep up to date
	}
	if err != nil {
		return err
	}
	next := deepCopy(cur).(map[string]any)
	for _, ru := range l.rollups {
		v, err := rollupValue(ctx, tx, l, ru, id, lang)
		if err != nil {
			return err
		}
		if v == nil {
			delete(next, ru.key)
		} else {
			next[ru.key] = v
		}
	}
	if bad, err := l.parent.evalFormulas(ctx, r.scripts, next, lang, false); err != nil {
		return err
	} else if len(bad) > 0 {
		// A parent formula that fails on the new totals keeps its old
		// value; the rollups themselves are still stored.
		for _, fm := range l.parent.formulas {
			if v, ok := cur[fm.key]; ok {
				next[fm.key] = v
			} else {
				delete(next, fm.key)
			}
		}
	}
	patch := store.Patch{Set: map[string]any{}}
	for _, fd := range l.parent.Fields {
		k := fd.Key
		if !l.parent.computed[k] || l.parent.virtual[k] || sameJSON(cur[k], next[k]) {
			continue
		}
		if v, ok := next[k]; ok {
			patch.Set[k] = v
		} else {
			patch.Unset = append(patch.Unset, k)
		}
	}
	if len(patch.Set) == 0 && len(patch.Unset) == 0 {
		return nil
	}
	after, err := tx.Update(ctx, l.parent.Coll, id, patch, nil)
	if err != nil {
		return err
	}
	return r.onWrite(ctx, tx, l.parent, cur, after)
}

// rollupValue aggregates the live children of parent id.
func rollupValue(ctx context.Context, tx store.Ops, l rollupLink, ru *rollupDef, id, lang string) (any, error) {
	relField := query.Field{Path: l.rel.key, Kind: query.KindString, Array: l.rel.multiple}
	filter := query.And(query.Eq(relField, query.Str(id)), query.Cmp(fDeleted, query.OpNe, query.Bool(true)))
	st := l.parent.stored[ru.key]
	if ru.op == "count" {
		n, err := tx.Count(ctx, l.child.Coll, filter)
		if err != nil {
			return nil, err
		}
		v, _ := storedResult(n, st)
		return v, nil
	}
	field, ok := l.child.QFields[ru.field]
	if !ok {
		return nil, nil // the child form no longer has the field
	}
	spec := &query.Aggregate{Filter: filter, Location: query.DefaultLocation,
		Measures: []query.Measure{{Fn: query.AggFn(ru.op), Field: field, As: "v"}}}
	rows, err := tx.Aggregate(ctx, l.child.Coll, spec)
	var v any
	switch {
	case errs.HasCode(err, store.ErrUnsupported.Code):
		if v, err = rollupByReading(ctx, tx, l.child.Coll, filter, ru, lang); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case len(rows) > 0:
		v = rows[0]["v"]
	}
	if v == nil && ru.op == "sum" {
		v = int64(0)
	}
	out, ok := storedResult(exactNumber(v), st)
	if !ok {
		return nil, nil
	}
	return out, nil
}

// rollupByReading computes a rollup from the children themselves.
func rollupByReading(ctx context.Context, tx store.Ops, coll string, filter *query.Node, ru *rollupDef, lang string) (any, error) {
	docs, err := tx.Find(ctx, coll, store.Query{Filter: filter, Fields: []string{ru.field}, Limit: MaxRollupChildren + 1})
	if err != nil {
		return nil, err
	}
	if len(docs) > MaxRollupChildren {
		return nil, coded(lang, errs.Unprocessable, "record.rollup_too_many", MaxRollupChildren)
	}
	var acc *big.Rat
	n := 0
	for _, d := range docs {
		x, ok := exactRat(d[ru.field])
		if !ok {
			continue
		}
		n++
		switch {
		case acc == nil:
			acc = x
		case ru.op == "sum" || ru.op == "avg":
			acc = new(big.Rat).Add(acc, x)
		case ru.op == "min" && x.Cmp(acc) < 0, ru.op == "max" && x.Cmp(acc) > 0:
			acc = x
		}
	}
	if acc == nil {
		return nil, nil
	}
	if ru.op == "avg" {
		acc = new(big.Rat).Quo(acc, new(big.Rat).SetInt64(int64(n)))
	}
	return json.Number(acc.FloatString(6)), nil
}

// exactNumber turns a json.Number with an integral value into int64, so
// an integer field stores an integer even when the database said "12.0".
func exactNumber(v any) any {
	n, ok := v.(json.Number)
	if !ok {
		return v
	}
	if i, err := n.Int64(); err == nil {
		return i
	}
	if r, ok := new(big.Rat).SetString(string(n)); ok && r.IsInt() {
		return r.Num().Int64()
	}
	return n
}
