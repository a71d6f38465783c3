package store

import (
	"strings"

	"github.com/tangram/tangram/engine/query"
)

// Project keeps only the given paths of doc (and "_id"), as Query.Fields
// asks; nil fields keep the whole document. Paths are dotted:
// "address.city" keeps that key inside "address". Absent paths stay
// absent (never null), so every adapter, and anything answering queries in
// memory, gives the same shape.
func Project(doc Doc, fields []string) Doc {
	if fields == nil {
		return doc
	}
	out := Doc{"_id": doc["_id"]}
	for _, f := range fields {
		v, ok := query.Lookup(doc, f)
		if !ok {
			continue
		}
		parts := strings.Split(f, ".")
		cur := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		cur[parts[len(parts)-1]] = v
	}
	return out
}
