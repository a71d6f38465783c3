package action

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
)

// TestTestRunKeepsNothing: a test run reports the output, log, record
// writes and ledger posts of the checkout, and leaves no sale, entry,
// idempotency row, audit entry or changed member behind; it does not
// speculate even when every real run would.
func TestTestRunKeepsNothing(t *testing.T) {
	e := newEnv(t)
	e.svc.SetSpeculation(SpeculateAlways)
	m := e.member("赵一", "gold")
	before := e.effects()
	res, err := e.svc.Test(e.ctx, e.admin, "shop", "checkout", TestRequest{
		Input: json.RawMessage(`{"receiptId": "T1", "member": "` + m + `", "amount": 1250}`), Version: "published", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Error != nil || res.Status != string(meta.StatusPublished) {
		t.Fatalf("result %+v", res)
	}
	var out map[string]any
	if err := json.Unmarshal(res.Output, &out); err != nil || out["points"] != float64(24) {
		t.Fatalf("output %s: %v", res.Output, err)
	}
	if len(res.Logs) != 1 || res.Logs[0] != "points 24" {
		t.Fatalf("logs %q", res.Logs)
	}
	w := res.Writes
	if len(w.Ledger) != 1 || w.Ledger[0].Owner != m || w.Ledger[0].Amount != 24 || w.Ledger[0].Kind != "points" {
		t.Fatalf("ledger writes %+v", w.Ledger)
	}
	ops := map[string]string{}
	for _, r := range w.Records {
		ops[r.Form] = r.Op
		if r.Form == "members" && (r.ID != m || !contains(r.Fields, "visits")) {
			t.Fatalf("member write %+v", r)
		}
	}
	if ops["sales"] != "create" || ops["members"] != "update" {
		t.Fatalf("record writes %+v", w.Records)
	}
	if got := e.effects(); got != before {
		t.Fatalf("a test run left %v, before %v", got, before)
	}
	doc, err := e.rec.Get(e.ctx, e.admin, "shop", "members", m)
	if err != nil || doc["visits"] != nil {
		t.Fatalf("member after the test run %v: %v", doc, err)
	}
	if st := e.svc.SpecCounts(); st != (SpecCounts{}) {
		t.Fatalf("a test run speculated: %+v", st)
	}
}

// TestTestRunDraftAndErrors: the draft runs instead of the published
// version when asked; a script error is the report's error with its line
// and column (and the log up to it); bad requests are errors.
func TestTestRunDraftAndErrors(t *testing.T) {
	e := newEnv(t)
	m := e.member("钱二", "normal")
	// A draft revision that fails on its second line.
	src, _ := json.Marshal("log('draft');\nconst x = null; x.boom();\nreturn {}")
	head, err := e.meta.Get(e.ctx, "shop", meta.KindAction, "checkout")
	if err != nil {
		t.Fatal(err)
	}
	head.Spec = json.RawMessage(`{"title": "结算", "input": ` + checkoutInput + `, "script": ` + string(src) + `}`)
	if _, err := e.meta.Save(e.ctx, head, head.Version, "admin"); err != nil {
		t.Fatal(err)
	}
	in := json.RawMessage(`{"receiptId": "T2", "member": "` + m + `", "amount": 100}`)
	pub, err := e.svc.Test(e.ctx, e.admin, "shop", "checkout", TestRequest{Input: in, Version: "published"})
	if err != nil || !pub.OK {
		t.Fatalf("published %+v: %v", pub, err)
	}
	dr, err := e.svc.Test(e.ctx, e.admin, "shop", "checkout", TestRequest{Input: in, Version: "draft", Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if dr.OK || dr.Error == nil || dr.Error.Code != "script.error" || dr.Error.Line != 2 || dr.Error.Column == 0 {
		t.Fatalf("draft result %+v (error %+v)", dr, dr.Error)
	}
	if dr.Version <= pub.Version || dr.Status != string(meta.StatusDraft) || len(dr.Logs) != 1 || dr.Logs[0] != "draft" {
		t.Fatalf("draft %+v, published version %d", dr, pub.Version)
	}
	for _, c := range []struct {
		name, input, version, code string
		p                          *auth.Principal
	}{
		{"bad version", `{}`, "latest", "action.test_version", e.admin},
		{"malformed", `{"receiptId": `, "", "action.malformed", e.admin},
		{"input", `{"receiptId": "", "amount": -1}`, "", "action.input", e.admin},
		{"not a designer", string(in), "", "access.forbidden", &auth.Principal{UserID: "u1", Username: "clerk"}},
	} {
		_, err := e.svc.Test(e.ctx, c.p, "shop", "checkout", TestRequest{Input: json.RawMessage(c.input), Version: c.version})
		if err == nil || !strings.Contains(err.Error(), c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := e.svc.Test(e.ctx, e.admin, "shop", "nope", TestRequest{}); err == nil {
		t.Error("unknown action: no error")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// BenchmarkTestRun measures a designer's test run of the checkout (the
// draft compiled, the run rolled back, its writes summarised) beside a
// real run of the same action, one caller at a time.
//
//	go test ./engine/action/ -run '^$' -bench BenchmarkTestRun -benchtime 2000x
func BenchmarkTestRun(b *testing.B) {
	e := newEnv(b)
	e.svc.SetSpeculation(SpeculateNever)
	m := e.member("孙三", "gold")
	in := func(i int) json.RawMessage {
		return json.RawMessage(`{"receiptId": "B` + strconv.Itoa(i) + `", "member": "` + m + `", "amount": 1250}`)
	}
	b.Run("test-draft", func(b *testing.B) {
		for i := range b.N {
			if res, err := e.svc.Test(e.ctx, e.admin, "shop", "checkout", TestRequest{Input: in(i), Version: "draft"}); err != nil || !res.OK {
				b.Fatalf("%+v: %v", res, err)
			}
		}
	})
	n := 0 // receipts are unique across the benchmark's rounds
	b.Run("run", func(b *testing.B) {
		for range b.N {
			n++
			if _, err := e.run(e.admin, "checkout", string(in(n)), Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
