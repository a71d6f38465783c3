package automation_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// tickAll ticks every runner once, at the same time.
func (e *env) tickAll(runners []*automation.Service) {
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.Drain(e.ctx); err != nil {
				e.t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// occurrences lists the occurrence times of an automation's runs.
func (e *env) occurrences(key string) []string {
	var out []string
	for _, r := range e.runs(key) {
		out = append(out, r.Occurrence)
	}
	sort.Strings(out)
	return out
}

func TestCronFiresOncePerOccurrenceAcrossRunners(t *testing.T) {
	e := newEnv(t)
	d := e.define(meta.KindAutomation, "report", `{"title": "十分钟报",
	  "trigger": {"type": "schedule.cron", "config": {"cron": "*/10 * * * *", "timezone": "Asia/Shanghai", "catchUpHours": 2}},
	  "actions": [{"type": "message.send", "config": {"to": "hq", "text": "{{occurrence}}"}}]}`)
	published, err := query.ParseTime(d.PublishedAt, time.UTC)
	e.must(err)
	// Start on the next ten-minute mark after publishing.
	start := published.Truncate(10 * time.Minute).Add(10 * time.Minute)
	e.clk.Set(start.Add(-time.Second))
	runners := []*automation.Service{e.newService(), e.newService(), e.newService()}
	var want []string
	for now := start; !now.After(start.Add(time.Hour)); now = now.Add(time.Minute) {
		e.clk.Set(now)
		e.tickAll(runners)
		if now.Minute()%10 == 0 {
			want = append(want, query.FormatTime(now))
		}
	}
	if got := e.occurrences("report"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("occurrences\n got %v\nwant %v", got, want)
	}
	if n := e.count(automation.CollMessages); n != int64(len(want)) {
		t.Errorf("%d messages for %d occurrences", n, len(want))
	}
	// Five hours down: only the last two (catchUpHours) are fired, once.
	last := start.Add(time.Hour)
	e.clk.Set(last.Add(5 * time.Hour))
	e.tickAll(runners)
	got := e.occurrences("report")
	if len(got) != len(want)+12 {
		t.Fatalf("%d occurrences after the downtime, want %d more", len(got)-len(want), 12)
	}
	if first := got[len(want)]; first != query.FormatTime(last.Add(3*time.Hour+10*time.Minute)) {
		t.Errorf("the first caught-up occurrence is %s", first)
	}
	e.tickAll(runners)
	if n := len(e.occurrences("report")); n != len(got) {
		t.Errorf("a second round fired %d more", n-len(got))
	}
}

func TestBadCronIsRefusedWithItsPath(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ cron, code string }{
		{"0 0 30 2 *", "automation.cron_never_fires"},
		{"61 * * * *", "automation.bad_cron"},
		{"@every 5m", "automation.cron_every"},
		{"CRON_TZ=UTC 0 9 * * *", "automation.cron_tz"},
	} {
		_, err := e.meta.Create(e.ctx, meta.Definition{Kind: meta.KindAutomation, App: "crm", Key: "bad", Spec: []byte(`{"title": "x",
		  "trigger": {"type": "schedule.cron", "config": {"cron": "` + c.cron + `"}}, "actions": []}`)}, "admin")
		if got := fmt.Sprint(paths(err)); got != "[spec.trigger.config.cron "+c.code+"]" {
			t.Errorf("%q: %v", c.cron, got)
		}
	}
}

// dayAt is a time of day on a date in Asia/Shanghai.
func dayAt(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, cst)
}

