package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/server/api/apitest"
)

// wfWorld is app crm with a member upgrade approval over HTTP: HQ > East
// region > store SH001, a clerk, the store manager, the region manager, an
// outsider, and the flow "upgrade" (store manager, then region manager).
type wfWorld struct {
	h                                 *apitest.Harness
	shop                              string
	clerk, storeMgr, regionMgr, other *apitest.Harness
	ids                               map[string]string // username -> user id
}

const wfRecords = "/api/apps/crm/forms/upgrades/records"

func wfSetup(t *testing.T) *wfWorld {
	t.Helper()
	h := apitest.New(t)
	w := &wfWorld{h: h, ids: map[string]string{}}
	h.Expect(h.Do("POST", "/api/apps/crm/meta/app/crm", appSpec), 201, "")
	define := func(kind, key string, spec any) {
		h.Expect(h.Do("POST", "/api/apps/crm/meta/"+kind+"/"+key, map[string]any{"spec": spec}), 201, "")
		h.Expect(h.Do("POST", "/api/apps/crm/meta/"+kind+"/"+key+"/publish", nil), 200, "")
	}
	define("form", "upgrades", map[string]any{"title": "会员升级申请", "titleField": "member", "fields": []any{
		map[string]any{"key": "member", "type": "text", "label": "会员", "required": true},
		map[string]any{"key": "store", "type": "orgunit", "label": "门店"},
		map[string]any{"key": "points", "type": "number", "label": "积分"},
		map[string]any{"key": "proof", "type": "attachment", "label": "证明", "accept": []any{"application/pdf"}},
	}})
	define("role", "staff", map[string]any{"title": "员工", "permissions": []any{
		map[string]any{"kind": "form", "key": "upgrades", "actions": []any{"read", "create", "update"}},
		map[string]any{"kind": "flow", "key": "upgrade", "actions": []any{"transition"}},
	}})
	unit := func(kind, name, code, parent string) string {
		body := map[string]any{"kind": kind, "name": name, "code": code}
		if parent != "" {
			body["parentId"] = parent
		}
		return h.Expect(h.Do("POST", "/api/org/units", body), 201, "")["id"].(string)
	}
	hq := unit("hq", "总部", "HQ", "")
	region := unit("region", "华东区", "EAST", hq)
	w.shop = unit("store", "南京西路店", "SH001", region)
	user := func(name, unit, position string, staff bool) *apitest.Harness {
		body := map[string]any{"username": name, "displayName": name, "password": apitest.AdminPassword}
		if unit != "" {
			body["memberships"] = []any{map[string]any{"unitId": unit, "position": position}}
		}
		if staff {
			body["roles"] = []any{map[string]any{"app": "crm", "role": "staff"}}
		}
		w.ids[name] = h.Expect(h.Do("POST", "/api/users", body), 201, "")["id"].(string)
		return h.As(h.Login(name, apitest.AdminPassword))
	}
	w.clerk = user("clerk", w.shop, "store_clerk", true)
	w.storeMgr = user("store.mgr", w.shop, "store_manager", true)
	w.regionMgr = user("region.mgr", region, "region_manager", true)
	w.other = user("other", "", "", false)
	define("flow", "upgrade", map[string]any{"title": "会员升级审批", "form": "upgrades", "initial": "draft",
		"states": []any{
			map[string]any{"key": "draft", "label": map[string]any{"zh-CN": "草稿", "en": "Draft"}},
			map[string]any{"key": "review", "type": "approval", "approval": map[string]any{"mode": "sequential", "assignees": []any{
				map[string]any{"unit": map[string]any{"field": "store", "position": "store_manager"}},
				map[string]any{"unit": map[string]any{"field": "store", "position": "region_manager", "up": 1}},
			}}, "sla": map[string]any{"hours": 16, "onTimeout": "escalate"}},
			map[string]any{"key": "approved", "type": "final"},
			map[string]any{"key": "rejected", "type": "final"},
		},
		"transitions": []any{
			map[string]any{"trigger": "submit", "from": "draft", "to": "review", "label": "提交"},
			map[string]any{"trigger": "approve", "from": "review", "to": "approved"},
			map[string]any{"trigger": "reject", "from": "review", "to": "rejected"},
		}})
	return w
}

// newRequest creates an upgrade request as the clerk.
func (w *wfWorld) newRequest(member string) string {
	return w.h.Expect(w.clerk.Do("POST", wfRecords, map[string]any{"member": member, "store": w.shop, "points": 1200}), 201, "")["_id"].(string)
}

// task returns the one pending task of a user.
func (w *wfWorld) task(as *apitest.Harness) map[string]any {
	w.h.T.Helper()
	page := w.h.Expect(as.Do("GET", "/api/tasks", nil), 200, "")
	tasks := page["tasks"].([]any)
	if len(tasks) != 1 {
		w.h.T.Fatalf("%d pending tasks, want 1: %v", len(tasks), page)
	}
	return tasks[0].(map[string]any)
}

