package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tangram/tangram/server/cli"
)

// TestBenchCheckout starts `tangram serve` on a temp dir, installs the
// retail CRM template through the API, registers members, tops some up
// and issues them coupons through the template's own actions, then runs
// `tangram bench checkout` against it: every checkout succeeds (coupons
// and stored value included), throughput is reported, the sales are in
// the app and the ledgers reconcile. A cashier (phones masked) can run it
// too. It also runs the records-create scenario in text mode and checks
// bad invocations fail with a reason.
func TestBenchCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server")
	}
	bin := filepath.Join(t.TempDir(), "tangram")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	const pw = "E2e-Admin-Passw0rd!"
	srv := start(t, bin, "-data", t.TempDir())
	tok := login(t, srv.url, pw)
	call(t, srv.url, tok, "POST", "/api/templates/crm-retail/install", `{"app": "crm"}`, 200)
	for _, s := range []string{`"S0001","name":"杭州西湖店","province":"浙江省","city":"杭州市","region":"east"`,
		`"S0002","name":"成都春熙路店","province":"四川省","city":"成都市","region":"west"`} {
		call(t, srv.url, tok, "POST", "/api/apps/crm/forms/stores/records", `{"code":`+s+`,"status":"open"}`, 201)
	}
	var ids []string
	for i := range 20 {
		body := call(t, srv.url, tok, "POST", "/api/apps/crm/actions/register-member",
			fmt.Sprintf(`{"phone":"1380013%04d","name":"测试会员%d","homeStore":"S0001"}`, i, i), 200)
		var r struct{ Member struct{ ID string } }
		if err := json.Unmarshal([]byte(body), &r); err != nil || r.Member.ID == "" {
			t.Fatalf("register: %s", body)
		}
		ids = append(ids, r.Member.ID)
		if i < 8 {
			call(t, srv.url, tok, "POST", "/api/apps/crm/actions/topup",
				fmt.Sprintf(`{"member":{"id":%q},"amount":"500","receiptId":"TOPUP-%d"}`, r.Member.ID, i), 200)
		}
	}
	body := call(t, srv.url, tok, "POST", "/api/apps/crm/forms/coupon-templates/records",
		`{"name":"满100减10","type":"amount","value":"10","minSpend":"100","validDays":30,"status":"active"}`, 201)
	var tpl struct {
		ID string `json:"_id"`
	}
	_ = json.Unmarshal([]byte(body), &tpl)
	members, _ := json.Marshal(ids)
	call(t, srv.url, tok, "POST", "/api/apps/crm/actions/issue-coupons", fmt.Sprintf(`{"template":%q,"members":%s}`, tpl.ID, members), 200)

	bench := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"bench"}, args...)...)
		cmd.Env = append(os.Environ(), "TANGRAM_PASSWORD="+pw)
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			out = append(out, ee.Stderr...)
		}
		return string(out), err
	}
	out, err := bench("checkout", "-url", srv.url, "-c", "4", "-n", "150", "-coupons", "10", "-stored-value", "30", "-json")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	var rep cli.BenchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if rep.Requests != 150 || rep.OK != 150 || rep.Errors != 0 || rep.Throughput <= 0 || rep.P50 <= 0 || rep.P99 < rep.P50 || rep.Max < rep.P99 {
		t.Fatalf("report %+v", rep)
	}
	// The sales are there (150 of them), some redeemed coupons and paid
	// with stored value, and the ledgers still balance.
	sales := call(t, srv.url, tok, "GET", "/api/apps/crm/forms/transactions/records?count=true&limit=1", "", 200)
	if !strings.Contains(sales, `"total":150`) {
		t.Fatalf("transactions: %s", sales)
	}
	used := call(t, srv.url, tok, "GET", `/api/apps/crm/forms/coupons/records?count=true&limit=1&filter={"status":"redeemed"}`, "", 200)
	paidSV := call(t, srv.url, tok, "GET", `/api/apps/crm/forms/transactions/records?count=true&limit=1&filter={"storedValuePaid":{"$gt":0}}`, "", 200)
	if strings.Contains(used, `"total":0`) || strings.Contains(paidSV, `"total":0`) {
		t.Fatalf("no coupon or stored-value checkouts: %s %s", used, paidSV)
	}
	if rec := call(t, srv.url, tok, "POST", "/api/apps/crm/ledger/reconcile", "", 200); !strings.Contains(rec, `"mismatches":[]`) {
		t.Fatalf("reconcile: %s", rec)
	}

	// A cashier sees phones masked and may not filter on them: the
	// sample falls back to the newest members, named by id.
	call(t, srv.url, tok, "POST", "/api/users",
		`{"username":"cashier1","password":"Till-Cashier-Passw0rd!","roles":[{"app":"crm","role":"cashier"}]}`, 201)
	out, err = bench("checkout", "-url", srv.url, "-user", "cashier1", "-password", "Till-Cashier-Passw0rd!", "-c", "2", "-n", "30", "-json")
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || rep.OK != 30 || rep.Errors != 0 {
		t.Fatalf("bench as a cashier: %v\n%s", err, out)
	}

	// Text report of another scenario, for a duration.
	out, err = bench("records-create", "-url", srv.url, "-c", "2", "-duration", "1s")
	if err != nil || !strings.Contains(out, "throughput") || !strings.Contains(out, "p99") || strings.Contains(out, "errors by status") {
		t.Fatalf("records-create: %v\n%s", err, out)
	}

	// Bad invocations fail with the reason.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{}, "usage"},
		{[]string{"nosuch"}, "unknown scenario"},
		{[]string{"checkout", "-url", srv.url, "-c", "0"}, "-c must be"},
		{[]string{"checkout", "-url", "ftp://x", "-n", "1"}, "-url"},
		{[]string{"checkout", "-url", srv.url, "-app", "nosuch", "-n", "1"}, "prepare checkout"},
		{[]string{"checkout", "-url", srv.url, "-token", "forged", "-n", "1"}, "401"},
	} {
		if out, err := bench(c.args...); err == nil || !strings.Contains(out, c.want) {
			t.Errorf("bench %v: %v, want %q in\n%s", c.args, err, c.want, out)
		}
	}
	srv.stop(t)
}
