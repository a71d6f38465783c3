package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
)

func TestAPIKeyLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := e.unit("store", "徐家汇店", "S002", "")
	pos := e.createUser("pos-s002", auth.Membership{UnitID: store.ID, Position: "store_clerk"})

	key, token, err := e.svc.CreateAPIKey(e.ctx, e.admin, auth.APIKeyInput{
		Name: "POS 徐家汇", OwnerID: pos.ID, Apps: []string{"crm"}, Actions: []string{"crm/checkout"},
	})
	must(t, err)
	prefix := "tgk_" + key.ID + "_"
	if !strings.HasPrefix(token, prefix) || len(token) != len(prefix)+43 {
		t.Fatalf("token %q", token)
	}
	secret := strings.TrimPrefix(token, prefix)
	if strings.Contains(e.dumpAll(), secret) {
		t.Fatal("the key secret is stored in plain text")
	}
	if key.LastUsedAt != nil || key.RevokedAt != nil || key.CreatedBy != e.admin.Principal.UserID {
		t.Fatalf("new key %+v", key)
	}

	p, err := e.svc.Authenticate(e.ctx, token)
	must(t, err)
	if p.UserID != pos.ID || p.APIKey == nil || p.APIKey.ID != key.ID || p.Actor() != "apikey:"+key.ID {
		t.Fatalf("principal %+v", p)
	}
	if len(p.UnitSubtree) != 1 || p.UnitSubtree[0] != store.ID {
		t.Fatalf("key principal lost the owner's units: %+v", p)
	}
	if !p.APIKey.AllowsAction("crm", "checkout") || p.APIKey.AllowsAction("crm", "refund") || p.APIKey.AllowsApp("hr") {
		t.Fatal("scope checks wrong")
	}
	wantCode(t, p.CheckCSRF("anything"), "auth.csrf") // keys have no CSRF token: they are never cookies

	// Last use: written at first use, then at most once a minute.
	used := func() time.Time {
		k, err := e.svc.GetAPIKey(e.ctx, key.ID)
		must(t, err)
		if k.LastUsedAt == nil {
			t.Fatal("lastUsedAt not set")
		}
		return *k.LastUsedAt
	}
	t0 := used()
	if !t0.Equal(e.clk.Now()) {
		t.Fatalf("lastUsedAt %v, now %v", t0, e.clk.Now())
	}
	e.clk.Add(59 * time.Second)
	_, err = e.svc.Authenticate(e.ctx, token)
	must(t, err)
	if !used().Equal(t0) {
		t.Fatal("lastUsedAt written again within a minute")
	}
	e.clk.Add(2 * time.Second)
	_, err = e.svc.Authenticate(e.ctx, token)
	must(t, err)
	if !used().Equal(e.clk.Now()) {
		t.Fatal("lastUsedAt not refreshed after a minute")
	}

	// A wrong secret for a real id.
	_, err = e.svc.Authenticate(e.ctx, prefix+strings.Repeat("A", 43))
	wantCode(t, err, "auth.unauthenticated")

	must(t, e.svc.RevokeAPIKey(e.ctx, e.admin, key.ID))
	_, err = e.svc.Authenticate(e.ctx, token)
	wantCode(t, err, "auth.unauthenticated")
	must(t, e.svc.RevokeAPIKey(e.ctx, e.admin, key.ID)) // idempotent
	wantCode(t, e.svc.RevokeAPIKey(e.ctx, e.admin, "nokey"), "auth.apikey_not_found")

	keys, err := e.svc.ListAPIKeys(e.ctx, e.admin)
	must(t, err)
	if len(keys) != 1 || keys[0].RevokedAt == nil {
		t.Fatalf("list %+v", keys)
	}
	for _, action := range []string{"apikey.create", "apikey.revoke"} {
		if n := len(e.audit(`{"action":"` + action + `","target":"apikey:` + key.ID + `"}`)); n != 1 {
			t.Fatalf("%s audited %d times", action, n)
		}
	}
}

func TestAPIKeyExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	exp := e.clk.Now().Add(time.Hour)
	_, token, err := e.svc.CreateAPIKey(e.ctx, e.admin, auth.APIKeyInput{Name: "erp", Apps: []string{"crm"}, ExpiresAt: &exp})
	must(t, err)
	if _, err := e.svc.Authenticate(e.ctx, token); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Hour)
	_, err = e.svc.Authenticate(e.ctx, token)
	wantCode(t, err, "auth.unauthenticated")
}

func TestAPIKeyValidationAndPermission(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	past := e.clk.Now().Add(-time.Minute)
	_, _, err := e.svc.CreateAPIKey(e.ctx, e.admin, auth.APIKeyInput{
		Name: " ", OwnerID: "ghost", Actions: []string{"crm/checkout", "bad action", "*"}, ExpiresAt: &past,
	})
	ve, ok := errs.As(err)
	if !ok || ve.Class != errs.Unprocessable {
		t.Fatalf("got %v", err)
	}
	paths := map[string]bool{}
	for _, f := range ve.Fields {
		paths[f.Path] = true
	}
	for _, p := range []string{"name", "apps", "actions[0]", "actions[1]", "expiresAt", "ownerId"} {
		if !paths[p] {
			t.Errorf("no field error at %s (have %v)", p, ve.Fields)
		}
	}
	if paths["actions[2]"] {
		t.Error(`"*" refused`)
	}

	e.createUser("plain")
	p := e.login("plain", userPassword).Principal
	_, _, err = e.svc.CreateAPIKey(e.ctx, auth.Caller{Principal: p}, auth.APIKeyInput{Name: "x", Apps: []string{"crm"}})
	wantCode(t, err, "auth.forbidden")

	// A key cannot manage identity, even one owned by an admin.
	_, token, err := e.svc.CreateAPIKey(e.ctx, e.admin, auth.APIKeyInput{Name: "ops", Apps: []string{"crm"}, Actions: []string{"*"}})
	must(t, err)
	kp, err := e.svc.Authenticate(e.ctx, token)
	must(t, err)
	_, _, err = e.svc.CreateAPIKey(e.ctx, auth.Caller{Principal: kp}, auth.APIKeyInput{Name: "y", Apps: []string{"crm"}})
	wantCode(t, err, "auth.forbidden")
	if !kp.APIKey.AllowsAction("crm", "anything") {
		t.Fatal(`"*" does not allow every action of the key's apps`)
	}
}
