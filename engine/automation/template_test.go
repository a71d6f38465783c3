package automation_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/templates"
	"github.com/tangram/tangram/templates/demo"
)

// newCRM installs the crm-retail template (its automations checked
// against its forms, as saving each would) and generates demo members
// whose history ends at now.
func newCRM(t *testing.T, members int, now time.Time) *env {
	e := newBareOn(t, storeURI(t))
	_, err := templates.Install(e.ctx, e.meta, "crm-retail", templates.InstallOptions{Publish: true}, "admin")
	e.must(err)
	defs, err := e.meta.List(e.ctx, "crm", meta.KindAutomation)
	e.must(err)
	if len(defs) < 6 {
		t.Fatalf("the template has %d automations", len(defs))
	}
	for _, d := range defs {
		if err := e.meta.CrossCheck(e.ctx, d); err != nil {
			t.Errorf("%s: %v", d.Key, err)
		}
	}
	_, err = demo.Generate(e.ctx, demo.Deps{Store: e.st, Meta: e.meta, Auth: e.auth, Records: e.rec, Ledger: e.ledger}, "crm",
		demo.Options{Members: members, Seed: 7, Now: now})
	e.must(err)
	return e
}

// allMembers reads every member as stored.
func (e *env) allMembers() []store.Doc {
	docs, err := e.st.Find(e.ctx, form.RecordsCollection("crm", "members"), store.Query{Limit: store.MaxLimit})
	e.must(err)
	return docs
}

// runRecords lists, by record, the occurrence day (CST) of an
// automation's runs, failing on a second run for one record and day.
func (e *env) runRecords(key string) map[string]string {
	out := map[string]string{}
	for _, r := range e.runs(key) {
		at, _ := query.ParseTime(r.Occurrence, time.UTC)
		day := at.In(cst).Format("2006-01-02")
		if out[r.Record+"@"+day] != "" {
			e.t.Errorf("%s ran twice for %s on %s", key, r.Record, day)
		}
		out[r.Record+"@"+day] = r.Status
		if r.Status != automation.RunDone {
			e.t.Errorf("%s run %s: %s %+v", key, r.ID, r.Status, r.Error)
		}
	}
	return out
}

// TestCRMTemplateAutomations runs the retail template's automations over
// generated members with three runners while the clock moves across ten
// days: each member gets its birthday gift, win-back coupon and churn
// alert on the right day, once.
func TestCRMTemplateAutomations(t *testing.T) {
	members := 400
	if testing.Short() {
		members = 120
	}
	start := time.Now().In(cst).Truncate(24*time.Hour).AddDate(0, 0, 1) // tomorrow, midnight UTC-ish
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, cst)
	e := newCRM(t, members, start.Add(-time.Hour))
	// Two gold members whose last purchase was 60 days before day 3, with
	// a clerk at their home store: the churn alert has someone to tell.
	var churners []string
	for _, m := range e.allMembers()[:2] {
		unit, _ := m["homeUnit"].(string)
		if unit == "" {
			t.Fatalf("member %v has no home unit", m["_id"])
		}
		id := m["_id"].(string)
		_, err := e.rec.Patch(e.ctx, system(), "crm", "members", id, map[string]any{"tier": "gold",
			"lastPurchaseAt": query.FormatTime(start.AddDate(0, 0, 3-60).Add(15 * time.Hour))}, 0, form.WriteOptions{})
		e.must(err)
		_, err = e.auth.CreateUser(e.ctx, auth.System(), auth.UserInput{Username: "clerk-" + id, DisplayName: "店员", Password: "Str0ng-Pass-2026!",
			Memberships: []auth.Membership{{UnitID: unit, Position: "store_clerk"}}})
		if err != nil && !strings.Contains(err.Error(), "exists") {
			t.Fatal(err)
		}
		churners = append(churners, "clerk-"+id)
	}
	runners := []*automation.Service{e.newService(), e.newService(), e.newService()}
	couponsBefore := e.count(form.RecordsCollection("crm", "coupons"))
	const days = 10
	for d := 0; d < days; d++ {
		for _, hm := range [][2]int{{8, 0}, {9, 0}, {9, 30}, {10, 0}, {18, 0}} {
			e.clk.Set(start.AddDate(0, 0, d).Add(time.Duration(hm[0])*time.Hour + time.Duration(hm[1])*time.Minute))
			e.tickAll(runners)
		}
	}
	// What each automation should have done, from the members themselves.
	wantBirthday, wantWinback, wantChurn := map[string]bool{}, map[string]bool{}, map[string]bool{}
	consented, birthdayPoints := 0, 0
	for _, m := range e.allMembers() {
		id := m["_id"].(string)
		for d := 0; d < days; d++ {
			day := start.AddDate(0, 0, d)
			key := id + "@" + day.Format("2006-01-02")
			if b, _ := m["birthday"].(string); b != "" && sameBirthday(b, day.AddDate(0, 0, 7)) {
				wantBirthday[key] = true
				if m["consent"] == true {
					consented++
				}
				if moreThan(fmt.Sprint(m["spend12m"]), 2000) {
					birthdayPoints++
				}
			}
			last, _ := m["lastPurchaseAt"].(string)
			if t, err := query.ParseTime(last, time.UTC); err == nil {
				lastDay := t.In(cst).Format("2006-01-02")
				if lastDay == day.AddDate(0, 0, -90).Format("2006-01-02") {
					wantWinback[key] = true
				}
				if lastDay == day.AddDate(0, 0, -60).Format("2006-01-02") && (m["tier"] == "gold" || m["tier"] == "diamond") {
					wantChurn[key] = true
				}
			}
		}
	}
	for key, want := range map[string]map[string]bool{"birthday-gift": wantBirthday, "win-back-coupon": wantWinback, "vip-churn-alert": wantChurn} {
		got := e.runRecords(key)
		if len(got) != len(want) {
			t.Errorf("%s: %d runs, want %d", key, len(got), len(want))
		}
		for k := range want {
			if got[k] == "" {
				t.Errorf("%s: no run for %s", key, k)
			}
		}
	}
	if len(wantBirthday) == 0 || len(wantWinback) == 0 {
		t.Fatalf("the generated members give %d birthdays and %d win-backs in %d days: too few to test", len(wantBirthday), len(wantWinback), days)
	}
	coupons := e.count(form.RecordsCollection("crm", "coupons")) - couponsBefore
	if coupons != int64(len(wantBirthday)+len(wantWinback)) {
		t.Errorf("%d coupons issued, want one per birthday and win-back run (%d)", coupons, len(wantBirthday)+len(wantWinback))
	}
	if n := e.count(automation.CollMessages, "automation", "birthday-gift"); n != int64(consented) {
		t.Errorf("%d birthday messages, want %d (members who consented)", n, consented)
	}
	if n := e.count(ledger.CollEntries, "type", "adjust"); n != int64(birthdayPoints) {
		t.Errorf("%d birthday point entries, want %d (silver and up)", n, birthdayPoints)
	}
	for _, clerk := range churners {
		if n := e.count(automation.CollMessages, "automation", "vip-churn-alert", "to", clerk); n != 1 {
			t.Errorf("%d churn alerts to %s, want 1", n, clerk)
		}
	}
	t.Logf("%d members over %d days: %d birthday, %d win-back, %d churn runs; %d coupons", members, days,
		len(wantBirthday), len(wantWinback), len(wantChurn), coupons)
}

