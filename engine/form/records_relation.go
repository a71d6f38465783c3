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
	var fe []errs.FieldError
	for _, k := range sortedKeys(targets) {
		t := targets[k]
		ids, paths, bad := relationIDs(k, rec[k])
		for _, p := range bad {
			fe = append(fe, fieldErr(lang, p, "record.relation_type"))
		}
		if len(ids) == 0 {
			continue
		}
		found := map[string]bool{}
		if !t.none {
			vals := make([]query.Value, len(ids))
			for i, id := range ids {
				vals[i] = query.Str(id)
			}
			docs, err := ops.Find(ctx, t.form.Coll, store.Query{
				Filter: query.And(&query.Node{Op: query.OpIn, Field: fID, Values: vals}, t.scope),
				Fields: []string{SysID}, Limit: len(ids),
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
		for i, id := range ids {
			if !found[id] {
				fe = append(fe, fieldErr(lang, paths[i], "record.relation_not_found", id))
			}
		}
	}
	return fe, nil
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
