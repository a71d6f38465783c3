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

// Relations. A relation value names records of another form; on write each
// named record must exist, be live, and be inside the writer's read scope
// of that form. An id the writer may not see is reported exactly like a
// missing one, so a relation field cannot be used to probe for records.

// relTarget is a relation's target form as the writer may read it.
type relTarget struct {
	form  *Form
	scope *query.Node // live rows in the writer's read scope
	none  bool        // the writer may read nothing there (or it does not exist)
}

// relationTargets resolves, before the transaction, the target forms of
// the relation fields whose value differs between before and after.
func (r *Records) relationTargets(ctx context.Context, p *auth.Principal, f *Form, before, after store.Doc) (map[string]*relTarget, error) {
	out := map[string]*relTarget{}
	for _, k := range sortedKeys(f.relations) {
		rel := f.relations[k]
		if after[k] == nil || sameJSON(before[k], after[k]) {
			continue
		}
		t := &relTarget{}
		out[k] = t
		d, err := r.decide(ctx, p, f.App, rel.target, access.Read)
		if err != nil {
			if ec := errs.ClassOf(err); ec == errs.Forbidden || ec == errs.NotFound {
				t.none = true
				continue
			}
			return nil, err
		}
		tf, err := r.Form(ctx, f.App, rel.target)
		if err != nil {
			if errs.ClassOf(err) == errs.NotFound {
				t.none = true
				continue
			}
			return nil, err
		}
		t.form = tf
		if t.scope, err = scopeOf(tf, d, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkRelations reports the ids of rec's changed relation values that
// are missing or out of scope, one error per id at its path.
func checkRelations(ctx context.Context, ops store.Ops, f *Form, targets map[string]*relTarget, rec store.Doc, lang string) ([]errs.FieldError, error) {
	fes, err := checkRelationsMany(ctx, ops, f, targets, []store.Doc{rec}, lang)
	if err != nil {
		return nil, err
	}
	return fes[0], nil
}

// relationReadBatch bounds the ids one Find of a relation check asks for.
const relationReadBatch = 500

// checkRelationsMany is checkRelations for many records, with one read per
// relation field (per relationReadBatch ids) for all of them.
func checkRelationsMany(ctx context.Context, ops store.Ops, f *Form, targets map[string]*relTarget, recs []store.Doc, lang string) ([][]errs.FieldError, error) {
	out := make([][]errs.FieldError, len(recs))
	for _, k := range sortedKeys(targets) {
		t := targets[k]
		type ref struct {
			row      int
			id, path string
		}
		var refs []ref
		var want []string
		seen := map[string]bool{}
		for i, rec := range recs {
			ids, paths, bad := relationIDs(k, rec[k])
			for _, p := range bad {
				out[i] = append(out[i], fieldErr(lang, p, "record.relation_type"))
			}
			for j, id := range ids {
				refs = append(refs, ref{i, id, paths[j]})
				if !seen[id] {
					seen[id] = true
					want = append(want, id)
				}
			}
		}
		found := map[string]bool{}
		for start := 0; !t.none && start < len(want); start += relationReadBatch {
			chunk := want[start:min(start+relationReadBatch, len(want))]
			vals := make([]query.Value, len(chunk))
			for i, id := range chunk {
				vals[i] = query.Str(id)
			}
			docs, err := ops.Find(ctx, t.form.Coll, store.Query{
				Filter: query.And(&query.Node{Op: query.OpIn, Field: fID, Values: vals}, t.scope),
				Fields: []string{SysID}, Limit: len(chunk),
			})
			if err != nil {
				return nil, err
			}
			for _, d := range docs {
				if id, ok := d[SysID].(string); ok {
					found[id] = true
				}
			}
		}
		for _, r := range refs {
			if !found[r.id] {
				out[r.row] = append(out[r.row], fieldErr(lang, r.path, "record.relation_not_found", r.id))
			}
		}
	}
	return out, nil
}

// relationIDs reads the ids of a relation value (one id, or a list) with
// the path of each; bad lists the paths of elements that are not ids.
func relationIDs(key string, v any) (ids, paths, bad []string) {
	switch x := v.(type) {
	case nil:
	case string:
		return []string{x}, []string{key}, nil
	case []any:
		seen := map[string]bool{}
		for i, it := range x {
			s, ok := it.(string)
			p := fmt.Sprintf("%s[%d]", key, i)
			switch {
			case !ok:
				bad = append(bad, p)
			case !seen[s]:
				seen[s] = true
				ids, paths = append(ids, s), append(paths, p)
			}
		}
	case []string:
		for i, s := range x {
			ids, paths = append(ids, s), append(paths, fmt.Sprintf("%s[%d]", key, i))
		}
	default:
		bad = append(bad, key)
	}
	return ids, paths, bad
}
