package auth

import (
	"sync"
	"time"
)

// Principal cache. Building a request's Principal reads the session (or
// API key) and the user, decodes both, and resolves the user's units in
// the org tree: about a sixth of the CPU of a record create through the
// HTTP API. The session or key document is still read on every request
// (one get by id): a session that ended, expired or was deleted, and a
// key revoked or expired, are refused at once whoever changed them, in
// this process or another. What Authenticate keeps, for a short time
// (Config.PrincipalTTL, 2 s by default), is the rest: the user's roles,
// admin flag, memberships and units as the Principal holds them.
//
// Correctness rests on three rules:
//   - every change this Service makes that could change a Principal (a
//     user's roles, memberships, admin flag, display name or password,
//     disabling a user, ending a session, revoking a key, any change to
//     the unit tree) drops the affected entries once its transaction has
//     committed, so in this process the change applies to the next request,
//     exactly as without the cache;
//   - disabling a user, changing or resetting a password end the user's
//     sessions, which every process sees at once through the session read;
//   - an entry lives at most the TTL. That is the bound on how long another
//     server process sharing the store (whose cache cannot see this one's
//     drops) may still act on a user's old roles, memberships or units, or
//     accept an API key whose owner was disabled: at most PrincipalTTL.
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

// put stores e under k, until now + TTL, unless something was dropped
// since begin returned epoch.
func (c *principalCache) put(k string, epoch uint64, now time.Time, e cachedPrincipal) {
	if c.ttl <= 0 {
		return
	}
	e.until = now.Add(c.ttl)
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