func TestWorkflowMemberUpgradeOverHTTP(t *testing.T) {
	w := wfSetup(t)
	h := w.h
	id := w.newRequest("王芳")
	rec := wfRecords + "/" + id

	v := h.Expect(w.clerk.Do("GET", rec+"/workflow", nil), 200, "")
	if v["state"] != "draft" || v["started"] != false || len(v["transitions"].([]any)) != 1 {
		t.Fatalf("before submitting: %v", v)
	}
	// Bad bodies write nothing.
	h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", `{"comment": `), 400, "request.malformed")
	h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", map[string]any{"comment": "x", "colour": "red"}), 400, "request.unknown_field")
	h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", map[string]any{"comment": 42}), 400, "request.type")
	h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", map[string]any{"comment": strings.Repeat("长", 2001)}), 422, "workflow.comment_too_long")
	h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", map[string]any{"attachments": []any{"nope"}}), 422, "workflow.attachment_not_found")
	h.Expect(w.clerk.Do("POST", rec+"/transitions/fly", nil), 409, "workflow.not_allowed")
	h.Expect(w.other.Do("POST", rec+"/transitions/submit", nil), 403, "access.forbidden")
	h.Expect(w.clerk.Do("POST", wfRecords+"/nope/transitions/submit", nil), 404, "")
	if v := h.Expect(w.clerk.Do("GET", rec+"/workflow", nil), 200, ""); v["started"] != false || len(v["timeline"].([]any)) != 0 {
		t.Fatalf("refused requests left traces: %v", v)
	}

	// Submit with a comment and an attachment the clerk uploaded.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "会员卡.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4\n%proof of purchases\n"))
	_ = mw.Close()
	file := h.Expect(w.clerk.Do("POST", "/api/apps/crm/forms/upgrades/files?field=proof", body.Bytes(),
		"Content-Type: "+mw.FormDataContentType()), 201, "")["id"].(string)
	h.Expect(w.storeMgr.Do("POST", rec+"/transitions/submit", map[string]any{"attachments": []any{file}}), 422, "workflow.attachment_not_found")
	v = h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", map[string]any{"comment": "年消费满 2 万", "attachments": []any{file}}), 200, "")
	if v["state"] != "review" {
		t.Fatalf("after submit: %v", v)
	}
	h.Expect(w.clerk.Do("POST", rec+"/transitions/approve", nil), 409, "workflow.approval_pending")
	if r := h.Expect(w.clerk.Do("GET", rec, nil), 200, ""); r["_state"] != "review" {
		t.Errorf("record _state %v", r["_state"])
	}

	// The inbox: the store manager has it, with a deadline; nobody else.
	page := h.Expect(w.storeMgr.Do("GET", "/api/tasks?app=crm", nil), 200, "")
	counts := page["counts"].(map[string]any)
	if fmt.Sprint(counts["pending"]) != "1" || fmt.Sprint(counts["done"]) != "0" {
		t.Errorf("counts %v", counts)
	}
	task := page["tasks"].([]any)[0].(map[string]any)
	if task["title"] != "王芳" || task["dueAt"] == nil || task["assignee"] != w.ids["store.mgr"] {
		t.Errorf("task %v", task)
	}
	tid := task["id"].(string)
	if n := len(h.Expect(w.regionMgr.Do("GET", "/api/tasks", nil), 200, "")["tasks"].([]any)); n != 0 {
		t.Errorf("region manager sees %d tasks before step 1 is done", n)
	}
	h.Expect(w.other.Do("GET", "/api/tasks/"+tid, nil), 404, "workflow.task_not_found")
	h.Expect(w.other.Do("POST", "/api/tasks/"+tid+"/approve", nil), 404, "workflow.task_not_found")
	h.Expect(w.other.Do("GET", rec+"/workflow", nil), 403, "access.forbidden")
	h.Expect(w.storeMgr.Do("GET", "/api/tasks?status=maybe", nil), 422, "workflow.inbox_status")
	h.Expect(w.storeMgr.Do("GET", "/api/tasks?due=yesterday", nil), 422, "workflow.inbox_due")
	h.Expect(w.storeMgr.Do("GET", "/api/tasks?limit=100000", nil), 400, "request.query")
	h.Expect(w.storeMgr.Do("GET", "/api/tasks?cursor=garbage", nil), 422, "workflow.inbox_cursor")
	h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+tid+"/approve", map[string]any{"user": "x"}), 400, "request.unknown_field")
	h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+tid+"/delegate", map[string]any{}), 400, "request.required")
	h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+tid+"/delegate", map[string]any{"user": "ghost"}), 422, "workflow.bad_user")
	h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+tid+"/return", map[string]any{"to": "approved"}), 422, "workflow.return_target")
	// The submitter alone may withdraw.
	h.Expect(w.storeMgr.Do("POST", rec+"/workflow/withdraw", nil), 403, "workflow.not_submitter")

	// The caller's view offers the task; the store manager approves.
	if av := h.Expect(w.storeMgr.Do("GET", rec+"/workflow", nil), 200, "")["approval"].(map[string]any); av["myTask"] != tid {
		t.Errorf("approval view %v", av)
	}
	done := h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+tid+"/approve", map[string]any{"comment": "同意"}), 200, "")
	if done["status"] != "approved" {
		t.Errorf("decided %v", done)
	}
	h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+tid+"/approve", nil), 409, "workflow.task_closed")
	// Step 2, decided concurrently by several requests: one wins.
	t2 := w.task(w.regionMgr)["id"].(string)
	var wg sync.WaitGroup
	statuses := make(chan int, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- w.regionMgr.Do("POST", "/api/tasks/"+t2+"/approve", nil).Status
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for s := range statuses {
		switch s {
		case 200:
			won++
		case 409:
		default:
			t.Errorf("concurrent approval answered %d", s)
		}
	}
	if won != 1 {
		t.Fatalf("%d concurrent approvals won, want 1", won)
	}
	if r := h.Expect(w.clerk.Do("GET", rec, nil), 200, ""); r["_state"] != "approved" {
		t.Fatalf("record _state %v after both steps", r["_state"])
	}
	v = h.Expect(w.clerk.Do("GET", rec+"/workflow", nil), 200, "")
	var kinds []string
	for _, e := range v["timeline"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"].(string))
	}
	if strings.Join(kinds, ",") != "transition,approve,approve,transition" || v["finished"] != true {
		t.Errorf("timeline %v finished %v", kinds, v["finished"])
	}
	first := v["timeline"].([]any)[0].(map[string]any)
	if first["comment"] != "年消费满 2 万" || fmt.Sprint(first["attachments"]) != "["+file+"]" {
		t.Errorf("the submission's comment and attachment: %v", first)
	}
	// The attachment is downloadable by whoever sees the record's workflow
	// (the submitter, the approvers), and by no one else (without the
	// form's read right: 403, as for any file of the form).
	for name, who := range map[string]*apitest.Harness{"clerk": w.clerk, "store manager": w.storeMgr, "region manager": w.regionMgr} {
		if r := who.Do("GET", "/api/apps/crm/files/"+file, nil); r.Status != 200 || !strings.Contains(string(r.Body), "proof of purchases") {
			t.Errorf("%s downloads the attachment: %d %s", name, r.Status, r.Body)
		}
	}
	h.Expect(w.other.Do("GET", "/api/apps/crm/files/"+file, nil), 403, "access.forbidden")
	// The record's history lists the transitions.
	hist := h.Do("GET", rec+"/history", nil)
	if hist.Status != 200 || strings.Count(string(hist.Body), `"op":"transition"`) != 2 {
		t.Errorf("record history: %s", hist.Body)
	}
	if page := h.Expect(w.storeMgr.Do("GET", "/api/tasks?status=done", nil), 200, ""); len(page["tasks"].([]any)) != 1 {
		t.Errorf("store manager's done list %v", page)
	}
}

