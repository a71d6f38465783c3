package auth

import (
	"sync"
	"time"
)

// Principal cache. Building a request's Principal reads the session (or
// API key) and the user, and decodes both: about a sixth of the CPU of a
// record create through the HTTP API. Authenticate therefore keeps the
// Principals it built, by token, for a short time (Config.PrincipalTTL, 2 s
// by default).
//
// Correctness rests on two rules:
//   - every change this Service makes that could change or end a Principal
//     (a user's roles, memberships, admin flag, display name or password,
//     disabling a user, ending a session, revoking a key, any change to the
//     unit tree) drops the affected entries once its transaction has
//     committed, so in this process the change applies to the next request,
//     exactly as without the cache;
//   - an entry never outlives its session's idle or absolute end or its
//     key's expiry, and never lives longer than the TTL. That TTL is the
//     bound on how long another server process sharing the store (which
//     has its own cache and cannot see this one's drops) may still accept
//     a token after such a change: at most PrincipalTTL.
//
// A fill that started before a drop is not stored (the epoch check), so a
// request that read the user just before a change committed cannot put
// the old Principal back. Cached Principals are shared by concurrent
// requests and must not be modified (engine/action copies one to narrow
// it).

// DefaultPrincipalTTL is Config.PrincipalTTL's default.
const DefaultPrincipalTTL = 2 * time.Second

// maxCachedPrincipals bounds the cache; past it the cache starts over.
const maxCachedPrincipals = 50000

type principalCache struct {
	ttl time.Duration // 0: disabled

	mu    sync.Mutex
	epoch uint64 // incremented by every drop
	m     map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p       *Principal
	userID  string
	session string // session id, "" for a key
	key     string // API key id, "" for a session
	until   time.Time
}

func newPrincipalCache(ttl time.Duration) *principalCache {
	return &principalCache{ttl: ttl, m: map[string]cachedPrincipal{}}
}

// get returns the cached Principal for token key k when it is still valid
// at now.
func (c *principalCache) get(k string, now time.Time) (*Principal, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.m[k]
	if ok && !now.Before(e.until) {
		delete(c.m, k)
		ok = false
	}
	c.mu.Unlock()
	return e.p, ok
}

// begin starts a fill: the epoch to hand to put.
func (c *principalCache) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// put stores e under k unless something was dropped since begin returned
// epoch. e.until is capped at now + TTL.
func (c *principalCache) put(k string, epoch uint64, now time.Time, e cachedPrincipal) {
	if c.ttl <= 0 {
		return
	}
	if limit := now.Add(c.ttl); e.until.IsZero() || e.until.After(limit) {
		e.until = limit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	if len(c.m) >= maxCachedPrincipals {
		c.m = map[string]cachedPrincipal{}
	}
	c.m[k] = e
}

// drop removes the entries for which match holds and voids fills in flight.
func (c *principalCache) drop(match func(e *cachedPrincipal) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k, e := range c.m {
		if match(&e) {
			delete(c.m, k)
		}
	}
}

// dropUser forgets every Principal of user id (its sessions and its keys).
func (c *principalCache) dropUser(id string) {
	c.drop(func(e *cachedPrincipal) bool { return e.userID == id })
}

// sessionKey is the cache key of a session's Principal: its stored id,
// which only the holder of the token can derive.
func sessionKey(id string) string { return "s:" + id }

// dropSession forgets the Principal of one session.
func (c *principalCache) dropSession(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	delete(c.m, sessionKey(id))
}

// dropKey forgets the Principal of one API key.
func (c *principalCache) dropKey(id string) {
	c.drop(func(e *cachedPrincipal) bool { return e.key == id })
}

// dropAll forgets everything (the unit tree changed: subtrees and paths).
func (c *principalCache) dropAll() {
	c.drop(func(*cachedPrincipal) bool { return true })
}

// earliest returns the earliest non-zero time of ts (zero when none).
func earliest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if !t.IsZero() && (out.IsZero() || t.Before(out)) {
			out = t
		}
	}
	return out
}
