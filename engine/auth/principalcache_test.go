package auth_test

import (
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/store"
)

// cacheEnv is a user with a session and an API key whose Principals are
// cached (each authenticated once), plus a second Service over the same
// store (another server process) that cached them too.
type cacheEnv struct {
	*env
	other   *auth.Service
	user    *auth.User
	session *auth.LoginResult
	key     string
}

func newCacheEnv(t *testing.T) *cacheEnv {
	t.Helper()
	e := newEnv(t)
	other := auth.New(e.st, auth.Config{Now: e.clk.Now, Hash: fastHash})
	must(t, other.Init(e.ctx))
	unit := e.unit("store", "静安店", "S010", "")
	u := e.createUser("cached", auth.Membership{UnitID: unit.ID, Position: "store_clerk"})
	_, key, err := e.svc.CreateAPIKey(e.ctx, e.admin, auth.APIKeyInput{Name: "pos", OwnerID: u.ID, Apps: []string{"crm"}})
	must(t, err)
	c := &cacheEnv{env: e, other: other, user: u, session: e.login("cached", userPassword), key: key}
	for _, s := range []*auth.Service{e.svc, other} {
		for _, tok := range []string{c.session.Token, key} {
			p1, err := s.Authenticate(e.ctx, tok)
			must(t, err)
			// The cache is on: a second call within the TTL returns the
			// very same Principal without reading the store.
			if p2, err := s.Authenticate(e.ctx, tok); err != nil || p2 != p1 {
				t.Fatalf("second Authenticate: %p %p %v", p1, p2, err)
			}
		}
	}
	return c
}

// refused asserts that svc refuses token now.
func (c *cacheEnv) refused(svc *auth.Service, token string) {
	c.t.Helper()
	_, err := svc.Authenticate(c.ctx, token)
	wantCode(c.t, err, "auth.unauthenticated")
}

// accepted returns svc's Principal for token.
func (c *cacheEnv) accepted(svc *auth.Service, token string) *auth.Principal {
	c.t.Helper()
	p, err := svc.Authenticate(c.ctx, token)
	must(c.t, err)
	return p
}

// acrossProcesses asserts the documented bound for the other Service: it
// may accept the tokens (from its cache) until the TTL passes, and applies
// check to each after.
func (c *cacheEnv) acrossProcesses(check func(p *auth.Principal, err error), tokens ...string) {
	c.t.Helper()
	c.clk.Add(auth.DefaultPrincipalTTL - time.Millisecond)
	for _, tok := range tokens {
		if _, err := c.other.Authenticate(c.ctx, tok); err != nil {
			c.t.Fatalf("within the TTL the other process still serves its cached Principal: %v", err)
		}
	}
	c.clk.Add(time.Millisecond)
	for _, tok := range tokens {
		p, err := c.other.Authenticate(c.ctx, tok)
		check(p, err)
	}
}

func refusedCheck(t *testing.T) func(*auth.Principal, error) {
	return func(_ *auth.Principal, err error) { t.Helper(); wantCode(t, err, "auth.unauthenticated") }
}

// refusedEverywhere asserts that both Services refuse the tokens at once:
// the session or key document, read on every request, says so.
func (c *cacheEnv) refusedEverywhere(tokens ...string) {
	c.t.Helper()
	for _, tok := range tokens {
		c.refused(c.svc, tok)
		c.refused(c.other, tok)
	}
}

func TestPrincipalCacheDisabledUser(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	must(t, c.svc.SetDisabled(c.ctx, c.admin, c.user.ID, true))
	// Disabling ends the sessions: refused in both processes at once.
	c.refusedEverywhere(c.session.Token)
	// The key document is unchanged: this process dropped its cached
	// owner and refuses at once; the other refuses within the TTL.
	c.refused(c.svc, c.key)
	c.acrossProcesses(refusedCheck(t), c.key)
}

