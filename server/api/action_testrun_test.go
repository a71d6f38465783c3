package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/server/api/apitest"
)

const checkoutTest = "/api/apps/crm/actions/checkout/test"

// crmCounts counts what a checkout leaves behind: transactions, ledger
// entries, stored idempotency responses, outbox messages and the
// member's points.
func (c *crmEnv) counts(member string) [5]int64 {
	c.t.Helper()
	var out [5]int64
	for i, coll := range []string{form.RecordsCollection("crm", "transactions"), ledger.CollEntries, action.CollIdempotency, outbox.Collection} {
		n, err := c.h.Store.Count(context.Background(), coll, nil)
		if err != nil {
			c.t.Fatal(err)
		}
		out[i] = n
	}
	out[4] = i64(c.record("members", member)["points"])
	return out
}

// TestActionTestRun: the CRM checkout test-run on a member with a small
// basket answers the points it would earn, the log and the writes, and
// keeps none of them; the draft runs instead of the published version
// when asked, a script error comes back at its line; bad requests are
// problems.
func TestActionTestRun(t *testing.T) {
	c := newCRM(t)
	h := c.h
	m := c.register("13800138077", "试运行")
	basket := map[string]any{"receiptId": "TEST-1", "store": "S0001", "member": map[string]any{"phone": "13800138077"},
		"lines": []any{line("A1", "食品", 2, "39.90")}}
	before := c.counts(m)
	res := h.Expect(h.Do("POST", checkoutTest, map[string]any{"input": basket, "version": "published"}, "Idempotency-Key: k1"), 200, "")
	want := points(7980, "1", c.multiplier("normal", "S0001", "食品"))
	out, _ := res["output"].(map[string]any)
	if res["ok"] != true || res["status"] != "published" || out == nil || i64(out["pointsEarned"]) != want || want == 0 {
		t.Fatalf("test run (want %d points): %v", want, res)
	}
	writes := res["writes"].(map[string]any)
	forms := map[string]string{}
	for _, w := range writes["records"].([]any) {
		rw := w.(map[string]any)
		forms[rw["form"].(string)] = rw["op"].(string)
	}
	if forms["transactions"] != "create" || forms["members"] != "update" {
		t.Fatalf("record writes %v", writes["records"])
	}
	earned := int64(0)
	for _, e := range writes["ledger"].([]any) {
		if p := e.(map[string]any); p["kind"] == "points" && p["owner"] == m {
			earned += i64(p["amount"])
		}
	}
	if earned != want {
		t.Fatalf("ledger writes %v, want %d points", writes["ledger"], want)
	}
	if after := c.counts(m); after != before {
		t.Fatalf("a test run left %v (transactions, entries, idempotency rows, outbox, points), before %v", after, before)
	}
	// The same basket really run is unaffected by the test: same points.
	if real := c.ok("checkout", basket); i64(real["pointsEarned"]) != want {
		t.Fatalf("the real run after the test %v", real)
	}
	c.reconcile()

	// A draft that logs first, then one that fails on its third line.
	base := "/api/apps/crm/meta/action/checkout"
	def := h.Expect(h.Do("GET", base, nil), 200, "")
	spec := def["spec"].(map[string]any)
	script := spec["script"].(string)
	spec["script"] = "log('草稿');\n" + script
	saved := h.Expect(h.Do("PUT", base, map[string]any{"spec": spec}, "If-Match: "+num(def["version"])), 200, "")
	basket["receiptId"] = "TEST-2"
	dr := h.Expect(h.Do("POST", checkoutTest, map[string]any{"input": basket, "version": "draft"}), 200, "")
	pub := h.Expect(h.Do("POST", checkoutTest, map[string]any{"input": basket}), 200, "")
	if dr["ok"] != true || dr["status"] != "draft" || num(dr["version"]) != num(saved["version"]) || firstLog(dr) != "草稿" {
		t.Fatalf("draft run %v", dr)
	}
	if pub["ok"] != true || pub["status"] != "published" || firstLog(pub) == "草稿" {
		t.Fatalf("published run %v", pub)
	}
	spec["script"] = "log('before');\nconst x = null;\nx.boom();\n" + script
	h.Expect(h.Do("PUT", base, map[string]any{"spec": spec}, "If-Match: "+num(saved["version"])), 200, "")
	bad := h.Expect(h.Do("POST", checkoutTest, map[string]any{"input": basket, "version": "draft"}, "Accept-Language: en"), 200, "")
	e, _ := bad["error"].(map[string]any)
	if bad["ok"] != false || e == nil || e["code"] != "script.error" || i64(e["line"]) != 3 || i64(e["column"]) == 0 || firstLog(bad) != "before" {
		t.Fatalf("failing draft %v", bad)
	}

	// Bad requests.
	inv := h.Expect(h.Do("POST", checkoutTest, map[string]any{"input": map[string]any{"receiptId": "", "lines": []any{}}}), 422, "action.input")
	paths := map[string]bool{}
	for _, f := range inv["errors"].([]any) {
		paths[f.(map[string]any)["path"].(string)] = true
	}
	if !paths["receiptId"] || !paths["store"] || !paths["lines"] {
		t.Fatalf("input errors %v", inv["errors"])
	}
	h.Expect(h.Do("POST", checkoutTest, `{"input": `), 400, "request.malformed")
	h.Expect(h.Do("POST", checkoutTest, `{"input": `+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`), 400, "request.too_deep")
	h.Expect(h.Do("POST", checkoutTest, `{"input": 5}`), 422, "action.input")
	h.Expect(h.Do("POST", checkoutTest, `{"input": {}, "version": 3}`), 400, "request.type")
	h.Expect(h.Do("POST", checkoutTest, map[string]any{"inputs": basket}), 400, "request.unknown_field")
	h.Expect(h.Do("POST", checkoutTest, map[string]any{"input": basket, "version": "latest"}), 400, "action.test_version")
	h.Expect(h.Do("POST", "/api/apps/crm/actions/nope/test", map[string]any{"input": basket}), 404, "")
	h.Expect(h.Do("POST", "/api/apps/nope/actions/checkout/test", map[string]any{"input": basket}), 404, "")
	h.Expect(h.Do("POST", checkoutTest, map[string]any{"input": basket}, "Authorization:"), 401, "")

	// A cashier runs checkouts but does not design them.
	h.Expect(h.Do("POST", "/api/users", map[string]any{"username": "till1", "password": apitest.AdminPassword,
		"roles": []any{map[string]any{"app": "crm", "role": "cashier"}}}), 201, "")
	cashier := h.As(h.Login("till1", apitest.AdminPassword))
	cashier.Expect(cashier.Do("POST", checkoutTest, map[string]any{"input": basket}), 403, "access.forbidden")
	if after := c.counts(m); after[0] != before[0]+1 || after[2] != before[2] {
		t.Fatalf("after the real run and the tests %v, before %v", after, before)
	}
}

// firstLog is the first log line of a test run's answer.
func firstLog(res map[string]any) string {
	logs, _ := res["logs"].([]any)
	if len(logs) == 0 {
		return ""
	}
	s, _ := logs[0].(string)
	return s
}

// TestActionTestRunConcurrent: test runs beside real checkouts of the
// same member keep nothing of their own and do not disturb the real
// ones: every real receipt is recorded once, no test receipt is, and the
// ledgers reconcile.
func TestActionTestRunConcurrent(t *testing.T) {
	c := newCRM(t)
	m := c.register("13800138078", "并发")
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := map[string]any{"receiptId": fmt.Sprintf("C-%d", i), "store": "S0001", "member": map[string]any{"id": m},
				"lines": []any{line("A1", "食品", 1, "10")}}
			path, want := "/api/apps/crm/actions/checkout", 200
			if i%2 == 0 {
				body["receiptId"] = fmt.Sprintf("TEST-%d", i)
				body, path = map[string]any{"input": body}, checkoutTest
			}
			if r := c.h.Do("POST", path, body); r.Status != want || (path == checkoutTest && r.Map()["ok"] != true) {
				errs <- fmt.Sprintf("%s: %d %s", path, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(c.find("transactions", map[string]any{"member": m})); n != 10 {
		t.Fatalf("%d transactions, want the 10 real ones", n)
	}
	if n := len(c.find("transactions", map[string]any{"receiptId": map[string]any{"$startsWith": "TEST-"}})); n != 0 {
		t.Fatalf("%d test receipts kept", n)
	}
	c.reconcile()
}
