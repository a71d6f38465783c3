package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// directory reads one page of the user directory as h and returns its
// usernames and the next cursor.
func directory(t *testing.T, h *apitest.Harness, query string) (string, string) {
	t.Helper()
	r := h.Do("GET", "/api/users/directory?"+query, nil)
	noSecrets(t, r.Body)
	m := h.Expect(r, 200, "")
	for _, u := range pageItems(m) {
		for k := range u {
			if k != "id" && k != "username" && k != "displayName" && k != "unitIds" {
				t.Fatalf("directory entry shows %q: %v", k, u)
			}
		}
	}
	return joinUsernames(pageItems(m)), jsonStr(m, "next")
}

// TestUserDirectoryScope: a store manager sees their store's enabled staff
// and nobody else's; a region lead sees the stores below; a user in no unit
// sees nobody; an admin sees everyone; an org outside the caller's units is
// refused; ids label chosen users only when visible.
func TestUserDirectoryScope(t *testing.T) {
	h := apitest.New(t)
	org := orgFixture(t, h)
	mkStaff(t, h, "r1.lead", org["R1"], "region_manager")
	mkStaff(t, h, "s1.lead", org["S1"], "store_manager")
	clerk := mkStaff(t, h, "13800001111", org["S1"], "store_clerk")
	h.Expect(h.Do("PATCH", "/api/users/"+clerk, map[string]any{"displayName": "王小明"}), 200, "")
	gone := mkStaff(t, h, "s1.gone", org["S1"], "store_clerk")
	h.Expect(h.Do("POST", "/api/users/"+gone+"/disable", nil), 200, "")
	other := mkStaff(t, h, "s3.lead", org["S3"], "store_manager")
	mkStaff(t, h, "s2.clerk", org["S2"], "store_clerk")
	mkStaff(t, h, "loner", "", "")

	sm := h.As(h.Login("s1.lead", staffPassword))
	if got, _ := directory(t, sm, ""); got != "13800001111,s1.lead" {
		t.Fatalf("store manager of S1 sees %s", got)
	}
	rm := h.As(h.Login("r1.lead", staffPassword))
	if got, _ := directory(t, rm, ""); got != "13800001111,r1.lead,s1.lead,s2.clerk" {
		t.Fatalf("region lead of R1 sees %s", got)
	}
	if got, _ := directory(t, rm, "org="+org["S2"]); got != "s2.clerk" {
		t.Fatalf("region lead narrowed to S2 sees %s", got)
	}
	loner := h.As(h.Login("loner", staffPassword))
	if got, _ := directory(t, loner, ""); got != "" {
		t.Fatalf("a user in no unit sees %s", got)
	}
	if got, _ := directory(t, h, "org="+org["R2"]); got != "s3.lead" {
		t.Fatalf("admin narrowed to R2 sees %s", got)
	}
	if got, _ := directory(t, h, "limit=100"); got != "13800001111,admin,loner,r1.lead,s1.lead,s2.clerk,s3.lead" {
		t.Fatalf("admin sees %s", got)
	}

	// Another org: refused when named, invisible when searched or asked by id.
	sm.Expect(sm.Do("GET", "/api/users/directory?org="+org["S3"], nil), 403, "auth.forbidden")
	sm.Expect(sm.Do("GET", "/api/users/directory?org="+org["R1"], nil), 403, "auth.forbidden")
	if got, _ := directory(t, sm, "q=s3"); got != "" {
		t.Fatalf("S1's manager finds %s in S3", got)
	}
	if got, _ := directory(t, sm, "ids="+other+","+clerk); got != "13800001111" {
		t.Fatalf("S1's manager labels %s", got)
	}
	h.Expect(h.Do("GET", "/api/users/directory?org=no-such-unit", nil), 404, "org.unit_not_found")
	h.Expect(h.Do("GET", "/api/users/directory", nil, "Authorization:"), 401, "auth.unauthenticated")

	// The entry: units limited to the ones the caller sees.
	m := sm.Expect(sm.Do("GET", "/api/users/directory?q=1380", nil), 200, "")
	if items := pageItems(m); len(items) != 1 || jsonStr(items[0], "id") != clerk || jsonStr(items[0], "displayName") != "王小明" ||
		fmt.Sprint(items[0]["unitIds"]) != fmt.Sprint([]any{org["S1"]}) {
		t.Fatalf("entry %v", m)
	}
}

// TestUserDirectorySearchAndPaging: prefix search on username (phone) and
// display name, bounded limits and queries, keyset paging and bad cursors.
func TestUserDirectorySearchAndPaging(t *testing.T) {
	h := apitest.New(t)
	org := orgFixture(t, h)
	for i := range 7 {
		mkStaff(t, h, fmt.Sprintf("1390000%04d", i), org["S1"], "store_clerk")
	}
	li := mkStaff(t, h, "li.lei", org["S1"], "store_manager")
	h.Expect(h.Do("PATCH", "/api/users/"+li, map[string]any{"displayName": "李雷"}), 200, "")
	sm := h.As(h.Login("li.lei", staffPassword))

	for q, want := range map[string]string{
		"13900000003": "13900000003",
		"李":           "li.lei",
		"LI.":         "li.lei",
		"雷":           "", // a prefix, not a substring
		"139000001":   "",
		"%":           "",
		"_":           "",
	} {
		if got, _ := directory(t, sm, "q="+url.QueryEscape(q)); got != want {
			t.Errorf("q=%s: %s, want %s", q, got, want)
		}
	}

	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 4 {
			t.Fatal("paging does not end")
		}
		got, next := directory(t, sm, "q=139&limit=3&cursor="+url.QueryEscape(cursor))
		if n := len(strings.Split(got, ",")); n > 3 {
			t.Fatalf("a page of %d with limit 3", n)
		}
		all = append(all, got)
		if cursor = next; cursor == "" {
			break
		}
	}
	if got := strings.Join(all, ","); strings.Count(got, "1390000") != 7 || !strings.HasPrefix(got, "13900000000,") {
		t.Fatalf("paged: %s", got)
	}

	for _, bad := range []struct{ query, code, path string }{
		{"limit=101", "request.query", "limit"},
		{"limit=-1", "request.query", "limit"},
		{"limit=lots", "request.query", "limit"},
		{"q=" + strings.Repeat("x", 65), "request.query", "q"},
		{"ids=" + strings.Repeat("u,", 101), "request.query", "ids"},
	} {
		expectPath(t, sm.Expect(sm.Do("GET", "/api/users/directory?"+bad.query, nil), 400, bad.code), bad.path)
	}
	for _, c := range []string{"garbage", "W10", url.QueryEscape(`["a"]`)} {
		sm.Expect(sm.Do("GET", "/api/users/directory?cursor="+c, nil), 400, "query.cursor")
	}
	// The default page is bounded.
	for i := range 25 {
		mkStaff(t, h, fmt.Sprintf("bulk%02d", i), org["S1"], "store_clerk")
	}
	if got, next := directory(t, sm, ""); len(strings.Split(got, ",")) != 20 || next == "" {
		t.Fatalf("default page: %s next %q", got, next)
	}

	// Concurrent readers get the same answer.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			r := sm.Do("GET", "/api/users/directory?q=13900000006", nil)
			if r.Status != 200 || joinUsernames(pageItems(r.Map())) != "13900000006" {
				t.Errorf("concurrent read: %d %s", r.Status, r.Body)
			}
		})
	}
	wg.Wait()
}
