package meta

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/tangram/tangram/engine/errs"
)

// publishedCache keeps the published revision of each definition the
// runtime has read. It is keyed by version: which version is published
// comes from the head cache (heads.go), and since revisions are immutable,
// a matching version means a matching spec, so this cache itself needs no
// invalidation. Entries are one per definition, replaced on publish; an app
// has hundreds of definitions, not millions, so there is no eviction.
type publishedCache struct {
	mu    sync.RWMutex
	m     map[string]Definition // by head id
	loads atomic.Int64          // revisions read from the store (misses)
}

func newPublishedCache() *publishedCache { return &publishedCache{m: map[string]Definition{}} }

func (c *publishedCache) get(id string, version int) (Definition, bool) {
	c.mu.RLock()
	d, ok := c.m[id]
	c.mu.RUnlock()
	return d, ok && d.Version == version
}

// put keeps the newer of two revisions: published versions only grow, so a
// slow reader must not replace a newer entry with the one it loaded late.
func (c *publishedCache) put(id string, d Definition) {
	c.mu.Lock()
	if cur, ok := c.m[id]; !ok || cur.Version < d.Version {
		c.m[id] = d
	}
	c.mu.Unlock()
}

// Published returns the published revision of a definition, as the runtime
// uses it: 404 meta.not_found when the definition does not exist, 404
// meta.not_published when it has never been published. A publish through
// another Service on the same store is seen within HeadTTL (heads.go). The
// returned Spec is shared with the cache and must not be modified.
func (s *Service) Published(ctx context.Context, app string, kind Kind, key string) (Definition, error) {
	if err := checkAddress(app, kind, key); err != nil {
		return Definition{}, err
	}
	id := headID(app, kind, key)
	v, err := s.publishedVersion(ctx, id, app, kind, key)
	if err != nil {
		return Definition{}, err
	}
	if v == 0 {
		return Definition{}, errs.New(ErrNotPublished.Class, ErrNotPublished.Code, "%s %q in app %q has no published version", kind, key, app)
	}
	if d, ok := s.cache.get(id, v); ok {
		return d, nil
	}
	d, err := loadRevision(ctx, s.st, app, kind, key, v)
	if err != nil {
		return Definition{}, err
	}
	s.cache.loads.Add(1)
	// A publish may have superseded the revision since the head was read;
	// as of that head it was the published one, which is what we serve.
	d.Status = StatusPublished
	s.cache.put(id, d)
	return d, nil
}
