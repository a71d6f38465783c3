package workflow_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/workflow"
)

// upgradeFlow is the member upgrade approval: the store manager of the
// record's store approves, then the manager of the region above it.
const upgradeFlow = `{"title": "会员升级审批", "form": "upgrades", "initial": "draft",
  "states": [
    {"key": "draft", "label": {"zh-CN": "草稿", "en": "Draft"}},
    {"key": "review", "type": "approval", "label": "审批中",
     "approval": {"mode": "sequential", "assignees": [
       {"unit": {"field": "store", "position": "store_manager"}},
       {"unit": {"field": "store", "position": "region_manager", "up": 1}}]}},
    {"key": "approved", "type": "final", "onEnter": [{"type": "record.set", "config": {"values": {"result": "$to"}}}]},
    {"key": "rejected", "type": "final"}
  ],
  "transitions": [
    {"trigger": "submit", "from": "draft", "to": "review"},
    {"trigger": "approve", "from": "review", "to": "approved"},
    {"trigger": "reject", "from": "review", "to": "rejected"}
  ]}`

func TestSequentialMemberUpgrade(t *testing.T) {
	for name, uri := range map[string]string{"sqlite": "", "lungo": "lungo://memory"} {
		t.Run(name, func(t *testing.T) {
			var e *env
			if uri == "" {
				e = newEnv(t)
			} else {
				e = newEnvOn(t, uri)
			}
			e.define(meta.KindFlow, "upgrade", upgradeFlow)
			id := e.create(e.clerk, map[string]any{"member": "王芳", "store": e.shop, "points": 1200, "tier": "gold"})

			v := e.view(e.clerk, id)
			if v.Started || v.State != "draft" || len(v.Transitions) != 1 || v.Transitions[0].Trigger != "submit" {
				t.Fatalf("before the first transition: %+v", v)
			}
			v, err := e.fire(e.clerk, id, "submit", workflow.Input{Comment: "老客户，消费达标"})
			e.must(err)
			if v.State != "review" || v.Approval == nil || v.Approval.Step != 1 || v.Approval.Steps != 2 || v.Approval.Submitter != e.clerk.UserID {
				t.Fatalf("after submit: %+v approval %+v", v, v.Approval)
			}
			if len(v.Transitions) != 0 {
				t.Errorf("approve/reject are the approval's to fire, yet offered: %+v", v.Transitions)
			}
			if rec := e.record(id); rec["_state"] != "review" || rec["_version"] == nil {
				t.Errorf("record state %v", rec["_state"])
			}
			if n := len(e.pending(e.regionMgr)); n != 0 {
				t.Fatalf("the region manager has %d tasks before the store manager decided", n)
			}
			// Approving directly is refused: the approval decides.
			_, err = e.fire(e.clerk, id, "approve")
			wantCode(t, err, "workflow.approval_pending")

			t1 := e.onlyTask(e.storeMgr)
			if t1.Title != "王芳" || t1.Step != 1 || t1.Mode != workflow.ModeSequential {
				t.Errorf("store manager's task %+v", t1)
			}
			// Someone else cannot decide it.
			_, err = e.decide(e.regionMgr, t1.ID, workflow.DecisionApprove)
			wantCode(t, err, "workflow.task_not_found")
			done, err := e.decide(e.storeMgr, t1.ID, workflow.DecisionApprove, workflow.Decision{Input: workflow.Input{Comment: "同意"}})
			e.must(err)
			if done.Status != workflow.TaskApproved || done.Comment != "同意" || done.DecidedBy != e.storeMgr.UserID {
				t.Errorf("decided task %+v", done)
			}
			if st := e.record(id)["_state"]; st != "review" {
				t.Fatalf("after step 1 the record is %v, want still review", st)
			}
			t2 := e.onlyTask(e.regionMgr)
			if t2.Step != 2 {
				t.Errorf("region manager's task at step %d", t2.Step)
			}
			_, err = e.decide(e.storeMgr, t1.ID, workflow.DecisionApprove)
			wantCode(t, err, "workflow.task_closed")
			_, err = e.decide(e.regionMgr, t2.ID, workflow.DecisionApprove)
			e.must(err)

			rec := e.record(id)
			if rec["_state"] != "approved" || rec["result"] != "approved" {
				t.Fatalf("after step 2: state %v result %v", rec["_state"], rec["result"])
			}
			if fv, _ := rec["_flowVersion"].(interface{ String() string }); fv == nil || fv.String() != "1" {
				t.Errorf("_flowVersion %v", rec["_flowVersion"])
			}
			v = e.view(e.clerk, id)
			if !v.Finished || v.Approval != nil || len(v.Transitions) != 0 {
				t.Errorf("finished view %+v", v)
			}
			want := []string{"transition", "approve", "approve", "transition"}
			if got := kinds(v); !slices.Equal(got, want) {
				t.Errorf("timeline %v, want %v", got, want)
			}
			if v.Timeline[0].Comment != "老客户，消费达标" || v.Timeline[0].From != "draft" || v.Timeline[3].To != "approved" {
				t.Errorf("timeline entries %+v", v.Timeline)
			}
			if n := e.events("workflow.transition", id); n != 2 {
				t.Errorf("%d transition events, want 2", n)
			}
			if n := e.events("workflow.task.created", id); n != 2 {
				t.Errorf("%d task events, want 2", n)
			}
			// The record's own history shows the transitions among its changes.
			hist, err := e.rec.History(e.ctx, e.clerk, "crm", "upgrades", id)
			e.must(err)
			var ops []string
			for _, h := range hist {
				ops = append(ops, h.Op)
			}
			if !slices.Equal(ops, []string{"update", "transition", "transition", "create"}) {
				t.Errorf("record history ops %v", ops)
			}
			if hist[1].New["_state"] != "approved" || hist[1].Old["_state"] != "review" {
				t.Errorf("transition revision %+v", hist[1])
			}
			// A finished flow takes no more transitions.
			_, err = e.fire(e.clerk, id, "submit")
			wantCode(t, err, "workflow.finished")
			// The decided tasks are in the deciders' done lists.
			page, err := e.wf.Inbox(e.ctx, e.storeMgr, workflow.InboxQuery{Status: workflow.InboxDone})
			e.must(err)
			if len(page.Tasks) != 1 || page.Counts.Done != 1 || page.Counts.Pending != 0 {
				t.Errorf("store manager's done inbox %+v", page)
			}
		})
	}
}

