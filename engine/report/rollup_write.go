package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Keeping rollups current: a record's write moves its contribution out of
// the cell of its old state and into the cell of its new one, in the
// write's own transaction. Counts, integer sums and present-value counts
// are increments; decimal sums are read and set exactly; a minimum or
// maximum grows by comparison but, when the removed value was the cell's
// extreme, is read again from the cell's records (a few hundred rows: one
// store and one day). Empty cells are deleted, so every rollup document
// stands for at least one record, which keeps distinct counts over grain
// fields exact.

// cellOf is the cell of a level a record counts in: its id and key
// fields; ok is false for no record or a deleted one.
func (d *rollupDef) cellOf(rec store.Doc, level string) (id string, key store.Doc, ok bool) {
	if rec == nil || rec["_deleted"] == true {
		return "", nil, false
	}
	day := d.dayOf(rec[d.DateField])
	if s, isDay := day.(string); isDay && level == levelMonth {
		day = s[:len("2006-01")] + "-01"
	}
	if level == levelHour {
		day = d.hourOf(rec[d.DateField])
	}
	key = store.Doc{d.DateField: day}
	for _, g := range d.Grain {
		v := rec[g]
		if _, isList := v.([]any); isList {
			v = nil // grain fields are single-valued; a stray list is no key
		}
		key[g] = v
	}
	return d.cellID(key), key, true
}