func TestWorkflowDelegateAndWithdrawOverHTTP(t *testing.T) {
	w := wfSetup(t)
	h := w.h
	id := w.newRequest("李雷")
	rec := wfRecords + "/" + id
	h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", nil), 200, "")
	tid := w.task(w.storeMgr)["id"].(string)
	d := h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+tid+"/delegate", map[string]any{"user": w.ids["region.mgr"], "comment": "休假"}), 200, "")
	if d["status"] != "delegated" || d["delegatedTo"] != w.ids["region.mgr"] {
		t.Fatalf("delegated %v", d)
	}
	nt := w.task(w.regionMgr)
	if nt["delegatedFrom"] != w.ids["store.mgr"] || fmt.Sprint(nt["step"]) != "1" {
		t.Errorf("delegate's task %v", nt)
	}
	v := h.Expect(w.clerk.Do("POST", rec+"/workflow/withdraw", map[string]any{"comment": "资料不全"}), 200, "")
	if v["state"] != "draft" || v["approval"] != nil {
		t.Fatalf("after withdrawing %v", v)
	}
	h.Expect(w.regionMgr.Do("POST", "/api/tasks/"+nt["id"].(string)+"/approve", nil), 409, "workflow.task_closed")
	h.Expect(w.clerk.Do("POST", rec+"/workflow/withdraw", nil), 409, "workflow.no_approval")
	// Submitted again; the store manager rejects.
	h.Expect(w.clerk.Do("POST", rec+"/transitions/submit", nil), 200, "")
	h.Expect(w.storeMgr.Do("POST", "/api/tasks/"+w.task(w.storeMgr)["id"].(string)+"/reject", map[string]any{"comment": "不符合条件"}), 200, "")
	if r := h.Expect(w.clerk.Do("GET", rec, nil), 200, ""); r["_state"] != "rejected" {
		t.Errorf("state %v", r["_state"])
	}
	// English messages on request.
	r := w.clerk.Do("POST", rec+"/transitions/submit", nil, "Accept-Language: en")
	if m := h.Expect(r, 409, "workflow.finished"); !strings.Contains(fmt.Sprint(m["detail"], m["title"]), "ended") {
		t.Errorf("English message: %s", r.Body)
	}
}