// sameBirthday: a birthday (YYYY-MM-DD) falls on day's month and day, 29
// February on 28 February in other years.
func sameBirthday(b string, day time.Time) bool {
	md := b[5:]
	if md == "02-29" && !isLeapYear(day.Year()) {
		md = "02-28"
	}
	return md == day.Format("01-02")
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// moreThan compares a decimal text with a whole number.
func moreThan(dec string, n int) bool {
	var whole int
	_, err := fmt.Sscanf(strings.SplitN(dec, ".", 2)[0], "%d", &whole)
	return err == nil && whole >= n
}

// TestCRMWelcomeAndTierNotice: record events (as the records service
// writes them) fire the welcome coupon and the tier change notice.
func TestCRMWelcomeAndTierNotice(t *testing.T) {
	e := newCRM(t, 20, time.Now().Add(-time.Hour))
	var ids []string
	for i, consent := range []bool{true, false, true} {
		m := e.create("members", map[string]any{"name": fmt.Sprintf("新会员%d", i), "phone": fmt.Sprintf("1390000%04d", i), "consent": consent})
		ids = append(ids, m["_id"].(string))
		e.created("members", m)
	}
	// Imported history: registered long ago, no welcome.
	e.created("members", e.create("members", map[string]any{"name": "老会员", "phone": "13900009999", "consent": true,
		"registeredAt": "2020-05-01T02:00:00.000Z"}))
	doc, err := e.rec.Get(e.ctx, system(), "crm", "members", ids[0])
	e.must(err)
	after := plain(doc)
	after["tier"] = "gold"
	e.event(outbox.Event{Type: automation.EventRecordUpdated, Form: "members", Record: ids[0],
		Data: map[string]any{"before": map[string]any{"tier": "silver"}, "after": after, "changed": []any{"tier"}}})
	e.drain()
	done, skipped := 0, 0
	for _, r := range e.runs("welcome-coupon") {
		switch r.Status {
		case automation.RunDone:
			done++
		case automation.RunSkipped:
			skipped++
		}
	}
	if done != 3 || skipped != 1 {
		t.Errorf("welcome runs: %d done, %d skipped; want 3 and the old member's 1", done, skipped)
	}
	coupons, err := e.st.Find(e.ctx, form.RecordsCollection("crm", "coupons"), store.Query{Filter: query.Eq(
		query.Field{Path: "member", Kind: query.KindString}, query.Str(ids[1]))})
	e.must(err)
	if len(coupons) != 1 || coupons[0]["status"] != "issued" {
		t.Errorf("the member without consent still gets the coupon: %v", coupons)
	}
	var texts []string
	for _, key := range []string{"welcome-coupon", "tier-change-notice"} {
		msgs, err := e.svc.Messages(e.ctx, system(), "crm", automation.MessageQuery{Automation: key})
		e.must(err)
		for _, m := range msgs.Messages {
			texts = append(texts, m["text"].(string))
		}
	}
	sort.Strings(texts)
	want := []string{"新会员0，您的会员等级已由银卡变更为金卡。",
		"新会员0，欢迎加入会员！新人礼券（满30减10）已放入您的账户，30 天内有效。",
		"新会员2，欢迎加入会员！新人礼券（满30减10）已放入您的账户，30 天内有效。"}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
}
