package meta

import (
	"context"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// HeadTTL bounds how long a Service serves which version of a definition
// is published without asking the store: a publish, rollback or import
// made through another Service (another server instance) on the same
// store is seen at most HeadTTL later. Writes through the same Service are
// seen at once.
const HeadTTL = time.Second

// The store-wide change counter. Every write that changes what Published
// returns (a head created, a publish, a rollback, an import) increments it
// in the same transaction, so a reader that finds it unchanged knows no
// such write has committed since it last looked.
const (
	collStamp = "meta_stamp"
	stampID   = "published"
)

// headCache remembers, per definition, which version is published (or that
// the definition is unpublished or missing), so that Published needs no
// store read at all on the hot path.
//
// Why a store-wide counter and not a TTL per head: with a TTL per entry,
// each definition a request touches costs one head read per TTL, and a
// checkout touches several; with the counter one read per TTL answers for
// every cached head at once, and when it has not moved (the usual case:
// definitions change when someone publishes, not per request) nothing is
// reloaded. When it has moved, the whole cache is dropped and heads are
// read again as they are asked for: publishes are rare, so precision per
// definition is not worth a second counter per head. The price is one
// increment of one document in every publish transaction, which makes
// concurrent publishes conflict on it; the store serializes (SQLite) or
// retries (MongoDB transactions) them, and publishing is an admin action.
//
// Correctness across instances: a check reads the counter, and if it
// differs from the one the cache was filled under, empties the cache
// before any head is read again; a head read is kept only if no emptying
// happened while it was in flight (epoch). So every cached head was read
// after the last counter read that saw its value, and any later publish
// moves the counter, which the next check (at most HeadTTL later) sees.
// Servers that predate the counter do not move it: upgrade all instances
// together.
type headCache struct {
	ttl time.Duration

	checkMu sync.Mutex // one counter read at a time; others wait for its answer

	mu      sync.RWMutex
	heads   map[string]int // head id -> published version; 0 never published, headMissing no such definition
	seen    map[string]int // head id -> the newest value any head read returned (never emptied)
	epoch   uint64         // bumped whenever heads is emptied
	stamp   int64          // the store counter heads was filled under
	checked time.Time      // when that counter was read; zero: never
}

// headMissing marks a definition that does not exist.
const headMissing = -1

func newHeadCache(ttl time.Duration) *headCache {
	return &headCache{ttl: ttl, heads: map[string]int{}, seen: map[string]int{}}
}

// fresh makes sure the counter was read less than ttl ago (reading it if
// not) and returns the epoch to tag head reads with.
func (c *headCache) fresh(ctx context.Context, st store.Ops, now time.Time) (uint64, error) {
	if e, ok := c.current(now); ok {
		return e, nil
	}
	c.checkMu.Lock()
	defer c.checkMu.Unlock()
	if e, ok := c.current(now); ok { // another reader checked meanwhile
		return e, nil
	}
	n, err := readStamp(ctx, st)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.checked.IsZero() || n != c.stamp {
		c.dropLocked()
		c.stamp = n
	}
	c.checked = now // the time before the read: the conservative one
	return c.epoch, nil
}

// current returns the epoch when the last check is recent enough. A clock
// that went back counts as expired.
func (c *headCache) current(now time.Time) (uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	age := now.Sub(c.checked)
	return c.epoch, !c.checked.IsZero() && age >= 0 && age < c.ttl
}

func (c *headCache) get(id string) (int, bool) {
	c.mu.RLock()
	v, ok := c.heads[id]
	c.mu.RUnlock()
	return v, ok
}

// put keeps a head read under epoch, unless the cache was emptied since
// (the read may predate the write that emptied it), and returns the value
// to answer with. Published versions only grow and definitions are never
// deleted, so the newest value any read returned is never stale: a read
// begun after an emptying can still finish with an older snapshot than a
// read begun before it, and without this a reader could see v26 and then
// v25 (the late read's value, cached).
func (c *headCache) put(id string, published int, epoch uint64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.seen[id]; ok && cur > published {
		published = cur
	}
	c.seen[id] = published
	if c.epoch == epoch {
		if cur, ok := c.heads[id]; !ok || cur < published {
			c.heads[id] = published
		}
	}
	return published
}

// drop empties the cache after a write through this Service committed, so
// this process sees it at once without waiting for the next check.
func (c *headCache) drop() {
	c.mu.Lock()
	c.dropLocked()
	c.mu.Unlock()
}

func (c *headCache) dropLocked() {
	clear(c.heads)
	c.epoch++
}

// readStamp reads the store's change counter; a store where it was never
// written reads as 0.
func readStamp(ctx context.Context, ops store.Ops) (int64, error) {
	d, err := ops.Get(ctx, collStamp, stampID)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return int64(num(d["n"])), nil
}

// touchStamp increments the change counter inside a write transaction.
// Init creates the counter; creating it here too covers a store whose
// Services were never initialized.
func touchStamp(ctx context.Context, tx store.Ops) error {
	_, err := tx.Update(ctx, collStamp, stampID, store.Patch{Inc: map[string]int64{"n": 1}}, nil)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		_, err = tx.Insert(ctx, collStamp, store.Doc{"_id": stampID, "n": 1})
	}
	return err
}

// ensureStamp creates the change counter when the store has none.
func ensureStamp(ctx context.Context, st store.Store) error {
	_, err := st.Insert(ctx, collStamp, store.Doc{"_id": stampID, "n": 0})
	if errs.HasCode(err, store.ErrDuplicate.Code) {
		return nil
	}
	return err
}

// publishedVersion returns which version of a definition is published (0:
// none), from the cache when it is fresh, else from the head.
func (s *Service) publishedVersion(ctx context.Context, id, app string, kind Kind, key string) (int, error) {
	epoch, err := s.heads.fresh(ctx, s.st, s.now())
	if err != nil {
		return 0, err
	}
	v, ok := s.heads.get(id)
	if !ok {
		h, err := loadHead(ctx, s.st, app, kind, key)
		switch {
		case errs.HasCode(err, ErrNotFound.Code):
			v = headMissing
		case err != nil:
			return 0, err
		default:
			v = h.Published
		}
		v = s.heads.put(id, v, epoch)
	}
	if v == headMissing {
		return 0, notFound(app, kind, key)
	}
	return v, nil
}

// SetClock replaces the clock the Service stamps revisions with and times
// its head cache by (tests; call before use).
func (s *Service) SetClock(now func() time.Time) { s.now = now }
