package api_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/server/api/apitest"
)

// seedLedger posts through a ledger whose clock is two hours behind, so a
// lot that expires in one hour by that clock is already due for the server.
func seedLedger(t *testing.T, h *apitest.Harness) {
	t.Helper()
	ctx := context.Background()
	past := time.Now().Add(-2 * time.Hour)
	l := ledger.New(h.Store, ledger.Options{Now: func() time.Time { return past }})
	for _, p := range []ledger.Posting{
		{Owner: "m1", Kind: "points", Unit: ledger.UnitPoint, Amount: 100, Key: "r1:points", Type: "earn", Ref: "r1", ExpiresAt: past.Add(time.Hour)},
		{Owner: "m1", Kind: "points", Unit: ledger.UnitPoint, Amount: 40, Key: "r2:points", Type: "earn", Ref: "r2"},
		{Owner: "m1", Kind: "points", Unit: ledger.UnitPoint, Amount: -30, Key: "r3:points", Type: "redeem", Ref: "r3"},
		{Owner: "m1", Kind: "sv_principal", Unit: ledger.UnitFen, Amount: 10000, Key: "t1", Type: "topup", Ref: "t1"},
		{Owner: "m2", Kind: "points", Unit: ledger.UnitPoint, Amount: 5, Key: "r4:points", Type: "earn", Ref: "r4"},
	} {
		p.App = "crm"
		if _, err := l.PostTx(ctx, p); err != nil {
			t.Fatalf("post %+v: %v", p, err)
		}
	}
}

// TestLedgerHTTP: admins and unscoped app readers read accounts and
// entries; only designers of the app (and admins) reconcile and expire;
// everyone else is refused.
func TestLedgerHTTP(t *testing.T) {
	h := apitest.New(t)
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	seedLedger(t, h)
	publishRole(t, h, "auditor", []any{map[string]any{"kind": "app", "key": "crm", "actions": []any{"read"}}})
	publishRole(t, h, "scoped", []any{map[string]any{"kind": "app", "key": "crm", "actions": []any{"read"},
		"scope": map[string]any{"storeId": map[string]any{"$in": "$user.unitSubtree"}}}})
	publishRole(t, h, "designer", []any{map[string]any{"kind": "app", "key": "*", "actions": []any{"design"}}})
	publishRole(t, h, "clerk", []any{map[string]any{"kind": "form", "key": "members", "actions": []any{"read"}}})
	auditor := h.As(userWithRoles(t, h, "auditor1", "auditor"))
	scoped := h.As(userWithRoles(t, h, "scoped1", "scoped"))
	designer := h.As(userWithRoles(t, h, "designer1", "designer"))
	clerk := h.As(userWithRoles(t, h, "clerk1", "clerk"))
	anon := h.As("")

	const base = "/api/apps/crm/ledger"
	for _, tc := range []struct {
		name   string
		who    *apitest.Harness
		method string
		path   string
		status int
		code   string
	}{
		{"admin accounts", h, "GET", base + "/accounts?owner=m1", 200, ""},
		{"owner required", h, "GET", base + "/accounts", 400, "request.query"},
		{"bad limit", h, "GET", base + "/entries?limit=9999", 400, "request.query"},
		{"bad cursor", h, "GET", base + "/entries?cursor=xyz", 400, "query.cursor"},
		{"unknown app", h, "GET", "/api/apps/nope/ledger/entries", 404, ""},
		{"auditor reads", auditor, "GET", base + "/entries?owner=m1", 200, ""},
		{"auditor accounts", auditor, "GET", base + "/accounts?owner=m2", 200, ""},
		{"auditor cannot reconcile", auditor, "POST", base + "/reconcile", 403, "access.forbidden"},
		{"auditor cannot expire", auditor, "POST", base + "/expire", 403, "access.forbidden"},
		{"scoped reader refused", scoped, "GET", base + "/entries", 403, "access.forbidden"},
		{"clerk refused", clerk, "GET", base + "/accounts?owner=m1", 403, "access.forbidden"},
		{"clerk cannot reconcile", clerk, "POST", base + "/reconcile", 403, "access.forbidden"},
		{"designer cannot read", designer, "GET", base + "/entries", 403, "access.forbidden"},
		{"designer reconciles", designer, "POST", base + "/reconcile", 200, ""},
		{"anonymous", anon, "GET", base + "/entries", 401, "auth.unauthenticated"},
		{"anonymous expire", anon, "POST", base + "/expire", 401, "auth.unauthenticated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.who.T = t
			tc.who.Expect(tc.who.Do(tc.method, tc.path, nil), tc.status, tc.code)
		})
	}
	h.T = t

	accts := h.Do("GET", base+"/accounts?owner=m1", nil).JSON().([]any)
	if len(accts) != 2 {
		t.Fatalf("accounts %v", accts)
	}
	pts := accts[0].(map[string]any)
	if pts["kind"] != "points" || num(pts["balance"]) != "110" || num(pts["lotsRemaining"]) != "70" || pts["id"] != "crm:points:m1" {
		t.Fatalf("points account %v", pts)
	}

	// Paging newest first, and the filters.
	var keys []string
	cursor := ""
	for {
		pg := h.Expect(h.Do("GET", base+"/entries?owner=m1&kind=points&limit=2&cursor="+url.QueryEscape(cursor), nil), 200, "")
		for _, it := range pg["items"].([]any) {
			keys = append(keys, it.(map[string]any)["key"].(string))
		}
		next, _ := pg["next"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if want := []string{"r3:points", "r2:points", "r1:points"}; len(keys) != 3 || keys[0] != want[0] || keys[2] != want[2] {
		t.Fatalf("entries %v, want %v", keys, want)
	}
	byRef := h.Expect(h.Do("GET", base+"/entries?ref=r3", nil), 200, "")["items"].([]any)
	if len(byRef) != 1 {
		t.Fatalf("by ref %v", byRef)
	}
	r3 := byRef[0].(map[string]any)
	if num(r3["amount"]) != "-30" || len(r3["lots"].([]any)) != 1 || r3["type"] != "redeem" {
		t.Fatalf("debit entry %v", r3)
	}

	// Expire: the lot from r1 (70 left) is due; a second run finds nothing.
	res := h.Expect(h.Do("POST", base+"/expire", nil), 200, "")
	if num(res["expired"]) != "1" || num(res["failed"]) != "0" {
		t.Fatalf("expire %v", res)
	}
	res = h.Expect(h.Do("POST", base+"/expire", nil), 200, "")
	if num(res["expired"]) != "0" {
		t.Fatalf("second expire %v", res)
	}
	ex := h.Expect(h.Do("GET", base+"/entries?type=expire", nil), 200, "")["items"].([]any)
	if len(ex) != 1 || num(ex[0].(map[string]any)["amount"]) != "-70" || num(ex[0].(map[string]any)["balanceAfter"]) != "40" {
		t.Fatalf("expire entries %v", ex)
	}

	rep := h.Expect(h.Do("POST", base+"/reconcile", nil), 200, "")
	if num(rep["accounts"]) != "3" || num(rep["entries"]) != "6" || len(rep["mismatches"].([]any)) != 0 || rep["method"] != "aggregate" {
		t.Fatalf("reconcile %v", rep)
	}

	// Both operations are in the audit log.
	page, err := h.Auth.Audit.Query(context.Background(), auth.AuditQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range page.Entries {
		seen[e.Action]++
	}
	if seen["ledger.expire"] != 2 || seen["ledger.reconcile"] != 2 {
		t.Fatalf("audit %v", seen)
	}
}
