package auth_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
)

func TestSessionStoredByHashOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("hashy")
	res := e.login("hashy", userPassword)
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(res.Token, auth.SessionPrefix))
	must(t, err)
	sum := sha256.Sum256(raw)
	id := hex.EncodeToString(sum[:])
	if res.Principal.SessionID != id {
		t.Fatalf("session id %s, want SHA-256 of the token %s", res.Principal.SessionID, id)
	}
	if _, err := e.st.Get(e.ctx, auth.CollSessions, id); err != nil {
		t.Fatal(err)
	}
	dump := e.dumpAll()
	secret := strings.TrimPrefix(res.Token, auth.SessionPrefix)
	if strings.Contains(dump, secret) || strings.Contains(dump, res.CSRFToken) {
		t.Fatal("a session secret is stored in plain text")
	}
}

func TestSessionIdleAndAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("idler")

	// Idle: used within 12h keeps it alive; 12h without use ends it.
	res := e.login("idler", userPassword)
	e.clk.Add(11 * time.Hour)
	_, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	e.clk.Add(11 * time.Hour) // 22h after login, 11h after last use
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	e.clk.Add(12 * time.Hour)
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	wantCode(t, err, "auth.unauthenticated")
	// The expired session was removed: it stays refused.
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	wantCode(t, err, "auth.unauthenticated")

	// Absolute: used every 6h, it still ends 7 days after login.
	res = e.login("idler", userPassword)
	for elapsed := time.Duration(0); elapsed+6*time.Hour < 7*24*time.Hour; elapsed += 6 * time.Hour {
		e.clk.Add(6 * time.Hour)
		if _, err := e.svc.Authenticate(e.ctx, res.Token); err != nil {
			t.Fatalf("at %v: %v", elapsed+6*time.Hour, err)
		}
	}
	e.clk.Add(6 * time.Hour)
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	wantCode(t, err, "auth.unauthenticated")
}

func TestSessionLastSeenThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("seen")
	res := e.login("seen", userPassword)
	lastSeen := func() any {
		d, err := e.st.Get(e.ctx, auth.CollSessions, res.Principal.SessionID)
		must(t, err)
		return d["lastSeenAt"]
	}
	first := lastSeen()
	e.clk.Add(30 * time.Second)
	_, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	if lastSeen() != first {
		t.Fatal("lastSeenAt written twice within a minute")
	}
	e.clk.Add(31 * time.Second)
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	if lastSeen() == first {
		t.Fatal("lastSeenAt not refreshed after a minute")
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("leaver")
	res := e.login("leaver", userPassword)
	other := e.login("leaver", userPassword)
	p, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	must(t, e.svc.Logout(e.ctx, auth.Caller{Principal: p, IP: "10.0.0.5"}))
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	wantCode(t, err, "auth.unauthenticated")
	if _, err := e.svc.Authenticate(e.ctx, other.Token); err != nil {
		t.Fatalf("logout ended another session: %v", err)
	}
	must(t, e.svc.Logout(e.ctx, auth.Caller{Principal: p})) // twice is fine
	if n := len(e.audit(`{"action":"auth.logout","actor":"` + p.UserID + `"}`)); n != 1 {
		t.Fatalf("%d logout entries", n)
	}
}

func TestForgedTokensAreUnauthenticated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("victim")
	res := e.login("victim", userPassword)
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	flip := []byte(res.Token)
	if flip[10] == 'A' {
		flip[10] = 'B'
	} else {
		flip[10] = 'A'
	}
	for name, tok := range map[string]string{
		"empty":          "",
		"garbage":        "hello",
		"random session": auth.SessionPrefix + base64.RawURLEncoding.EncodeToString(random),
		"altered":        string(flip),
		"truncated":      res.Token[:len(res.Token)-1],
		"session id":     res.Principal.SessionID,
		"csrf as token":  auth.SessionPrefix + res.CSRFToken,
		"bad base64":     auth.SessionPrefix + strings.Repeat("*", 43),
		"random key":     "tgk_01jz0000000000000000_" + base64.RawURLEncoding.EncodeToString(random),
		"key no secret":  "tgk_01jz0000000000000000",
	} {
		_, err := e.svc.Authenticate(e.ctx, tok)
		wantCode(t, err, "auth.unauthenticated")
		if !isErr(err, auth.ErrUnauthenticated) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDisabledUserLosesSessionsAndKeysAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("leaving")
	res := e.login("leaving", userPassword)
	_, token, err := e.svc.CreateAPIKey(e.ctx, e.admin, auth.APIKeyInput{Name: "pos", OwnerID: u.ID, Apps: []string{"crm"}})
	must(t, err)
	if _, err := e.svc.Authenticate(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	must(t, e.svc.SetDisabled(e.ctx, e.admin, u.ID, true))
	for _, tok := range []string{res.Token, token} {
		_, err := e.svc.Authenticate(e.ctx, tok)
		wantCode(t, err, "auth.unauthenticated")
	}
	// Enabling again brings the key back but not the old session.
	must(t, e.svc.SetDisabled(e.ctx, e.admin, u.ID, false))
	_, err = e.svc.Authenticate(e.ctx, res.Token)
	wantCode(t, err, "auth.unauthenticated")
	if _, err := e.svc.Authenticate(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	if len(e.audit(`{"action":"user.disable","target":"user:`+u.ID+`"}`)) != 1 ||
		len(e.audit(`{"action":"user.enable","target":"user:`+u.ID+`"}`)) != 1 {
		t.Fatal("disable/enable not audited")
	}
}

func TestPurgeExpiredSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("purge")
	old := e.login("purge", userPassword)
	e.clk.Add(13 * time.Hour)
	fresh := e.login("purge", userPassword)
	n, err := e.svc.PurgeExpiredSessions(e.ctx)
	must(t, err)
	if n != 2 { // the admin's session from newEnv and old
		t.Fatalf("purged %d", n)
	}
	_, err = e.svc.Authenticate(e.ctx, old.Token)
	wantCode(t, err, "auth.unauthenticated")
	if _, err := e.svc.Authenticate(e.ctx, fresh.Token); err != nil {
		t.Fatal(err)
	}
}