// allFlow needs three signers (会签) named by user id.
func allFlow(a, b, c string) string {
	return fmt.Sprintf(`{"title": "会签", "form": "upgrades", "initial": "draft",
  "states": [
    {"key": "draft"},
    {"key": "review", "type": "approval", "approval": {"mode": "all",
      "assignees": [{"user": %q}, {"user": %q}, {"user": %q}], "returnTo": ["draft"]}},
    {"key": "approved", "type": "final"}, {"key": "rejected", "type": "final"}
  ],
  "transitions": [
    {"trigger": "submit", "from": "draft", "to": "review"},
    {"trigger": "approve", "from": "review", "to": "approved"},
    {"trigger": "reject", "from": "review", "to": "rejected"}
  ]}`, a, b, c)
}

func TestAllMustApprove(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "countersign", allFlow(e.a.UserID, e.b.UserID, e.c.UserID))
	id := e.create(e.clerk, map[string]any{"member": "李雷", "points": 10})
	_, err := e.fire(e.clerk, id, "submit")
	e.must(err)
	for _, signer := range []*auth.Principal{e.a, e.b} {
		_, err := e.decide(signer, e.onlyTask(signer).ID, workflow.DecisionApprove)
		e.must(err)
		if st := e.record(id)["_state"]; st != "review" {
			t.Fatalf("after %s approved the record is %v; all three must approve", signer.Username, st)
		}
	}
	v := e.view(e.clerk, id)
	approved := 0
	for _, tk := range v.Approval.Tasks {
		if tk.Status == workflow.TaskApproved {
			approved++
		}
	}
	if approved != 2 || len(v.Approval.Tasks) != 3 {
		t.Errorf("tasks %+v", v.Approval.Tasks)
	}
	_, err = e.decide(e.c, e.onlyTask(e.c).ID, workflow.DecisionApprove)
	e.must(err)
	if st := e.record(id)["_state"]; st != "approved" {
		t.Fatalf("after all three: %v", st)
	}

	// One rejection among the signers ends the approval.
	id2 := e.create(e.clerk, map[string]any{"member": "韩梅梅"})
	_, err = e.fire(e.clerk, id2, "submit")
	e.must(err)
	_, err = e.decide(e.a, e.onlyTask(e.a).ID, workflow.DecisionApprove)
	e.must(err)
	_, err = e.decide(e.b, e.onlyTask(e.b).ID, workflow.DecisionReject, workflow.Decision{Input: workflow.Input{Comment: "积分不足"}})
	e.must(err)
	if st := e.record(id2)["_state"]; st != "rejected" {
		t.Fatalf("after a rejection: %v", st)
	}
	if n := len(e.pending(e.c)); n != 0 {
		t.Errorf("c still has %d pending tasks after the rejection", n)
	}
	v = e.view(e.clerk, id2)
	if got := kinds(v); !slices.Equal(got, []string{"transition", "approve", "reject", "transition"}) {
		t.Errorf("timeline %v", got)
	}
}

func TestConcurrentDecisionsOneWins(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "upgrade", upgradeFlow)
	id := e.create(e.clerk, map[string]any{"member": "并发", "store": e.shop})
	_, err := e.fire(e.clerk, id, "submit")
	e.must(err)
	task := e.onlyTask(e.storeMgr)
	const n = 8
	var wg sync.WaitGroup
	errsCh := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			action := workflow.DecisionApprove
			if i%2 == 1 {
				action = workflow.DecisionReject
			}
			_, err := e.decide(e.storeMgr, task.ID, action)
			errsCh <- err
		}(i)
	}
	wg.Wait()
	close(errsCh)
	ok := 0
	for err := range errsCh {
		if err == nil {
			ok++
			continue
		}
		wantCode(t, err, "workflow.task_closed")
	}
	if ok != 1 {
		t.Fatalf("%d decisions applied, want exactly 1", ok)
	}
	v := e.view(e.clerk, id)
	decisions := 0
	for _, en := range v.Timeline {
		if en.Kind == workflow.KindApprove || en.Kind == workflow.KindReject {
			decisions++
		}
	}
	if decisions != 1 {
		t.Errorf("%d decisions on the timeline: %v", decisions, kinds(v))
	}
	if st := e.record(id)["_state"]; st != "review" && st != "rejected" {
		t.Errorf("state %v", st)
	}
}
