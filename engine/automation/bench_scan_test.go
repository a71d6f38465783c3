package automation_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// benchMembers is how many members the scan benchmark generates
// (TANGRAM_BENCH_MEMBERS, default 1,000,000).
func benchMembers() int {
	if n, err := strconv.Atoi(os.Getenv("TANGRAM_BENCH_MEMBERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// fillMembers writes n members straight into the records collection with
// InsertMany (the cheap way to a million rows): birthdays spread over 80
// years, last purchases over two years.
func fillMembers(b *testing.B, e *env, n int) {
	f, err := e.rec.Form(e.ctx, "crm", "members")
	e.must(err)
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, cst)
	tiers := []string{"normal", "normal", "normal", "silver", "gold", "diamond"}
	batch := make([]store.Doc, 0, 5000)
	stamp := query.FormatTime(base)
	for i := 0; i < n; i++ {
		birthday := time.Date(1940+rng.IntN(80), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(366))
		last := base.Add(-time.Duration(rng.Int64N(int64(730 * 24 * time.Hour))))
		batch = append(batch, store.Doc{"_id": fmt.Sprintf("m%07d", i), "name": fmt.Sprintf("会员%07d", i), "phone": fmt.Sprintf("139%08d", i),
			"birthday": birthday.Format("2006-01-02"), "lastPurchaseAt": query.FormatTime(last), "tier": tiers[rng.IntN(len(tiers))],
			form.SysVersion: 1, form.SysDeleted: false, form.SysCreatedAt: stamp, form.SysUpdatedAt: stamp})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := e.st.InsertMany(e.ctx, f.Coll, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// BenchmarkDateRelativeScan: one daily occurrence of "7 days before the
// birthday, yearly" over a million members (an indexed IN over the
// birthday's ~120 dates, paged by the index) and of "90 days after the
// last purchase" (an indexed range): the runs of the day created, nothing
// else in memory (the runs are executed by the runner's next stage, which
// BenchmarkEventsEndToEnd measures). One op is one day of both
// automations; the clock moves a day per op.
func BenchmarkDateRelativeScan(b *testing.B) {
	n := benchMembers()
	e := newEnvOn(b, storeURI(b))
	start := time.Now()
	fillMembers(b, e, n)
	b.Logf("generated %d members in %s", n, time.Since(start).Round(time.Millisecond))
	e.define(meta.KindAutomation, "birthday", `{"title": "生日", "trigger": {"type": "date.relative", "config": {"form": "members", "field": "birthday", "offsetDays": -7, "yearly": true, "at": "09:00"}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "生日快乐"}}]}`)
	e.define(meta.KindAutomation, "winback", `{"title": "召回", "trigger": {"type": "date.relative", "config": {"form": "members", "field": "lastPurchaseAt", "offsetDays": 90, "at": "09:00"}},
	  "actions": [{"type": "message.send", "config": {"to": "$record.phone", "text": "好久不见"}}]}`)
	svc := e.newService(automation.Options{ScanPage: 1000, Retention: -1, Workers: 16})
	day := time.Now().In(cst).AddDate(0, 0, 1)
	day = time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, cst)
	// A first day outside the measurement: it creates the field indexes
	// (once per form) and fires the occurrences since publishing.
	e.clk.Set(day)
	if _, err := svc.FireSchedules(e.ctx); err != nil {
		b.Fatal(err)
	}
	day = day.AddDate(0, 0, 1)
	runsBefore := e.count(automation.CollRuns)
	days := 0
	for b.Loop() {
		e.clk.Set(day.AddDate(0, 0, days))
		days++
		if _, err := svc.FireSchedules(e.ctx); err != nil {
			b.Fatal(err)
		}
	}
	runs := e.count(automation.CollRuns) - runsBefore
	b.ReportMetric(float64(runs)/float64(days), "runs/op")
	b.ReportMetric(float64(n), "members")
}
