package auth

import (
	"context"
	"sync"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// orgVersionID is the auth_meta document whose "version" every change to the
// unit tree increments in the same transaction. Readers compare it with the
// version their cache was filled at, which keeps the cache right when several
// server instances share one store.
const orgVersionID = "org_version"

// maxCachedSubtrees bounds the cache; past it the cache starts over.
const maxCachedSubtrees = 20000

// subtreeCache remembers, per unit, its path and the ids of its subtree, as
// of one org version. Authenticate needs the subtree of every unit a user
// belongs to on every request; an HQ user's subtree is the whole tree.
type subtreeCache struct {
	mu      sync.Mutex
	version int64
	entries map[string]subtreeEntry
}

type subtreeEntry struct {
	path string
	ids  []string
}

func newSubtreeCache() *subtreeCache {
	return &subtreeCache{version: -1, entries: map[string]subtreeEntry{}}
}

// subtree returns the path of unit id and the ids of it and all its
// descendants, as of org version v (read by the caller with orgVersion, once
// per request however many units it asks about). ErrUnitNotFound when the
// unit does not exist.
func (c *subtreeCache) subtree(ctx context.Context, st store.Ops, v int64, id string) (string, []string, error) {
	c.mu.Lock()
	if c.version != v {
		c.version, c.entries = v, map[string]subtreeEntry{}
	}
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok {
		return e.path, e.ids, nil
	}
	path, ids, err := loadSubtree(ctx, st, id)
	if err != nil {
		return "", nil, err
	}
	c.mu.Lock()
	// A newer version may have been seen meanwhile; then this result may be
	// stale and is not kept.
	if c.version == v {
		if len(c.entries) >= maxCachedSubtrees {
			c.entries = map[string]subtreeEntry{}
		}
		c.entries[id] = subtreeEntry{path: path, ids: ids}
	}
	c.mu.Unlock()
	return path, ids, nil
}

// orgVersion reads the org tree's change counter (0 before any change).
func orgVersion(ctx context.Context, st store.Ops) (int64, error) {
	d, err := st.Get(ctx, collMeta, orgVersionID)
	if isCode(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var m struct {
		Version int64 `json:"version"`
	}
	if err := decode(d, &m); err != nil {
		return 0, err
	}
	return m.Version, nil
}

// bumpOrgVersion increments the org tree's change counter inside a write.
func bumpOrgVersion(ctx context.Context, tx store.Ops) error {
	_, err := tx.Update(ctx, collMeta, orgVersionID, store.Patch{Inc: map[string]int64{"version": 1}}, nil)
	if isCode(err, store.ErrNotFound) {
		_, err = tx.Insert(ctx, collMeta, store.Doc{"_id": orgVersionID, "version": 1})
	}
	return err
}

// loadSubtree reads unit id's path and the ids under it through the path
// index. Paging by id keeps each read bounded however big the tree grows.
func loadSubtree(ctx context.Context, st store.Ops, id string) (string, []string, error) {
	u, err := getUnit(ctx, st, id)
	if err != nil {
		return "", nil, err
	}
	var ids []string
	after := ""
	for {
		filter := query.Cmp(fPath, query.OpStartsWith, query.Str(u.Path))
		if after != "" {
			filter = query.And(filter, query.Cmp(fID, query.OpGt, query.Str(after)))
		}
		docs, err := st.Find(ctx, CollUnits, store.Query{
			Filter: filter,
			Sort:   []query.SortKey{{Field: fID}},
			Limit:  subtreePage,
			Fields: []string{"_id"},
		})
		if err != nil {
			return "", nil, err
		}
		for _, d := range docs {
			s, _ := d["_id"].(string)
			ids = append(ids, s)
		}
		if len(docs) < subtreePage {
			return u.Path, ids, nil
		}
		after = ids[len(ids)-1]
	}
}

const subtreePage = 2000
