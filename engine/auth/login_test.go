package auth_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
)

func TestLoginSuccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := e.unit("store", "南京西路店", "S001", "")
	u := e.createUser("clerk1", auth.Membership{UnitID: store.ID, Position: "store_clerk"})

	res, err := e.svc.Login(e.ctx, auth.LoginInput{Username: "  Clerk1 ", Password: userPassword, IP: "10.1.1.1", RequestID: "r1"})
	must(t, err)
	if !strings.HasPrefix(res.Token, auth.SessionPrefix) || len(res.Token) != 47 || len(res.CSRFToken) != 43 {
		t.Fatalf("token %q csrf %q", res.Token, res.CSRFToken)
	}
	if want := e.clk.Now().Add(7 * 24 * time.Hour); !res.ExpiresAt.Equal(want) {
		t.Fatalf("expires %v, want %v", res.ExpiresAt, want)
	}
	p := res.Principal
	if p.UserID != u.ID || p.Username != "clerk1" || p.Admin || len(p.Units) != 1 || p.Units[0] != store.ID {
		t.Fatalf("principal %+v", p)
	}
	got, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	if got.UserID != u.ID || got.SessionID != p.SessionID {
		t.Fatalf("authenticated as %+v", got)
	}
	must(t, got.CheckCSRF(res.CSRFToken))
	wantCode(t, got.CheckCSRF("nope"), "auth.csrf")
	wantCode(t, got.CheckCSRF(""), "auth.csrf")

	logins := e.audit(`{"action":"auth.login","target":"user:` + u.ID + `"}`)
	if len(logins) != 1 || logins[0].Actor != u.ID || logins[0].IP != "10.1.1.1" || logins[0].RequestID != "r1" {
		t.Fatalf("login audit %+v", logins)
	}
	if ll := e.userDoc(u.ID)["lastLoginAt"]; ll == nil {
		t.Fatal("lastLoginAt not stored")
	}
}

// Wrong password, unknown user, locked and disabled account must be
// indistinguishable: same error value, same message, same status.
func TestLoginFailuresLookTheSame(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("wrongpw")
	e.createUser("locked")
	dis := e.createUser("disabled")
	must(t, e.svc.SetDisabled(e.ctx, e.admin, dis.ID, true))
	for i := 0; i < 5; i++ {
		_, _ = e.svc.Login(e.ctx, auth.LoginInput{Username: "locked", Password: "bad-guess"})
	}

	var texts []string
	for _, in := range []auth.LoginInput{
		{Username: "wrongpw", Password: "Not-The-Passw0rd"},
		{Username: "nobody", Password: userPassword},
		{Username: "locked", Password: userPassword}, // right password, but locked
		{Username: "disabled", Password: userPassword},
	} {
		_, err := e.svc.Login(e.ctx, in)
		if !isErr(err, auth.ErrInvalidCredentials) || errs.ClassOf(err) != errs.Unauthorized {
			t.Fatalf("%s: got %v", in.Username, err)
		}
		texts = append(texts, err.Error())
	}
	for _, s := range texts[1:] {
		if s != texts[0] {
			t.Fatalf("errors differ: %q", texts)
		}
	}
	reasons := map[string]bool{}
	for _, en := range e.audit(`{"action":"auth.login_failed"}`) {
		reasons[fmt.Sprint(en.Details["reason"])] = true
	}
	for _, r := range []string{"wrong_password", "unknown_user", "locked", "disabled"} {
		if !reasons[r] {
			t.Errorf("no login_failed audit entry with reason %s (have %v)", r, reasons)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.LoginPerUser = 3; c.LoginPerIP = 5 })
	e.createUser("target")
	try := func(user, ip string) error {
		_, err := e.svc.Login(e.ctx, auth.LoginInput{Username: user, Password: "Wrong-Passw0rd", IP: ip})
		return err
	}
	for i := 0; i < 3; i++ {
		wantCode(t, try("target", fmt.Sprintf("10.9.0.%d", i)), "auth.invalid_credentials")
	}
	err := try("target", "10.9.0.99")
	wantCode(t, err, "auth.rate_limited")
	if errs.ClassOf(err) != errs.TooMany {
		t.Fatalf("class %v", errs.ClassOf(err))
	}
	// Per IP: one address spraying usernames.
	for i := 0; i < 5; i++ {
		wantCode(t, try(fmt.Sprintf("u%d", i), "10.8.0.1"), "auth.invalid_credentials")
	}
	wantCode(t, try("u9", "10.8.0.1"), "auth.rate_limited")
	wantCode(t, try("u9", "10.8.0.1"), "auth.rate_limited")
	if n := len(e.audit(`{"action":"auth.login_rate_limited"}`)); n != 2 {
		t.Fatalf("want one audit entry per tripped limit, got %d", n)
	}
	// A new window.
	e.clk.Add(time.Minute)
	wantCode(t, try("u9", "10.8.0.1"), "auth.invalid_credentials")
	// Rate-limited attempts do not count toward the lockout.
	if n := e.userDoc(findUser(t, e, "target"))["failedLogins"]; fmt.Sprint(n) != "3" {
		t.Fatalf("failedLogins %v", n)
	}
}

func findUser(t *testing.T, e *env, username string) string {
	t.Helper()
	page, err := e.svc.ListUsers(e.ctx, e.admin, auth.UserList{Limit: auth.MaxPageSize})
	must(t, err)
	for _, u := range page.Users {
		if u.Username == username {
			return u.ID
		}
	}
	t.Fatalf("no user %s", username)
	return ""
}
