package workflow_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/workflow"
)

var cst = time.FixedZone("CST", 8*3600)

func slaFlow(onTimeout string) string {
	return `{"title": "时限审批", "form": "upgrades", "initial": "draft",
  "states": [
    {"key": "draft"},
    {"key": "review", "type": "approval", "approval": {"assignees": [{"unit": {"field": "store", "position": "store_manager"}}]},
     "sla": {"hours": 8, "remindBefore": 2, "onTimeout": "` + onTimeout + `"}},
    {"key": "approved", "type": "final"}, {"key": "rejected", "type": "final"}
  ],
  "transitions": [
    {"trigger": "submit", "from": "draft", "to": "review"},
    {"trigger": "approve", "from": "review", "to": "approved"},
    {"trigger": "reject", "from": "review", "to": "rejected"}
  ]}`
}

// tickBoth runs one tick on each runner at once and sums what they did.
func tickBoth(t *testing.T, runners ...*workflow.Service) (workflow.TickResult, int) {
	t.Helper()
	var (
		mu   sync.Mutex
		sum  workflow.TickResult
		held int
		wg   sync.WaitGroup
	)
	for _, r := range runners {
		wg.Add(1)
		go func(r *workflow.Service) {
			defer wg.Done()
			res, err := r.Tick(t.Context())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if res.Held {
				held++
			}
			sum.Reminded += res.Reminded
			sum.Overdue += res.Overdue
			sum.Escalated += res.Escalated
			sum.Approved += res.Approved
			sum.Returned += res.Returned
			sum.Failed += res.Failed
		}(r)
	}
	wg.Wait()
	return sum, held
}

func TestSLARemindsAndEscalatesOnceAcrossRunners(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "timed", slaFlow("escalate"))
	other := e.newService() // a second server instance on the same store
	// Thursday 16:00 before the Mid-Autumn holiday (Sep 25-27).
	e.clk.Set(time.Date(2026, 9, 24, 16, 0, 0, 0, cst))
	id := e.create(e.clerk, map[string]any{"member": "时限", "store": e.shop})
	_, err := e.fire(e.clerk, id, "submit")
	e.must(err)
	task := e.onlyTask(e.storeMgr)
	// 8 working hours: 2 on Thursday, then Monday 09-12 and 13-16.
	if task.DueAt != "2026-09-28T08:00:00.000Z" || task.RemindAt != "2026-09-28T06:00:00.000Z" {
		t.Fatalf("due %s remind %s, want Monday 16:00 and 14:00 Beijing time", task.DueAt, task.RemindAt)
	}

	e.clk.Set(time.Date(2026, 9, 27, 23, 0, 0, 0, cst)) // still the holiday
	if res, held := tickBoth(t, e.wf, other); held != 1 || res != (workflow.TickResult{}) {
		t.Fatalf("during the holiday: %+v (held by %d)", res, held)
	}
	e.clk.Set(time.Date(2026, 9, 28, 14, 30, 0, 0, cst))
	if res, held := tickBoth(t, e.wf, other); held != 1 || res.Reminded != 1 || res.Escalated != 0 {
		t.Fatalf("at the reminder: %+v (held by %d)", res, held)
	}
	if res, _ := tickBoth(t, e.wf, other); res.Reminded != 0 {
		t.Fatalf("reminded twice: %+v", res)
	}
	e.clk.Set(time.Date(2026, 9, 28, 16, 1, 0, 0, cst))
	res, held := tickBoth(t, e.wf, other)
	if held != 1 || res.Escalated != 1 {
		t.Fatalf("at the deadline: %+v (held by %d)", res, held)
	}
	if n := len(e.pending(e.storeMgr)); n != 0 {
		t.Errorf("the store manager keeps %d tasks", n)
	}
	up := e.onlyTask(e.regionMgr)
	if up.Escalations != 1 || up.DelegatedFrom != e.storeMgr.UserID || up.DueAt != "2026-09-29T08:01:00.000Z" {
		t.Errorf("escalated task %+v", up)
	}
	if n := e.events("workflow.task.escalated", id); n != 1 {
		t.Errorf("%d escalation events", n)
	}
	if n := e.events("workflow.task.reminder", id); n != 1 {
		t.Errorf("%d reminder events", n)
	}
	if res, _ := tickBoth(t, e.wf, other); res.Escalated != 0 {
		t.Fatalf("escalated twice: %+v", res)
	}
	// The lease expires when its holder stops ticking: a runner alone
	// takes over after LeaseTTL.
	e.clk.Set(time.Date(2026, 9, 28, 16, 1, 0, 0, cst).Add(workflow.LeaseTTL + time.Second))
	r1, _ := e.wf.Tick(t.Context())
	r2, _ := other.Tick(t.Context())
	if r1.Held == r2.Held {
		t.Errorf("after expiry exactly one runner must hold the lease: %v %v", r1.Held, r2.Held)
	}
	// The escalated task may climb once (escalations: 1): past its own
	// deadline it is only marked overdue.
	e.clk.Set(time.Date(2026, 9, 29, 17, 0, 0, 0, cst))
	res, _ = tickBoth(t, e.wf, other)
	if res.Overdue != 1 || res.Escalated != 0 {
		t.Fatalf("second deadline: %+v", res)
	}
	page, err := e.wf.Inbox(e.ctx, e.regionMgr, workflow.InboxQuery{Due: workflow.DueOverdue})
	e.must(err)
	if len(page.Tasks) != 1 || !page.Tasks[0].Overdue || page.Counts.Overdue != 1 {
		t.Errorf("overdue inbox %+v", page)
	}
	got := kinds(e.view(e.clerk, id))
	// The escalated task has its own deadline and reminder.
	if want := []string{"transition", "remind", "escalate", "remind", "overdue"}; !slices.Equal(got, want) {
		t.Errorf("timeline %v, want %v", got, want)
	}
}

func TestSLAAutoApproveAndAutoReturn(t *testing.T) {
	for _, tc := range []struct{ onTimeout, state string }{{"approve", "approved"}, {"return", "draft"}} {
		t.Run(tc.onTimeout, func(t *testing.T) {
			e := newEnv(t)
			e.define(meta.KindFlow, "timed", slaFlow(tc.onTimeout))
			e.clk.Set(time.Date(2026, 2, 13, 17, 0, 0, 0, cst)) // the Friday before the Spring Festival
			id := e.create(e.clerk, map[string]any{"member": "自动", "store": e.shop})
			_, err := e.fire(e.clerk, id, "submit")
			e.must(err)
			// 8 hours: 1 on Friday, 7 on the make-up Saturday Feb 14.
			if due := e.onlyTask(e.storeMgr).DueAt; due != "2026-02-14T09:00:00.000Z" {
				t.Fatalf("due %s, want Saturday Feb 14 17:00 Beijing time (a make-up workday)", due)
			}
			e.clk.Set(time.Date(2026, 2, 14, 17, 30, 0, 0, cst))
			res, err := e.wf.Tick(e.ctx)
			e.must(err)
			if res.Approved+res.Returned != 1 {
				t.Fatalf("tick %+v", res)
			}
			if st := e.record(id)["_state"]; st != tc.state {
				t.Fatalf("state %v, want %s", st, tc.state)
			}
			v := e.view(e.clerk, id)
			last := v.Timeline[len(v.Timeline)-2]
			if last.By != "system" || !strings.Contains(last.Kind, map[string]string{"approve": "approve", "return": "return"}[tc.onTimeout]) {
				t.Errorf("the SLA's decision on the timeline: %+v", last)
			}
		})
	}
}
