package meta

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/tangram/tangram/engine/errs"
)

// publishedCache keeps the published revision of each definition the
// runtime has read. It is never trusted on its own: every read first gets
// the definition's head (one get by id) and uses the cached revision only
// when its version is the head's published version. Since revisions are
// immutable, a matching version means a matching spec, so the cache stays
// correct when other processes publish through the same store, with no
// invalidation messages. Entries are one per definition, replaced on
// publish; an app has hundreds of definitions, not millions, so there is no
// eviction.
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
// meta.not_published when it has never been published. The returned Spec is
// shared with the cache and must not be modified.
func (s *Service) Published(ctx context.Context, app string, kind Kind, key string) (Definition, error) {
	if err := checkAddress(app, kind, key); err != nil {
		return Definition{}, err
	}
	h, err := loadHead(ctx, s.st, app, kind, key)
	if err != nil {
		return Definition{}, err
	}
	if h.Published == 0 {
		return Definition{}, errs.New(ErrNotPublished.Class, ErrNotPublished.Code, "%s %q in app %q has no published version", kind, key, app)
	}
	if d, ok := s.cache.get(h.ID, h.Published); ok {
		return d, nil
	}
	d, err := loadRevision(ctx, s.st, app, kind, key, h.Published)
	if err != nil {
		return Definition{}, err
	}
	s.cache.loads.Add(1)
	// A publish may have superseded the revision between the two reads; as
	// of the head we read it was the published one, which is what we serve.
	d.Status = StatusPublished
	s.cache.put(h.ID, d)
	return d, nil
}