// TestBirthdayAndWinBack moves the clock across days with three runners:
// a yearly date trigger (7 days before the birthday, 29 February on the
// 28th in other years) and a datetime one (90 days after the last
// purchase) fire once per member and occurrence.
func TestBirthdayAndWinBack(t *testing.T) {
	e := newEnv(t)
	e.opt.ScanPage = 2 // several pages per occurrence
	e.define(meta.KindAutomation, "birthday", `{"title": "生日礼",
	  "trigger": {"type": "date.relative", "config": {"form": "members", "field": "birthday", "offsetDays": -7, "yearly": true, "at": "09:00"}},
	  "condition": {"tier": {"$ne": "normal"}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "{{record.name}} 生日快乐"}}]}`)
	e.define(meta.KindAutomation, "winback", `{"title": "召回",
	  "trigger": {"type": "date.relative", "config": {"form": "members", "field": "lastPurchaseAt", "offsetDays": 90, "at": "10:00"}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "{{record.name}} 好久不见"}}]}`)
	member := func(name, birthday, last string) string {
		data := map[string]any{"name": name, "phone": "1" + fmt.Sprint(len(name)), "tier": "gold", "birthday": birthday}
		if last != "" {
			data["lastPurchaseAt"] = last
		}
		return e.create("members", data)["_id"].(string)
	}
	leap := member("闰日", "2000-02-29", "")
	feb28 := member("二月末", "1990-02-28", "")
	mar1 := member("三月初", "1985-03-01", "")
	var more []string
	for i := range 4 {
		more = append(more, member(fmt.Sprintf("三月初%d", i), fmt.Sprintf("19%d-03-01", 70+i), ""))
	}
	plain := e.create("members", map[string]any{"name": "普通", "tier": "normal", "birthday": "1991-03-01"})["_id"].(string)
	gone := member("注销", "1992-03-01", "")
	e.must(e.rec.Delete(e.ctx, system(), "crm", "members", gone, 0, formWrite()))
	late := member("晚间", "1970-06-01", "2026-11-24T12:30:00.000Z")  // 20:30 CST on 24 Nov: 90 days later is 22 Feb
	night := member("凌晨", "1970-06-02", "2026-11-24T17:30:00.000Z") // 01:30 CST on 25 Nov: 23 Feb

	runners := []*automation.Service{e.newService(), e.newService(), e.newService()}
	fired := map[string]string{} // member -> day of its birthday run
	won := map[string]string{}
	days := func(from time.Time, n int) {
		for i := range n {
			for _, h := range []int{8, 9, 10, 23} {
				now := from.AddDate(0, 0, i).Add(time.Duration(h) * time.Hour)
				e.clk.Set(now)
				e.tickAll(runners)
			}
		}
	}
	collect := func() {
		for _, r := range e.runs("birthday") {
			day, _ := query.ParseTime(r.Occurrence, time.UTC)
			if prev, dup := fired[r.Record+r.Occurrence[:4]]; dup && prev != r.ID {
				t.Errorf("%s fired twice in %s", r.Record, r.Occurrence[:4])
			}
			fired[r.Record+r.Occurrence[:4]] = r.ID
			fired[r.Record+"@"+r.Occurrence[:4]] = day.In(cst).Format("01-02")
		}
		for _, r := range e.runs("winback") {
			day, _ := query.ParseTime(r.Occurrence, time.UTC)
			won[r.Record] = day.In(cst).Format("2006-01-02")
		}
	}
	// 2027 is not a leap year: the 29th celebrates with the 28th.
	days(dayAt(2027, 2, 18, 0, 0), 8)
	collect()
	want := map[string]string{leap + "@2027": "02-21", feb28 + "@2027": "02-21", mar1 + "@2027": "02-22"}
	for _, m := range more {
		want[m+"@2027"] = "02-22"
	}
	for k, v := range want {
		if fired[k] != v {
			t.Errorf("2027 birthday run of %s: %q, want %q", k, fired[k], v)
		}
	}
	for _, m := range []string{plain, gone} {
		if _, ok := fired[m+"@2027"]; ok {
			t.Errorf("%s got a birthday run (the condition or its deletion should stop it)", m)
		}
	}
	if len(e.runs("birthday")) != 7 {
		t.Errorf("%d birthday runs in 2027, want 7", len(e.runs("birthday")))
	}
	if won[late] != "2027-02-22" || won[night] != "2027-02-23" || len(won) != 2 {
		t.Errorf("win-back runs %v", won)
	}
	// 2028 is: the 29th has its own day.
	days(dayAt(2028, 2, 19, 0, 0), 6)
	collect()
	for k, v := range map[string]string{leap + "@2028": "02-22", feb28 + "@2028": "02-21", mar1 + "@2028": "02-23"} {
		if fired[k] != v {
			t.Errorf("2028 birthday run of %s: %q, want %q", k, fired[k], v)
		}
	}
	if n := e.count(automation.CollMessages); n != 7+7+2 {
		t.Errorf("%d messages, want one per run (16)", n)
	}
}
