package workflow

import (
	"context"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
)

// Messages of the workflow engine, zh-CN first and English second. Codes
// are stable and what programs match on.
var messages = map[string][2]string{
	"workflow.not_found":            {"表单“%s”没有已发布的流程", "form %q has no published workflow"},
	"workflow.not_allowed":          {"当前状态“%s”下不能执行“%s”", "in state %q, %q is not allowed"},
	"workflow.guard_failed":         {"记录不满足“%s”的条件", "the record does not meet the conditions of %q"},
	"workflow.guard_error":          {"流程条件计算出错：%s", "a workflow condition failed: %s"},
	"workflow.approval_pending":     {"“%s”由审批结果决定，请在待办任务中审批", "%q follows from the approval; decide the task instead"},
	"workflow.finished":             {"流程已结束（%s）", "the workflow has ended (%s)"},
	"workflow.comment_required":     {"请填写意见", "a comment is required"},
	"workflow.comment_too_long":     {"意见最多 %d 个字", "a comment has at most %d characters"},
	"workflow.attachments":          {"最多 %d 个附件", "at most %d attachments"},
	"workflow.attachment_not_found": {"附件 %s 不存在，或不是你为该表单上传的", "attachment %s does not exist or was not uploaded by you for this form"},
	"workflow.no_assignee":          {"状态“%s”找不到审批人", "no approver found for state %q"},
	"workflow.task_not_found":       {"待办任务不存在", "the task does not exist"},
	"workflow.task_closed":          {"该任务已处理（%s）", "the task is already closed (%s)"},
	"workflow.not_submitter":        {"只有提交人可以撤回", "only the submitter may withdraw"},
	"workflow.no_approval":          {"当前没有进行中的审批", "no approval is open"},
	"workflow.return_target":        {"不能退回到“%s”", "cannot return to %q"},
	"workflow.return_step":          {"只能退回到之前的审批步骤（1 到 %d）", "return to an earlier step (1 to %d)"},
	"workflow.bad_user":             {"用户 %s 不存在或已停用", "user %s does not exist or is disabled"},
	"workflow.already_assigned":     {"%s 已是当前步骤的审批人", "%s already approves the current step"},
	"workflow.not_permitted":        {"该审批不允许%s", "this approval does not allow %s"},
	"workflow.busy":                 {"记录正被同时处理，请重试", "the record is being changed concurrently; retry"},
	"workflow.bad_decision":         {"不支持的审批操作“%s”", "unknown decision %q"},
	"workflow.inbox_status":         {"不支持的任务状态“%s”，可选 pending、done、all", "unknown status %q: use pending, done or all"},
	"workflow.inbox_due":            {"不支持的期限“%s”，可选 overdue、today、week", "unknown due filter %q: use overdue, today or week"},
	"workflow.inbox_cursor":         {"分页游标无效", "the cursor is not valid"},
}

// Names of the decisions in messages.
var decisionNames = map[string][2]string{
	DecisionDelegate:  {"转交", "delegating"},
	DecisionAddSigner: {"加签", "adding a signer"},
	"withdraw":        {"撤回", "withdrawing"},
}

func msg(lang, code string, args ...any) string { return i18n.Message(messages, lang, code, args...) }

// coded builds a coded error whose message is in lang.
func coded(lang string, class errs.Class, code string, args ...any) *errs.Error {
	return &errs.Error{Class: class, Code: code, Msg: msg(lang, code, args...)}
}

// fieldProblem is a 422 pointing at one field of a request body.
func fieldProblem(lang, path, code string, args ...any) *errs.Error {
	m := msg(lang, code, args...)
	return &errs.Error{Class: errs.Unprocessable, Code: code, Msg: m, Fields: []errs.FieldError{{Path: path, Code: code, Message: m}}}
}

func decisionName(lang, d string) string {
	n, ok := decisionNames[d]
	if !ok {
		return d
	}
	if i18n.IsEnglish(lang) {
		return n[1]
	}
	return n[0]
}

// langOf is the message language a request asked for.
func langOf(ctx context.Context) string { return form.LangOf(ctx) }
