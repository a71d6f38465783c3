package auth

import (
	"context"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Page size bounds for lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// findPage reads one keyset page: limit rows after cursor in the order of
// keys (which must end with the _id tie-break) and the cursor of the next
// page ("" on the last one). One extra row is read to know whether there is
// a next page. fields, when given, are the only ones read (they must include
// the sort keys').
func findPage(ctx context.Context, st store.Ops, coll string, filter *query.Node, keys []query.SortKey,
	limit int, cursor string, fields ...string) ([]store.Doc, string, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	if limit > MaxPageSize {
		limit = MaxPageSize
	}
	if cursor != "" {
		after, err := query.DecodeCursor(cursor, keys)
		if err != nil {
			return nil, "", err
		}
		filter = query.And(filter, after)
	}
	docs, err := st.Find(ctx, coll, store.Query{Filter: filter, Sort: keys, Limit: limit + 1, Fields: fields})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(docs) > limit {
		docs = docs[:limit]
		next = query.CursorOf(docs[limit-1], keys).Encode()
	}
	return docs, next, nil
}
