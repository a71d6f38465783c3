package api_test

import (
	"context"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/server/api/apitest"
)

// userWithRoles creates a user holding roles of app "crm" and signs in.
func userWithRoles(t *testing.T, h *apitest.Harness, name string, roles ...string) string {
	t.Helper()
	var refs []auth.RoleRef
	for _, r := range roles {
		refs = append(refs, auth.RoleRef{App: "crm", Role: r})
	}
	const pw = "Str0ng-Passw0rd!"
	if _, err := h.Auth.CreateUser(context.Background(), auth.System(), auth.UserInput{Username: name, Password: pw, Roles: refs}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return h.Login(name, pw)
}

func publishRole(t *testing.T, h *apitest.Harness, key string, perms []any) {
	t.Helper()
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/"+key, map[string]any{"spec": map[string]any{"title": key, "permissions": perms}}), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/role/"+key+"/publish", nil), 200, "")
}

// TestMetaPermissions: designers edit, readers read, nobody else sees, and
// role definitions are visible to designers only.
func TestMetaPermissions(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/member", formSpec("会员")), 201, "")
	h.Expect(h.Do("POST", "/api/apps/crm/meta/form/secret", formSpec("机密")), 201, "")
	publishRole(t, h, "designer", []any{map[string]any{"kind": "app", "key": "*", "actions": []any{"design"}}})
	publishRole(t, h, "clerk", []any{map[string]any{"kind": "form", "key": "member", "actions": []any{"read"}}})

	designer := h.As(userWithRoles(t, h, "designer1", "designer"))
	clerk := h.As(userWithRoles(t, h, "clerk1", "clerk"))
	nobody := h.As(userWithRoles(t, h, "nobody1"))
	anon := h.As("")

	anon.Expect(anon.Do("GET", "/api/apps", nil), 401, "auth.unauthenticated")
	anon.Expect(anon.Do("GET", "/api/apps/crm/meta/form/member", nil), 401, "")
	h.As("tgs_forged").Expect(h.As("tgs_forged").Do("GET", "/api/apps", nil), 401, "")

	// Designer: full design rights, sees roles.
	designer.Expect(designer.Do("PUT", "/api/apps/crm/meta/form/member", formSpec("会员2"), "If-Match: 1"), 200, "")
	designer.Expect(designer.Do("GET", "/api/apps/crm/meta/role/clerk", nil), 200, "")
	if apps := designer.Do("GET", "/api/apps", nil).JSON().([]any); len(apps) != 1 {
		t.Fatalf("designer apps: %v", apps)
	}
	// Clerk: reads the member form only; cannot edit; no roles; no export.
	clerk.Expect(clerk.Do("GET", "/api/apps/crm/meta/form/member", nil), 200, "")
	clerk.Expect(clerk.Do("GET", "/api/apps/crm/meta/form/secret", nil), 403, "access.forbidden")
	clerk.Expect(clerk.Do("PUT", "/api/apps/crm/meta/form/member", formSpec("x"), "If-Match: 2"), 403, "access.forbidden")
	clerk.Expect(clerk.Do("POST", "/api/apps/crm/meta/form/member/publish", nil), 403, "")
	clerk.Expect(clerk.Do("GET", "/api/apps/crm/meta/role/clerk", nil), 403, "")
	clerk.Expect(clerk.Do("GET", "/api/apps/crm/export", nil), 403, "")
	forms := clerk.Do("GET", "/api/apps/crm/meta/form", nil).JSON().([]any)
	if len(forms) != 1 || forms[0].(map[string]any)["key"] != "member" {
		t.Fatalf("clerk sees forms %v", forms)
	}
	// A user without roles sees no apps at all.
	if apps := nobody.Do("GET", "/api/apps", nil).JSON().([]any); len(apps) != 0 {
		t.Fatalf("nobody sees apps %v", apps)
	}
	nobody.Expect(nobody.Do("GET", "/api/apps/crm/meta/form/member", nil), 403, "")

	// Definition and role changes are audited with versions.
	page, err := h.Auth.Audit.Query(context.Background(), auth.AuditQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range page.Entries {
		seen[e.Action] = true
	}
	for _, a := range []string{"meta.create", "meta.save", "role.create", "role.publish", "auth.login"} {
		if !seen[a] {
			t.Errorf("no audit entry %s in %v", a, seen)
		}
	}
}
