package workflow_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/workflow"
)

// reviewFlow: a clerk drafts, an approval by the record's reviewer field
// (any one) or the submitter's manager chain, with returns to draft.
func reviewFlow(mode, assignees string) string {
	return fmt.Sprintf(`{"title": "审批", "form": "upgrades", "initial": "draft",
  "states": [
    {"key": "draft"},
    {"key": "check", "label": "复核"},
    {"key": "review", "type": "approval", "approval": {"mode": %q, "assignees": %s, "returnTo": ["draft", "check"]}},
    {"key": "approved", "type": "final"}, {"key": "rejected", "type": "final"}
  ],
  "transitions": [
    {"trigger": "submit", "from": ["draft", "check"], "to": "review"},
    {"trigger": "approve", "from": "review", "to": "approved"},
    {"trigger": "reject", "from": "review", "to": "rejected", "comment": "required"},
    {"trigger": "recheck", "from": "draft", "to": "check"}
  ]}`, mode, assignees)
}

func TestReturnDelegateAddSignerWithdraw(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindFlow, "review", reviewFlow("sequential", `[{"field": "reviewer"}, {"manager": {"levels": 2}}]`))
	id := e.create(e.clerk, map[string]any{"member": "张伟", "reviewer": e.a.UserID})
	v, err := e.fire(e.clerk, id, "submit")
	e.must(err)
	// Steps: the reviewer field (a), then the clerk's chain: the store
	// manager, then the region manager.
	if v.Approval.Steps != 3 {
		t.Fatalf("steps %d, want 3 (field + two manager levels)", v.Approval.Steps)
	}

	// a delegates to b: the task moves, the step stays.
	ta := e.onlyTask(e.a)
	_, err = e.decide(e.a, ta.ID, workflow.DecisionDelegate, workflow.Decision{User: e.a.UserID})
	wantCode(t, err, "workflow.already_assigned")
	_, err = e.decide(e.a, ta.ID, workflow.DecisionDelegate, workflow.Decision{User: "nobody"})
	wantCode(t, err, "workflow.bad_user")
	d, err := e.decide(e.a, ta.ID, workflow.DecisionDelegate, workflow.Decision{User: e.b.UserID, Input: workflow.Input{Comment: "出差，转交"}})
	e.must(err)
	if d.Status != workflow.TaskDelegated || d.DelegatedTo != e.b.UserID {
		t.Errorf("delegated task %+v", d)
	}
	tb := e.onlyTask(e.b)
	if tb.DelegatedFrom != e.a.UserID || tb.Step != 1 {
		t.Errorf("delegate's task %+v", tb)
	}
	// b adds c as a signer: c's approval becomes the step after b's.
	_, err = e.decide(e.b, tb.ID, workflow.DecisionAddSigner, workflow.Decision{User: e.c.UserID})
	e.must(err)
	if v := e.view(e.clerk, id); v.Approval.Steps != 4 {
		t.Fatalf("steps after adding a signer %d, want 4", v.Approval.Steps)
	}
	_, err = e.decide(e.b, tb.ID, workflow.DecisionApprove)
	e.must(err)
	tc := e.onlyTask(e.c)
	if tc.Step != 2 {
		t.Errorf("added signer at step %d, want 2", tc.Step)
	}
	_, err = e.decide(e.c, tc.ID, workflow.DecisionApprove)
	e.must(err)
	// Step 3: the store manager returns to step 1 (the delegate decides again).
	tm := e.onlyTask(e.storeMgr)
	_, err = e.decide(e.storeMgr, tm.ID, workflow.DecisionReturn, workflow.Decision{Step: 3})
	wantCode(t, err, "workflow.return_step")
	_, err = e.decide(e.storeMgr, tm.ID, workflow.DecisionReturn, workflow.Decision{Step: 1, Input: workflow.Input{Comment: "请补充材料"}})
	e.must(err)
	tb2 := e.onlyTask(e.b)
	if tb2.Step != 1 || tb2.ID == tb.ID {
		t.Errorf("after the return to step 1: %+v", tb2)
	}
	// b sends the record back to a state outside the allowed ones: refused.
	_, err = e.decide(e.b, tb2.ID, workflow.DecisionReturn, workflow.Decision{To: "approved"})
	wantCode(t, err, "workflow.return_target")
	_, err = e.decide(e.b, tb2.ID, workflow.DecisionReturn, workflow.Decision{To: "check"})
	e.must(err)
	if st := e.record(id)["_state"]; st != "check" {
		t.Fatalf("returned to %v, want check", st)
	}
	if n := len(e.pending(e.b)) + len(e.pending(e.storeMgr)); n != 0 {
		t.Errorf("%d tasks left pending after the return", n)
	}

	// Submitted again from check: a new round.
	v, err = e.fire(e.clerk, id, "submit")
	e.must(err)
	if v.Approval.Round != 2 || v.Approval.From != "check" {
		t.Errorf("second round %+v", v.Approval)
	}
	// Only the submitter withdraws.
	_, err = e.wf.Withdraw(e.ctx, e.storeMgr, "crm", "upgrades", id, workflow.Input{})
	wantCode(t, err, "workflow.not_submitter")
	v, err = e.wf.Withdraw(e.ctx, e.clerk, "crm", "upgrades", id, workflow.Input{Comment: "信息有误，撤回"})
	e.must(err)
	if v.State != "check" || v.Approval != nil {
		t.Fatalf("after withdrawing: %s %+v", v.State, v.Approval)
	}
	page, err := e.wf.Inbox(e.ctx, e.a, workflow.InboxQuery{Status: workflow.InboxAll})
	e.must(err)
	var statuses []string
	for _, tk := range page.Tasks {
		statuses = append(statuses, tk.Status)
	}
	if !slices.Contains(statuses, workflow.TaskWithdrawn) {
		t.Errorf("a's tasks after the withdrawal: %v", statuses)
	}
	_, err = e.wf.Withdraw(e.ctx, e.clerk, "crm", "upgrades", id, workflow.Input{})
	wantCode(t, err, "workflow.no_approval")

	// A rejection needs a comment (the reject transition says so).
	_, err = e.fire(e.clerk, id, "submit")
	e.must(err)
	ta3 := e.onlyTask(e.a)
	_, err = e.decide(e.a, ta3.ID, workflow.DecisionReject)
	wantCode(t, err, "workflow.comment_required")
	_, err = e.decide(e.a, ta3.ID, workflow.DecisionReject, workflow.Decision{Input: workflow.Input{Comment: "不符合条件"}})
	e.must(err)
	if st := e.record(id)["_state"]; st != "rejected" {
		t.Fatalf("state %v, want rejected", st)
	}
	got := kinds(e.view(e.clerk, id))
	want := []string{"transition", "delegate", "add_signer", "approve", "approve", "return", "return", "transition",
		"transition", "withdraw", "transition", "transition", "reject", "transition"}
	if !slices.Equal(got, want) {
		t.Errorf("timeline\n got %v\nwant %v", got, want)
	}
}

