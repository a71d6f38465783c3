package form

import (
	"context"
	"fmt"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Record history. Every write appends one revision document to the form's
// history collection in the same transaction: who, when, which operation,
// and the old and new value of each field it changed. A record's state at
// revision N is the fold of the "new" values of revisions 1..N, which is
// how a revision is restored. Rollup values, kept up to date by other
// records' writes, are derived data and make no revisions.

// Revision operations.
const (
	OpCreate  = "create"
	OpUpdate  = "update"
	OpDelete  = "delete"
	OpRestore = "restore" // undelete
	OpRevert  = "revert"  // restore of an earlier revision's values
)

// Revision is one entry of a record's history.
type Revision struct {
	Rev    int64          `json:"rev"` // the record's _version after the write
	Op     string         `json:"op"`
	At     string         `json:"at"`
	By     string         `json:"by"` // actor: user id, "apikey:<id>" or "system"
	ByName string         `json:"byName,omitempty"`
	Fields []string       `json:"fields"`         // changed field keys
	Old    map[string]any `json:"old,omitempty"`  // values before, by key (absent: was empty)
	New    map[string]any `json:"new,omitempty"`  // values after, by key (absent: now empty)
	From   int64          `json:"from,omitempty"` // for a revert: the revision restored
}

var (
	fHistRecord    = query.Field{Path: "record", Kind: query.KindString}
	fHistRev       = query.Field{Path: "rev", Kind: query.KindInt}
	historyIndexes = []store.Index{{Name: "record_rev", Fields: []string{"record", "rev"}}}
)

// MaxHistory bounds the revisions History returns (the newest) and the
// revisions folded to restore one.
const MaxHistory = 1000

// writeRevision appends a revision inside the write's transaction.
func writeRevision(ctx context.Context, ops store.Ops, f *Form, p *auth.Principal, id string, rv Revision) error {
	_, err := ops.Insert(ctx, f.HistColl, revisionDoc(p, id, rv))
	return err
}

// revisionDoc is the stored form of a revision of record id.
func revisionDoc(p *auth.Principal, id string, rv Revision) store.Doc {
	doc := store.Doc{
		"_id": fmt.Sprintf("%s.%010d", id, rv.Rev), "record": id, "rev": rv.Rev, "op": rv.Op,
		"at": rv.At, "by": p.Actor(), "byName": actorName(p), "fields": anyStrings(rv.Fields),
		"old": nonNilMap(rv.Old), "new": nonNilMap(rv.New),
	}
	if rv.From > 0 {
		doc["from"] = rv.From
	}
	return doc
}

// diff lists the stored fields (system fields excluded) whose value differs
// between before and after, with their old and new values.
func diff(f *Form, before, after store.Doc) (keys []string, old, new map[string]any) {
	old, new = map[string]any{}, map[string]any{}
	for _, fd := range f.Fields {
		k := fd.Key
		if f.virtual[k] {
			continue
		}
		a, b := before[k], after[k]
		if sameJSON(a, b) {
			continue
		}
		keys = append(keys, k)
		if a != nil {
			old[k] = a
		}
		if b != nil {
			new[k] = b
		}
	}
	return keys, old, new
}

// History returns the revisions of a record, newest first (at most
// MaxHistory). It needs the read right and the record in the caller's
// scope; field rules apply to the old and new values as to the record
// itself: hidden fields disappear, masked ones stay masked.
func (r *Records) History(ctx context.Context, p *auth.Principal, app, form, id string) ([]Revision, error) {
	f, d, err := r.open(ctx, p, app, form, access.Read)
	if err != nil {
		return nil, err
	}
	scope, err := d.Filter(f.QFields)
	if err != nil {
		return nil, err
	}
	// A deleted record's history stays readable to whoever may read it.
	if _, err := loadScoped(ctx, r.st, f, scope, id, LangOf(ctx)); err != nil {
		return nil, err
	}
	docs, err := r.st.Find(ctx, f.HistColl, store.Query{
		Filter: query.Eq(fHistRecord, query.Str(id)),
		Sort:   []query.SortKey{{Field: fHistRev, Desc: true}},
		Limit:  MaxHistory,
	})
	if err != nil {
		return nil, err
	}
	out := make([]Revision, 0, len(docs))
	for _, doc := range docs {
		out = append(out, readRevision(doc, d))
	}
	return out, nil
}

// readRevision decodes a revision and applies the caller's field rules.
func readRevision(doc store.Doc, d *access.Decision) Revision {
	rv := revisionOf(doc)
	d.Read(rv.Old)
	d.Read(rv.New)
	keep := rv.Fields[:0]
	for _, k := range rv.Fields {
		if d.Field(k).Rule != access.Hidden {
			keep = append(keep, k)
		}
	}
	rv.Fields = keep
	return rv
}

func revisionOf(doc store.Doc) Revision {
	rv := Revision{Rev: intOf(doc["rev"]), From: intOf(doc["from"])}
	rv.Op, _ = doc["op"].(string)
	rv.At, _ = doc["at"].(string)
	rv.By, _ = doc["by"].(string)
	rv.ByName, _ = doc["byName"].(string)
	rv.Old, _ = doc["old"].(map[string]any)
	rv.New, _ = doc["new"].(map[string]any)
	if rv.Old == nil {
		rv.Old = map[string]any{}
	}
	if rv.New == nil {
		rv.New = map[string]any{}
	}
	if list, ok := doc["fields"].([]any); ok {
		for _, k := range list {
			if s, ok := k.(string); ok {
				rv.Fields = append(rv.Fields, s)
			}
		}
	}
	if rv.Fields == nil {
		rv.Fields = []string{}
	}
	return rv
}

// stateAt rebuilds a record's stored field values as of revision rev.
func (r *Records) stateAt(ctx context.Context, f *Form, id string, rev int64, lang string) (map[string]any, error) {
	docs, err := r.st.Find(ctx, f.HistColl, store.Query{
		Filter: query.And(query.Eq(fHistRecord, query.Str(id)), query.Cmp(fHistRev, query.OpLte, query.Int(rev))),
		Sort:   []query.SortKey{{Field: fHistRev}},
		Limit:  store.MaxLimit,
	})
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 || intOf(docs[len(docs)-1]["rev"]) != rev {
		return nil, coded(lang, errs.NotFound, "record.revision_not_found", rev)
	}
	state := map[string]any{}
	for _, doc := range docs {
		rv := revisionOf(doc)
		for _, k := range rv.Fields {
			if v, ok := rv.New[k]; ok {
				state[k] = v
			} else {
				delete(state, k)
			}
		}
	}
	return state, nil
}

// RestoreRevision writes the values a record had at revision rev as a new
// revision (op "revert"): the fields clients may write that differ now are
// set back, through the same checks as a Patch (update right, field rules,
// validation, unique values, relations in scope). Computed fields follow.
// Fields removed from the form since are skipped.
func (r *Records) RestoreRevision(ctx context.Context, p *auth.Principal, app, form, id string, rev int64, o WriteOptions) (store.Doc, error) {
	f, d, err := r.open(ctx, p, app, form, access.Update)
	if err != nil {
		return nil, err
	}
	scope, err := scopeOf(f, d, false)
	if err != nil {
		return nil, err
	}
	cur, err := loadScoped(ctx, r.st, f, scope, id, o.Lang)
	if err != nil {
		return nil, err
	}
	state, err := r.stateAt(ctx, f, id, rev, o.Lang)
	if err != nil {
		return nil, err
	}
	patch := map[string]any{}
	for _, fd := range f.Fields {
		k := fd.Key
		if f.computed[k] || f.virtual[k] || sameJSON(cur[k], state[k]) {
			continue
		}
		patch[k] = state[k]
	}
	return r.patch(ctx, p, f, d, id, patch, intOf(cur[SysVersion]), o, patchMode{op: OpRevert, from: rev, stored: true})
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
