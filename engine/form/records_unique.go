package form

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Unique fields. A unique index on the records collection would refuse a
// second record without a value on MongoDB (a missing field indexes as
// null) and would keep a deleted record's value taken; so each non-null
// value of a unique field is instead a claim document in one shared
// collection, id = hash(collection, field, value), inserted in the
// record's transaction. A second claim of the same value fails on the id
// whatever the backend and however concurrent the writes. Deleting a record
// releases its claims; restoring it claims them again.

var fClaimRecord = query.Field{Path: "record", Kind: query.KindString}

// claimID names the claim of value v of field key in f.
func claimID(f *Form, key string, v any) string {
	b, _ := json.Marshal(v)
	h := sha256.New()
	h.Write([]byte(f.Coll))
	h.Write([]byte{0})
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:20])
}

// uniqueChanges lists the unique fields whose value differs between two
// versions of a record (before nil for a create, after nil for a delete).
func uniqueChanges(f *Form, before, after store.Doc) []string {
	var out []string
	for _, k := range f.unique {
		if !sameJSON(before[k], after[k]) {
			out = append(out, k)
		}
	}
	return out
}

// checkClaims reports unique values of rec already claimed by another
// record, for the fields in keys: read first so that every taken value is
// reported at once, before anything is written.
func checkClaims(ctx context.Context, ops store.Ops, f *Form, id string, rec store.Doc, keys []string, lang string) ([]errs.FieldError, error) {
	fes, err := checkClaimsMany(ctx, ops, f, []string{id}, []store.Doc{rec}, [][]string{keys}, lang)
	if err != nil {
		return nil, err
	}
	return fes[0], nil
}

// claimReadBatch bounds the claim ids one Find asks for.
const claimReadBatch = 500

// checkClaimsMany is checkClaims for many records (record i has id ids[i]
// and its own keys), with one read per claimReadBatch values rather than
// one per value.
func checkClaimsMany(ctx context.Context, ops store.Ops, f *Form, ids []string, recs []store.Doc, keys [][]string, lang string) ([][]errs.FieldError, error) {
	type use struct {
		row int
		key string
	}
	uses := map[string][]use{}
	var cids []string
	for i, rec := range recs {
		for _, k := range keys[i] {
			if v := rec[k]; v != nil {
				cid := claimID(f, k, v)
				if uses[cid] == nil {
					cids = append(cids, cid)
				}
				uses[cid] = append(uses[cid], use{i, k})
			}
		}
	}
	owner := map[string]any{} // claim id -> the record holding it
	if len(cids) == 1 {
		// One value (a create through the API): a get by id is cheaper.
		doc, err := ops.Get(ctx, collUnique, cids[0])
		switch {
		case err == nil:
			owner[cids[0]] = doc["record"]
		case !errs.HasCode(err, store.ErrNotFound.Code):
			return nil, err
		}
	}
	for start := 0; len(cids) > 1 && start < len(cids); start += claimReadBatch {
		chunk := cids[start:min(start+claimReadBatch, len(cids))]
		vals := make([]query.Value, len(chunk))
		for i, id := range chunk {
			vals[i] = query.Str(id)
		}
		docs, err := ops.Find(ctx, collUnique, store.Query{Filter: &query.Node{Op: query.OpIn, Field: fID, Values: vals},
			Fields: []string{"record"}, Limit: len(chunk)})
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			owner[d[SysID].(string)] = d["record"]
		}
	}
	out := make([][]errs.FieldError, len(recs))
	for _, cid := range cids {
		rid, taken := owner[cid]
		if !taken {
			continue
		}
		for _, u := range uses[cid] {
			if rid != ids[u.row] {
				out[u.row] = append(out[u.row], fieldErr(lang, u.key, "record.unique"))
			}
		}
	}
	return out, nil
}

// moveClaims releases the claims of before's values and takes after's, for
// the fields in keys. A value claimed meanwhile by another record (a race
// checkClaims could not see) is a record.unique validation error; it ends
// the transaction at once, since on MongoDB a failed write aborts it.
func moveClaims(ctx context.Context, ops store.Ops, f *Form, id string, before, after store.Doc, keys []string, lang string) error {
	for _, k := range keys {
		if v := before[k]; v != nil {
			err := ops.Delete(ctx, collUnique, claimID(f, k, v), query.Eq(fClaimRecord, query.Str(id)))
			if err != nil && !errs.HasCode(err, store.ErrNotFound.Code) && !errs.HasCode(err, store.ErrConditionFailed.Code) {
				return err
			}
		}
		v := after[k]
		if v == nil {
			continue
		}
		_, err := ops.Insert(ctx, collUnique, store.Doc{"_id": claimID(f, k, v), "coll": f.Coll, "field": k, "record": id})
		if errs.HasCode(err, store.ErrDuplicate.Code) {
			return invalidRecord(lang, []errs.FieldError{fieldErr(lang, k, "record.unique")})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// unreported drops the keys already reported (a value repeated in a file,
// or invalid, is not also "taken" by another record's claim).
func unreported(keys []string, fe []errs.FieldError) []string {
	var out []string
	for _, k := range keys {
		seen := false
		for _, e := range fe {
			seen = seen || e.Path == k
		}
		if !seen {
			out = append(out, k)
		}
	}
	return out
}