func TestPrincipalCachePasswordChange(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	second := c.login("cached", userPassword)
	c.accepted(c.svc, second.Token)
	c.accepted(c.other, second.Token)
	caller := auth.Caller{Principal: c.session.Principal}
	must(t, c.svc.ChangePassword(c.ctx, caller, userPassword, "N3w-Secret-Passw0rd"))
	// The other session ends at once, everywhere; the one that changed it
	// stays.
	c.refusedEverywhere(second.Token)
	c.accepted(c.svc, c.session.Token)
	c.accepted(c.other, c.session.Token)
}

func TestPrincipalCachePasswordReset(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	must(t, c.svc.ResetPassword(c.ctx, c.admin, c.user.ID, "R3set-Secret-Passw0rd"))
	c.refusedEverywhere(c.session.Token)
}

func TestPrincipalCacheRoleChange(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	roles := []auth.RoleRef{{App: "crm", Role: "manager"}}
	admin := true
	_, err := c.svc.UpdateUser(c.ctx, c.admin, c.user.ID, auth.UserPatch{Roles: &roles, Admin: &admin})
	must(t, err)
	for _, tok := range []string{c.session.Token, c.key} {
		if p := c.accepted(c.svc, tok); len(p.Roles) != 1 || p.Roles[0] != roles[0] || !p.Admin {
			t.Fatalf("roles not applied at once: %+v", p)
		}
	}
	c.acrossProcesses(func(p *auth.Principal, err error) {
		must(t, err)
		if len(p.Roles) != 1 || !p.Admin {
			t.Fatalf("other process after the TTL: %+v", p)
		}
	}, c.session.Token)
}

func TestPrincipalCacheLogout(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	must(t, c.svc.Logout(c.ctx, auth.Caller{Principal: c.session.Principal}))
	c.refusedEverywhere(c.session.Token)
	c.accepted(c.svc, c.key) // the key is not a session
}

func TestPrincipalCacheKeyRevoked(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	id := c.accepted(c.svc, c.key).APIKey.ID
	must(t, c.svc.RevokeAPIKey(c.ctx, c.admin, id))
	c.refusedEverywhere(c.key)
	c.accepted(c.svc, c.session.Token) // the owner's session is not the key
}

// A session aged or removed in the store by anyone (here directly, as
// another process or an operator would) is refused at once.
func TestPrincipalCacheSessionChangedInStore(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	id := c.session.Principal.SessionID
	_, err := c.st.Update(c.ctx, auth.CollSessions, id, store.Patch{Set: map[string]any{"expiresAt": "2000-01-01T00:00:00.000Z"}}, nil)
	must(t, err)
	c.refusedEverywhere(c.session.Token)
}

func TestPrincipalCacheOrgChange(t *testing.T) {
	t.Parallel()
	c := newCacheEnv(t)
	unit := c.accepted(c.svc, c.session.Token).Units[0]
	child := c.unit("store", "静安店二部", "S011", unit)
	if p := c.accepted(c.svc, c.session.Token); !sameSet(p.UnitSubtree, unit, child.ID) {
		t.Fatalf("new sub-unit not in the cached subtree at once: %v", p.UnitSubtree)
	}
	c.acrossProcesses(func(p *auth.Principal, err error) {
		must(t, err)
		if !sameSet(p.UnitSubtree, unit, child.ID) {
			t.Fatalf("other process after the TTL: %v", p.UnitSubtree)
		}
	}, c.session.Token)
}

// A cached Principal never outlives its session's idle end, even when the
// TTL is longer than the time left: the session is read every time.
func TestPrincipalCacheBoundedBySessionEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) {
		c.PrincipalTTL = time.Hour
		c.SessionIdle = 30 * time.Minute
	})
	e.createUser("idle")
	res := e.login("idle", userPassword)
	_, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	e.clk.Add(30 * time.Minute)
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	wantCode(t, err, "auth.unauthenticated")
}

// A negative TTL turns the cache off: every call reads the store.
func TestPrincipalCacheOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.PrincipalTTL = -1 })
	e.createUser("nocache")
	res := e.login("nocache", userPassword)
	p1, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	p2, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	if p1 == p2 {
		t.Fatal("cache off, yet the same Principal was returned")
	}
}
