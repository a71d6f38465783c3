package auth_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
)

func TestLockoutAndUnlock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.LoginPerUser = 100 })
	u := e.createUser("cashier")
	bad := auth.LoginInput{Username: "cashier", Password: "Wrong-Passw0rd"}
	good := auth.LoginInput{Username: "cashier", Password: userPassword}

	for i := 1; i <= 4; i++ {
		_, err := e.svc.Login(e.ctx, bad)
		wantCode(t, err, "auth.invalid_credentials")
		if n := fmt.Sprint(e.userDoc(u.ID)["failedLogins"]); n != fmt.Sprint(i) {
			t.Fatalf("after %d failures the count is %s", i, n)
		}
	}
	// A success resets the series.
	e.login("cashier", userPassword)
	if n := fmt.Sprint(e.userDoc(u.ID)["failedLogins"]); n != "0" {
		t.Fatalf("success did not reset the count: %s", n)
	}
	for i := 0; i < 5; i++ {
		_, _ = e.svc.Login(e.ctx, bad)
	}
	got, err := e.svc.GetUser(e.ctx, u.ID)
	must(t, err)
	if got.LockedUntil == nil || !got.LockedUntil.Equal(e.clk.Now().Add(15*time.Minute)) {
		t.Fatalf("lockedUntil %v", got.LockedUntil)
	}
	_, err = e.svc.Login(e.ctx, good)
	wantCode(t, err, "auth.invalid_credentials")

	e.clk.Add(14*time.Minute + 59*time.Second)
	_, err = e.svc.Login(e.ctx, good)
	wantCode(t, err, "auth.invalid_credentials")

	e.clk.Add(time.Second)
	e.login("cashier", userPassword)
	if locks := e.audit(`{"action":"auth.lockout"}`); len(locks) != 1 || locks[0].Target != "user:"+u.ID {
		t.Fatalf("lockout audit %+v", locks)
	}
}

// Twenty concurrent wrong passwords lock the account exactly once.
func TestConcurrentFailuresLockOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.LoginPerUser = 1000 })
	u := e.createUser("busy")
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.Login(e.ctx, auth.LoginInput{Username: "busy", Password: "Wrong-Passw0rd"})
			if !isErr(err, auth.ErrInvalidCredentials) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if locks := e.audit(`{"action":"auth.lockout"}`); len(locks) != 1 {
		t.Fatalf("locked %d times", len(locks))
	}
	got, err := e.svc.GetUser(e.ctx, u.ID)
	must(t, err)
	if got.LockedUntil == nil {
		t.Fatal("not locked")
	}
	if n := fmt.Sprint(e.userDoc(u.ID)["failedLogins"]); n != "0" {
		t.Fatalf("count left at %s while locked", n)
	}
}

// Concurrent failures below the threshold are all counted.
func TestConcurrentFailuresBelowThresholdAllCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *auth.Config) { c.MaxFailures = 50; c.LoginPerUser = 1000 })
	u := e.createUser("counted")
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = e.svc.Login(e.ctx, auth.LoginInput{Username: "counted", Password: "Wrong-Passw0rd"})
		}()
	}
	wg.Wait()
	if n := fmt.Sprint(e.userDoc(u.ID)["failedLogins"]); n != "20" {
		t.Fatalf("20 concurrent failures counted as %s", n)
	}
	if got, _ := e.svc.GetUser(e.ctx, u.ID); got.LockedUntil != nil {
		t.Fatal("locked below the threshold")
	}
}
