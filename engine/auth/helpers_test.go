package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// fastHash keeps service tests quick; password_test.go covers the real
// parameters.
var fastHash = auth.HashParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// adminPassword and userPassword pass the policy.
const (
	adminPassword = "Adm1n-Secret-Pass"
	userPassword  = "Cl3rk-Secret-Pass"
)

// clock is a settable clock for the service.
type clock = testkit.Clock

type env struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	svc   *auth.Service
	clk   *clock
	admin auth.Caller
}

// newEnv opens a fresh SQLite store, starts the service on a fake clock and
// signs in the bootstrap admin.
func newEnv(t *testing.T, tune ...func(*auth.Config)) *env {
	t.Helper()
	ctx := context.Background()
	st := testkit.Open(t, testkit.SQLiteURI(t, "t.db"))
	clk := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	cfg := auth.Config{Now: clk.Now, Hash: fastHash}
	for _, f := range tune {
		f(&cfg)
	}
	svc := auth.New(st, cfg)
	if err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	created, _, err := svc.EnsureAdmin(ctx, adminPassword)
	if err != nil || !created {
		t.Fatalf("EnsureAdmin: %v %v", created, err)
	}
	e := &env{t: t, ctx: ctx, st: st, svc: svc, clk: clk}
	res := e.login("admin", adminPassword)
	e.admin = auth.Caller{Principal: res.Principal, IP: "10.0.0.1", RequestID: "req-admin"}
	return e
}

func (e *env) login(username, password string) *auth.LoginResult {
	e.t.Helper()
	res, err := e.svc.Login(e.ctx, auth.LoginInput{Username: username, Password: password, IP: "10.0.0.9"})
	if err != nil {
		e.t.Fatalf("login %s: %v", username, err)
	}
	return res
}

func (e *env) createUser(username string, ms ...auth.Membership) *auth.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.admin, auth.UserInput{
		Username: username, DisplayName: strings.ToUpper(username), Password: userPassword, Memberships: ms,
	})
	if err != nil {
		e.t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

func (e *env) unit(kind, name, code, parent string) *auth.Unit {
	e.t.Helper()
	u, err := e.svc.CreateUnit(e.ctx, e.admin, auth.UnitInput{Kind: kind, Name: name, Code: code, ParentID: parent})
	if err != nil {
		e.t.Fatalf("create unit %s: %v", code, err)
	}
	return u
}

// audit returns the entries matching a JSON filter, newest first.
func (e *env) audit(filter string) []auth.Entry {
	e.t.Helper()
	f, err := query.ParseFilter([]byte(filter), auth.AuditFields(), query.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	page, err := e.svc.Audit.Query(e.ctx, auth.AuditQuery{Filter: f, Limit: auth.MaxPageSize})
	if err != nil {
		e.t.Fatal(err)
	}
	return page.Entries
}

// userDoc reads the raw stored user.
func (e *env) userDoc(id string) store.Doc {
	e.t.Helper()
	d, err := e.st.Get(e.ctx, auth.CollUsers, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

// dumpAll renders every document of the package's collections as JSON, to
// look for secrets that must never be stored.
func (e *env) dumpAll() string {
	e.t.Helper()
	var b strings.Builder
	for _, coll := range []string{auth.CollUsers, auth.CollSessions, auth.CollAPIKeys, auth.CollAudit,
		auth.CollUnits, auth.CollUnitKinds, auth.CollPositions} {
		docs, err := e.st.Find(e.ctx, coll, store.Query{Limit: store.MaxLimit})
		if err != nil {
			e.t.Fatal(err)
		}
		raw, _ := json.Marshal(docs)
		b.Write(raw)
	}
	return b.String()
}

// wantCode fails unless err carries code.
var wantCode = testkit.WantCode

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func isErr(err, target error) bool { return errors.Is(err, target) }