func TestRoleAssigneesAndApproversOutsideTheScope(t *testing.T) {
	e := newEnv(t)
	e.define(meta.KindRole, "auditor", `{"title": "审计", "permissions": [{"kind": "dashboard", "key": "*", "actions": ["read"]}]}`)
	auditor := e.user("auditor.1", "", "", "auditor")
	e.define(meta.KindFlow, "review", reviewFlow("any", `[{"role": "auditor"}]`))
	id := e.create(e.clerk, map[string]any{"member": "审计"})
	_, err := e.fire(e.clerk, id, "submit")
	e.must(err)
	task := e.onlyTask(auditor)
	// The auditor cannot read upgrade records, yet sees the workflow of
	// the one they are asked to decide, and nothing else.
	if _, err := e.rec.Get(e.ctx, auditor, "crm", "upgrades", id); err == nil {
		t.Fatal("the auditor role reads upgrades; the test needs it not to")
	}
	if v := e.view(auditor, id); v.Approval == nil || v.Approval.MyTask != task.ID || len(v.Transitions) != 0 {
		t.Errorf("auditor's view %+v", v)
	}
	other := e.create(e.clerk, map[string]any{"member": "无关"})
	if _, err := e.wf.View(e.ctx, auditor, "crm", "upgrades", other); err == nil {
		t.Error("the auditor sees the workflow of a record without a task")
	}
	if _, err := e.decide(auditor, task.ID, workflow.DecisionApprove); err != nil {
		t.Fatal(err)
	}
	if st := e.record(id)["_state"]; st != "approved" {
		t.Errorf("state %v", st)
	}
	// An approval whose sources name nobody: refused unless it says to approve.
	e.define(meta.KindFlow, "review", reviewFlow("any", `[{"role": "nobody-has-it"}]`))
	id2 := e.create(e.clerk, map[string]any{"member": "无人"})
	_, err = e.fire(e.clerk, id2, "submit")
	wantCode(t, err, "workflow.no_assignee")
	e.define(meta.KindFlow, "review", strings.Replace(reviewFlow("any", `[{"role": "nobody-has-it"}]`), `"mode": "any"`, `"mode": "any", "empty": "approve"`, 1))
	if _, err := e.fire(e.clerk, id2, "submit"); err != nil {
		t.Fatal(err)
	}
	if st := e.record(id2)["_state"]; st != "approved" {
		t.Errorf("an approval with nobody to ask and empty=approve ended in %v", st)
	}
}
