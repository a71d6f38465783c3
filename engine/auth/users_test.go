package auth_test

import (
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

func TestCreateUserCollectsEveryProblem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.unit("store", "店", "S1", "")
	_, err := e.svc.CreateUser(e.ctx, e.admin, auth.UserInput{
		Username: "x", Password: "short",
		Memberships: []auth.Membership{{UnitID: "nounit", Position: "store_clerk"}, {UnitID: st.ID, Position: "king"}},
		Roles:       []auth.RoleRef{{App: "crm"}},
	})
	ve, ok := errs.As(err)
	if !ok || ve.Class != errs.Unprocessable {
		t.Fatalf("got %v", err)
	}
	paths := map[string]bool{}
	for _, f := range ve.Fields {
		paths[f.Path] = true
	}
	for _, p := range []string{"username", "password", "memberships[0].unitId", "memberships[1].position", "roles[0]"} {
		if !paths[p] {
			t.Errorf("no error at %s: %v", p, ve.Fields)
		}
	}

	_, err = e.svc.CreateUser(e.ctx, e.admin, auth.UserInput{Username: "Admin", Password: userPassword})
	wantCode(t, err, "auth.user_exists")
	if errs.ClassOf(err) != errs.Conflict {
		t.Fatal(err)
	}
	_, err = e.svc.CreateUser(e.ctx, e.admin, auth.UserInput{Username: "weak", Password: "weak"})
	wantCode(t, err, "auth.weak_password")
	if strings.Contains(e.dumpAll(), userPassword) {
		t.Fatal("a password is stored in plain text")
	}
}

func TestUserPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("self")
	other := e.createUser("other")
	me := auth.Caller{Principal: e.login("self", userPassword).Principal}

	got, err := e.svc.UpdateUser(e.ctx, me, u.ID, auth.UserPatch{DisplayName: ptr("自己")})
	must(t, err)
	if got.DisplayName != "自己" || got.Version != 2 {
		t.Fatalf("%+v", got)
	}
	_, err = e.svc.UpdateUser(e.ctx, me, u.ID, auth.UserPatch{Admin: ptr(true)})
	wantCode(t, err, "auth.forbidden")
	_, err = e.svc.UpdateUser(e.ctx, me, other.ID, auth.UserPatch{DisplayName: ptr("x")})
	wantCode(t, err, "auth.forbidden")
	_, err = e.svc.CreateUser(e.ctx, me, auth.UserInput{Username: "new", Password: userPassword})
	wantCode(t, err, "auth.forbidden")
	wantCode(t, e.svc.ResetPassword(e.ctx, me, other.ID, "Whatever-Pass-1"), "auth.forbidden")
	wantCode(t, e.svc.SetDisabled(e.ctx, me, other.ID, true), "auth.forbidden")
	wantCode(t, e.svc.SetDisabled(e.ctx, e.admin, e.admin.Principal.UserID, true), "auth.disable_self")
	_, err = e.svc.ListUsers(e.ctx, me, auth.UserList{})
	wantCode(t, err, "auth.forbidden")
	_, err = e.svc.CreateUser(e.ctx, auth.Caller{}, auth.UserInput{Username: "new", Password: userPassword})
	wantCode(t, err, "auth.unauthenticated")

	// Admin grants roles and the admin flag; the principal reflects it at
	// the next request, without signing in again.
	res := e.login("other", userPassword)
	_, err = e.svc.UpdateUser(e.ctx, e.admin, other.ID, auth.UserPatch{Admin: ptr(true),
		Roles: &[]auth.RoleRef{{App: "crm", Role: "hq_marketing"}}})
	must(t, err)
	p, err := e.svc.Authenticate(e.ctx, res.Token)
	must(t, err)
	if !p.Admin || len(p.Roles) != 1 || p.Roles[0].Role != "hq_marketing" {
		t.Fatalf("principal %+v", p)
	}
}

func TestPasswordChangeAndReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("pw")
	cur := e.login("pw", userPassword)
	otherSession := e.login("pw", userPassword)
	me := auth.Caller{Principal: cur.Principal}

	err := e.svc.ChangePassword(e.ctx, me, "Wrong-Passw0rd", "N3w-Secret-Pass")
	wantCode(t, err, "auth.wrong_password")
	if ve, _ := errs.As(err); len(ve.Fields) != 1 || ve.Fields[0].Path != "oldPassword" {
		t.Fatalf("%v", err)
	}
	wantCode(t, e.svc.ChangePassword(e.ctx, me, userPassword, "pw"), "auth.weak_password")
	must(t, e.svc.ChangePassword(e.ctx, me, userPassword, "N3w-Secret-Pass"))
	if _, err := e.svc.Authenticate(e.ctx, cur.Token); err != nil {
		t.Fatalf("current session ended by own password change: %v", err)
	}
	_, err = e.svc.Authenticate(e.ctx, otherSession.Token)
	wantCode(t, err, "auth.unauthenticated")
	_, err = e.svc.Login(e.ctx, auth.LoginInput{Username: "pw", Password: userPassword})
	wantCode(t, err, "auth.invalid_credentials")

	// Reset by an admin: ends every session, clears a lockout.
	for i := 0; i < 5; i++ {
		_, _ = e.svc.Login(e.ctx, auth.LoginInput{Username: "pw", Password: "bad"})
	}
	wantCode(t, e.svc.ResetPassword(e.ctx, e.admin, u.ID, "pw"), "auth.weak_password")
	must(t, e.svc.ResetPassword(e.ctx, e.admin, u.ID, "R3set-Secret-Pass"))
	_, err = e.svc.Authenticate(e.ctx, cur.Token)
	wantCode(t, err, "auth.unauthenticated")
	e.login("pw", "R3set-Secret-Pass")
}

func TestListUsersFilterAndPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.unit("store", "店", "S1", "")
	for _, n := range []string{"u1", "u2", "u3", "u4"} {
		e.createUser(n, auth.Membership{UnitID: st.ID, Position: "store_clerk"})
	}
	f, err := query.ParseFilter([]byte(`{"unitIds":"`+st.ID+`"}`), auth.UserFields(), query.Options{})
	must(t, err)
	var names []string
	cursor := ""
	for {
		page, err := e.svc.ListUsers(e.ctx, e.admin, auth.UserList{Filter: f, Limit: 3, Cursor: cursor})
		must(t, err)
		for _, u := range page.Users {
			names = append(names, u.Username)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if strings.Join(names, ",") != "u1,u2,u3,u4" {
		t.Fatalf("%v", names)
	}
}
