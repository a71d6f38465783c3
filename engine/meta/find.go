package meta

import (
	"context"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// pageSize bounds one Find; findAll pages past it with keyset conditions,
// so a definition with a long history or an app with many definitions is
// never silently cut at the store's limit.
var pageSize = store.MaxLimit

// findAll returns every document matching filter in the given order (plus
// the _id tie-break). Sort fields must be strings or integers.
func findAll(ctx context.Context, ops store.Ops, coll string, filter *query.Node, order []query.SortKey) ([]store.Doc, error) {
	keys := query.WithIDTieBreak(order)
	var out []store.Doc
	var after *query.Node
	for {
		page, err := ops.Find(ctx, coll, store.Query{Filter: query.And(filter, after), Sort: keys, Limit: pageSize})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < pageSize {
			return out, nil
		}
		last := page[len(page)-1]
		vals := make([]query.Value, len(keys))
		for i, k := range keys {
			v, _ := query.Lookup(last, k.Field.Path)
			if k.Field.Kind == query.KindInt {
				vals[i] = query.Int(int64(num(v)))
			} else {
				vals[i] = query.Str(str(v))
			}
		}
		after = query.After(keys, vals)
	}
}

// getMany reads documents by id with $in queries of bounded size.
func getMany(ctx context.Context, ops store.Ops, coll string, ids []string) (map[string]store.Doc, error) {
	const chunk = 500
	out := make(map[string]store.Doc, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		in := &query.Node{Op: query.OpIn, Field: fID}
		for _, id := range part {
			in.Values = append(in.Values, query.Str(id))
		}
		docs, err := ops.Find(ctx, coll, store.Query{Filter: in, Limit: len(part)})
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out[str(d["_id"])] = d
		}
	}
	return out, nil
}