// cellID identifies a cell by its key: the day and the grain values,
// numbers by value ("10.5" and "10.50" are one cell, as they are one
// group in an aggregation).
func (d *rollupDef) cellID(key store.Doc) string {
	parts := []any{key[d.DateField]}
	for _, g := range d.Grain {
		v := key[g]
		if r := ratOf(v); r != nil && !isText(v) {
			v = "n:" + exactText(r)
		}
		parts = append(parts, v)
	}
	b, _ := json.Marshal(parts)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func isText(v any) bool { _, ok := v.(string); return ok }

// dayOf is the day of a date or time value in the rollup's zone; nil for
// none or an unreadable value.
func (d *rollupDef) dayOf(v any) any {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if d.DateKind == string(query.KindDate) {
		return s
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return query.BucketKey(t, query.BucketDay, d.loc())
}

// hourOf is the start of the hour of a time value (hourStart); nil for
// none or an unreadable value.
func (d *rollupDef) hourOf(v any) any {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return hourStart(t, d.loc())
}

// onWrite moves a record's contribution from before's cells to after's,
// on every level. A write that changes none of the fields the rollup
// reads (the member's points, a sale's note) leaves it as it is; one
// that stays in its cell moves the cell by the difference.
func (d *rollupDef) onWrite(ctx context.Context, tx store.Ops, raw string, before, after store.Doc) error {
	if d.shared || d.unchanged(before, after) {
		return nil
	}
	for _, level := range d.levels() {
		bid, bkey, bok := d.cellOf(before, level)
		aid, akey, aok := d.cellOf(after, level)
		if bok && aok && bid == aid {
			if patch, ok := d.shift(before, after); ok {
				if err := d.applyPatch(ctx, tx, level, aid, akey, after, patch, 1); err != nil {
					return err
				}
				continue
			}
		}
		if bok {
			if err := d.apply(ctx, tx, raw, level, bid, bkey, before, -1); err != nil {
				return err
			}
		}
		if aok {
			if err := d.apply(ctx, tx, raw, level, aid, akey, after, 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// unchanged reports whether before and after count alike in every cell:
// both live and equal on every field the rollup reads.
func (d *rollupDef) unchanged(before, after store.Doc) bool {
	if before == nil || after == nil || (before["_deleted"] == true) != (after["_deleted"] == true) {
		return false
	}
	if !sameField(before[d.DateField], after[d.DateField]) {
		return false
	}
	for _, l := range [][]string{d.Grain, d.Sums, d.Mins, d.Maxs} {
		for _, f := range l {
			if !sameField(before[f], after[f]) {
				return false
			}
		}
	}
	return true
}

// sameField compares two stored values; false when unsure (the caller
// then does the full work).
func sameField(a, b any) bool {
	switch a.(type) {
	case nil, string, bool, json.Number, int64, int, float64:
		return a == b // b of another type is unequal, never a panic
	}
	return reflect.DeepEqual(a, b)
}

// shift is the increments that move a cell from before's contribution to
// after's, both in it: ok is false when they need more than increments
// (a decimal sum, a changed extreme), and the caller then removes before
// and adds after.
func (d *rollupDef) shift(before, after store.Doc) (store.Patch, bool) {
	for _, l := range [][]string{d.Mins, d.Maxs} {
		for _, f := range l {
			if !sameField(before[f], after[f]) {
				return store.Patch{}, false
			}
		}
	}
	patch := store.Patch{Inc: map[string]int64{}}
	for _, f := range d.Sums {
		bi, bc, ok1 := d.intPart(before, f)
		ai, ac, ok2 := d.intPart(after, f)
		if !ok1 || !ok2 {
			return store.Patch{}, false
		}
		if ac != bc {
			patch.Inc["_c_"+f] = ac - bc
		}
		if ai != bi {
			patch.Inc["_s_"+f] = ai - bi
		}
	}
	return patch, true
}

// intPart is rec's part of an integer sum of f: the value and 1, or 0
// and 0 when absent; ok is false when it needs an exact decimal sum.
func (d *rollupDef) intPart(rec store.Doc, f string) (v, c int64, ok bool) {
	if ratOf(rec[f]) == nil {
		return 0, 0, true
	}
	i, isInt := query.ToInt(rec[f])
	if !isInt || isDecimal(d, f) {
		return 0, 0, false
	}
	return i, 1, true
}

// incPatch is rec's contribution (sign 1) or its removal (-1) as
// increments; ok is false when the cell must be read first (a decimal
// sum, or extremes to compare).
func (d *rollupDef) incPatch(rec store.Doc, sign int64) (store.Patch, bool) {
	if len(d.Mins) > 0 || len(d.Maxs) > 0 {
		return store.Patch{}, false
	}
	patch := store.Patch{Inc: map[string]int64{"_n": sign}}
	for _, f := range d.Sums {
		v, c, ok := d.intPart(rec, f)
		if !ok {
			return store.Patch{}, false
		}
		if c != 0 {
			patch.Inc["_c_"+f], patch.Inc["_s_"+f] = sign, sign*v
		}
	}
	return patch, true
}

// newCell is the cell of one record.
func (d *rollupDef) newCell(id string, key, rec store.Doc) store.Doc {
	doc := store.Doc{"_id": id, "_n": int64(1)}
	for k, v := range key {
		doc[k] = v
	}
	for _, f := range d.Sums {
		if r := ratOf(rec[f]); r != nil {
			doc["_s_"+f], doc["_c_"+f] = rec[f], int64(1)
		} else {
			doc["_s_"+f], doc["_c_"+f] = int64(0), int64(0)
		}
	}
	for _, f := range d.Mins {
		doc["_min_"+f] = rec[f]
	}
	for _, f := range d.Maxs {
		doc["_max_"+f] = rec[f]
	}
	return doc
}

// applyPatch increments a cell without reading it first (one store call
// where a read and an update were two, and nothing to conflict on but
// the cell itself). A cell that is not there is rec's alone (sign 1) or,
// for a removal, one a build is about to recompute; one left with no
// record is deleted.
func (d *rollupDef) applyPatch(ctx context.Context, tx store.Ops, level, id string, key, rec store.Doc, patch store.Patch, sign int64) error {
	if len(patch.Inc) == 0 && len(patch.Set) == 0 {
		return nil
	}
	coll := d.coll(level)
	next, err := tx.Update(ctx, coll, id, patch, nil)
	if errors.Is(err, store.ErrNotFound) {
		if sign < 0 {
			return nil // see apply
		}
		_, err = tx.Insert(ctx, coll, d.newCell(id, key, rec))
		return err
	}
	if err != nil {
		return err
	}
	if n, _ := query.ToInt(next["_n"]); n <= 0 {
		return tx.Delete(ctx, coll, id, nil)
	}
	return nil
}

// apply adds (sign 1) or removes (sign -1) rec's contribution to a cell.
func (d *rollupDef) apply(ctx context.Context, tx store.Ops, raw, level, id string, key store.Doc, rec store.Doc, sign int64) error {
	if patch, ok := d.incPatch(rec, sign); ok {
		return d.applyPatch(ctx, tx, level, id, key, rec, patch, sign)
	}
	coll := d.coll(level)
	cell, err := tx.Get(ctx, coll, id)
	if errors.Is(err, store.ErrNotFound) {
		if sign < 0 {
			// Only while the rollup is being built: the slice that holds
			// this cell is recomputed from the records afterwards.
			return nil
		}
		_, err = tx.Insert(ctx, coll, d.newCell(id, key, rec))
		return err
	}
	if err != nil {
		return err
	}
	patch := store.Patch{Inc: map[string]int64{"_n": sign}, Set: map[string]any{}}
	for _, f := range d.Sums {
		v := ratOf(rec[f])
		if v == nil {
			continue
		}
		patch.Inc["_c_"+f] = sign
		if i, ok := query.ToInt(rec[f]); ok && !isDecimal(d, f) {
			patch.Inc["_s_"+f] = sign * i
			continue
		}
		cur := ratOf(cell["_s_"+f])
		if cur == nil {
			cur = new(big.Rat)
		}
		// As precise as the most precise input, like the stores' exact
		// sums ("10.50" + "0.1" is "10.60"), so rollup and records agree
		// to the text.
		sum := new(big.Rat).Add(cur, new(big.Rat).Mul(v, big.NewRat(sign, 1)))
		patch.Set["_s_"+f] = json.Number(sum.FloatString(max(scaleOf(cell["_s_"+f]), scaleOf(rec[f]))))
	}
	recompute := false
	for _, ext := range []struct {
		fields []string
		prefix string
		max    bool
	}{{d.Mins, "_min_", false}, {d.Maxs, "_max_", true}} {
		for _, f := range ext.fields {
			v, cur := rec[f], cell[ext.prefix+f]
			switch {
			case v == nil:
			case sign > 0 && extreme(cur, v, ext.max) != cur:
				patch.Set[ext.prefix+f] = v
			case sign < 0 && compareAny(v, cur) == 0:
				recompute = true
			}
		}
	}
	next, err := tx.Update(ctx, coll, id, patch, nil)
	if err != nil {
		return err
	}
	if n, _ := query.ToInt(next["_n"]); n <= 0 {
		return tx.Delete(ctx, coll, id, nil)
	}
	if recompute {
		return d.recomputeExtremes(ctx, tx, raw, level, id, key)
	}
	return nil
}

// scaleOf counts the fraction digits of a number's text.
func scaleOf(v any) int {
	s := fmt.Sprint(v)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func isDecimal(d *rollupDef, f string) bool {
	for _, x := range d.Decimals {
		if x == f {
			return true
		}
	}
	return false
}

// recomputeExtremes reads a cell's minima and maxima again from its
// records (the write being applied is already in them).
func (d *rollupDef) recomputeExtremes(ctx context.Context, tx store.Ops, raw, level, id string, key store.Doc) error {
	a := &query.Aggregate{Filter: query.And(alive, d.cellFilter(key, level)), Location: d.loc()}
	for _, f := range d.Mins {
		a.Measures = append(a.Measures, query.Measure{Fn: query.FnMin, Field: d.field(f), As: "_min_" + f})
	}
	for _, f := range d.Maxs {
		a.Measures = append(a.Measures, query.Measure{Fn: query.FnMax, Field: d.field(f), As: "_max_" + f})
	}
	rows, err := tx.Aggregate(ctx, raw, a)
	if err != nil || len(rows) == 0 {
		return err
	}
	set := map[string]any{}
	for k, v := range rows[0] {
		set[k] = v
	}
	_, err = tx.Update(ctx, d.coll(level), id, store.Patch{Set: set}, nil)
	return err
}

// field is the query field of a measured field; its kind only matters for
// comparisons, which the stores make by the stored value.
func (d *rollupDef) field(f string) query.Field {
	k := query.KindInt
	if isDecimal(d, f) {
		k = query.KindDecimal
	}
	return query.Field{Path: f, Kind: k}
}

// cellFilter selects a cell's records: its day (or month) in the
// rollup's zone and its grain values.
func (d *rollupDef) cellFilter(key store.Doc, level string) *query.Node {
	df := query.Field{Path: d.DateField, Kind: query.Kind(d.DateKind)}
	var parts []*query.Node
	switch day, _ := key[d.DateField].(string); {
	case day == "":
		parts = append(parts, query.Eq(df, query.Null(df.Kind)))
	case level == levelMonth:
		first, _ := time.Parse(dateLayout, day)
		parts = append(parts, periodFilter(df, Period{From: day, To: first.AddDate(0, 1, -1).Format(dateLayout)}, d.loc()))
	default:
		parts = append(parts, periodFilter(df, Period{From: day, To: day}, d.loc()))
	}
	for i, g := range d.Grain {
		f := query.Field{Path: g, Kind: query.Kind(d.Kinds[i])}
		parts = append(parts, query.Eq(f, valueFor(f, key[g])))
	}
	return query.And(parts...)
}

// onWrite is the hook body: the form's write counter and rollups.
func (s *Service) onWrite(ctx context.Context, tx store.Ops, app, formKey string, before, after store.Doc) error {
	id, _ := after["_id"].(string)
	if id == "" {
		id, _ = before["_id"].(string)
	}
	// In a batch (form.WithWriteBatch) one bump tells the caches the form
	// changed, and the registry cannot change inside the transaction.
	memo := form.WriteBatchMemo(ctx)
	bumped, regKey := "version:"+app+":"+formKey, "registry:"+app+":"+formKey
	if memo == nil || memo[bumped] == nil {
		if err := bumpVersion(ctx, tx, app, formKey, id); err != nil {
			return err
		}
		if memo != nil {
			memo[bumped] = true
		}
	}
	defs, cached := memo[regKey].([]*rollupDef)
	if !cached {
		var err error
		if defs, err = readRegistry(ctx, tx, app, formKey); err != nil {
			return err
		}
		if memo != nil {
			memo[regKey] = defs
		}
	}
	raw := form.RecordsCollection(app, formKey)
	for _, d := range defs {
		if err := d.onWrite(ctx, tx, raw, before, after); err != nil {
			return err
		}
	}
	return nil
}
