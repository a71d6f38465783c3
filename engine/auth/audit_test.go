package auth_test

import (
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/query"
)

// Every identity operation leaves an entry naming who, what and where.
func TestAuditEntriesForIdentityActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.unit("store", "店", "S1", "")
	hq := e.unit("hq", "总部", "HQ", "")
	must(t, e.svc.MoveUnit(e.ctx, e.admin, st.ID, hq.ID))
	u := e.createUser("audited", auth.Membership{UnitID: st.ID, Position: "store_clerk"})
	_, err := e.svc.UpdateUser(e.ctx, e.admin, u.ID, auth.UserPatch{
		DisplayName: ptr("审计"), Roles: &[]auth.RoleRef{{App: "crm", Role: "clerk"}},
		Memberships: &[]auth.Membership{{UnitID: hq.ID, Position: "hq_admin"}},
	})
	must(t, err)
	must(t, e.svc.ResetPassword(e.ctx, e.admin, u.ID, "N3w-Secret-Pass"))
	must(t, e.svc.SetDisabled(e.ctx, e.admin, u.ID, true))
	must(t, e.svc.SetDisabled(e.ctx, e.admin, u.ID, false))
	k, _, err := e.svc.CreateAPIKey(e.ctx, e.admin, auth.APIKeyInput{Name: "k", Apps: []string{"crm"}})
	must(t, err)
	must(t, e.svc.RevokeAPIKey(e.ctx, e.admin, k.ID))
	res := e.login("audited", "N3w-Secret-Pass")
	must(t, e.svc.ChangePassword(e.ctx, auth.Caller{Principal: res.Principal}, "N3w-Secret-Pass", "N3wer-Secret-Pass"))
	_, _ = e.svc.Login(e.ctx, auth.LoginInput{Username: "audited", Password: "nope"})
	must(t, e.svc.Logout(e.ctx, auth.Caller{Principal: res.Principal}))

	for _, c := range []struct{ action, target, actor string }{
		{"org.unit_create", "unit:" + st.ID, e.admin.Principal.UserID},
		{"org.unit_move", "unit:" + st.ID, e.admin.Principal.UserID},
		{"user.create", "user:" + u.ID, e.admin.Principal.UserID},
		{"user.update", "user:" + u.ID, e.admin.Principal.UserID},
		{"user.roles_change", "user:" + u.ID, e.admin.Principal.UserID},
		{"user.memberships_change", "user:" + u.ID, e.admin.Principal.UserID},
		{"user.password_reset", "user:" + u.ID, e.admin.Principal.UserID},
		{"user.disable", "user:" + u.ID, e.admin.Principal.UserID},
		{"user.enable", "user:" + u.ID, e.admin.Principal.UserID},
		{"apikey.create", "apikey:" + k.ID, e.admin.Principal.UserID},
		{"apikey.revoke", "apikey:" + k.ID, e.admin.Principal.UserID},
		{"auth.login", "user:" + u.ID, u.ID},
		{"user.password_change", "user:" + u.ID, u.ID},
		{"auth.login_failed", "user:" + u.ID, "anonymous"},
		{"auth.logout", "user:" + u.ID, u.ID},
		{"user.create", "user:" + e.admin.Principal.UserID, "system"}, // the bootstrap admin
	} {
		got := e.audit(`{"action":"` + c.action + `","target":"` + c.target + `"}`)
		if len(got) != 1 || got[0].Actor != c.actor {
			t.Errorf("%s %s: %+v", c.action, c.target, got)
			continue
		}
		if c.actor == e.admin.Principal.UserID && (got[0].IP != "10.0.0.1" || got[0].RequestID != "req-admin" || got[0].ActorName != "admin") {
			t.Errorf("%s: caller details missing: %+v", c.action, got[0])
		}
	}
	roles := e.audit(`{"action":"user.roles_change"}`)[0]
	if roles.Details["afterRoles"] == nil || roles.Details["beforeVersion"] == nil {
		t.Errorf("roles change details %+v", roles.Details)
	}
}

func TestAuditQueryFiltersAndPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := e.clk.Now()
	for i := 0; i < 7; i++ {
		e.clk.Add(time.Second)
		must(t, e.svc.Audit.Record(e.ctx, auth.Entry{Actor: "system", Action: "test.tick", App: "crm",
			Target: "sales/" + string(rune('a'+i)), Details: map[string]any{"rows": i}}))
	}
	must(t, e.svc.Audit.Record(e.ctx, auth.Entry{Actor: "system", Action: "test.other"}))

	// Page through the ticks, three at a time, newest first.
	f, err := query.ParseFilter([]byte(`{"action":"test.tick","at":{"$gt":"`+query.FormatTime(start)+`"}}`),
		auth.AuditFields(), query.Options{})
	must(t, err)
	var targets []string
	cursor := ""
	pages := 0
	for {
		page, err := e.svc.Audit.Query(e.ctx, auth.AuditQuery{Filter: f, Limit: 3, Cursor: cursor})
		must(t, err)
		pages++
		for _, en := range page.Entries {
			targets = append(targets, en.Target)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if pages != 3 || len(targets) != 7 || targets[0] != "sales/g" || targets[6] != "sales/a" {
		t.Fatalf("%d pages: %v", pages, targets)
	}
	got := e.audit(`{"target":{"$startsWith":"sales/"},"app":"crm"}`)
	if len(got) != 7 || got[0].At.Sub(start) != 7*time.Second || got[0].Details["rows"] == nil {
		t.Fatalf("entries %+v", got)
	}
	if _, err := query.ParseFilter([]byte(`{"details.rows":1}`), auth.AuditFields(), query.Options{}); err == nil {
		t.Fatal("details are not filterable; the parser must refuse them")
	}
	_, err = e.svc.Audit.Query(e.ctx, auth.AuditQuery{Cursor: "not-a-cursor"})
	wantCode(t, err, "query.cursor")
}
