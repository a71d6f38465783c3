package automation

import (
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// Messages of the automation engine, zh-CN first and English second.
// Codes are stable and what programs match on.
var messages = map[string][2]string{
	"automation.not_found":              {"自动化“%s”不存在或未发布", "automation %q does not exist or is not published"},
	"automation.disabled":               {"自动化“%s”已停用", "automation %q is disabled"},
	"automation.webhook_signature":      {"Webhook 签名无效", "the webhook signature is not valid"},
	"automation.webhook_timestamp":      {"Webhook 时间戳缺失或与当前时间相差超过 %d 秒", "the webhook timestamp is missing or more than %d seconds from now"},
	"automation.webhook_unconfigured":   {"服务器未配置该 Webhook 的密钥", "the server has no secret for this webhook"},
	"automation.webhook_body":           {"请求体必须是 JSON 对象", "the body must be a JSON object"},
	"automation.webhook_schema":         {"请求体不符合约定的格式", "the body does not match the webhook's schema"},
	"automation.webhook_too_large":      {"请求体超过 %d 字节", "the body is larger than %d bytes"},
	"automation.webhook_delivery":       {"X-Tangram-Delivery 最多 100 个可见字符", "X-Tangram-Delivery has at most 100 visible characters"},
	"automation.not_manual":             {"自动化“%s”不能手动触发", "automation %q cannot be run by hand"},
	"automation.manual_target":          {"请提供 records 或 view 之一", "give either records or view"},
	"automation.record_not_found":       {"记录 %s 不存在或无权查看", "record %s does not exist or is not visible to you"},
	"automation.too_many_records":       {"一次最多触发 %d 条记录，请缩小范围", "at most %d records at once; narrow the selection"},
	"automation.manual_input":           {"输入不符合要求", "the input does not match"},
	"automation.run_not_found":          {"运行记录不存在", "the run does not exist"},
	"automation.not_dead":               {"只能重放失败（死信）的运行，当前状态为 %s", "only dead runs can be replayed; this one is %s"},
	"automation.bad_status":             {"不支持的状态“%s”", "unknown status %q"},
	"automation.bad_cursor":             {"分页游标无效", "the cursor is not valid"},
	"automation.coupon_template":        {"找不到券模板“%s”", "no coupon template %q"},
	"automation.no_actions":             {"服务器未启用动作引擎", "the server runs no actions"},
	"automation.no_workflow":            {"服务器未启用流程引擎", "the server runs no workflows"},
	"automation.no_record":              {"该自动化没有对应的记录", "the run has no record to act on"},
	"automation.http_failed":            {"HTTP 调用失败：%s", "the HTTP call failed: %s"},
	"automation.http_status":            {"HTTP 调用返回 %d", "the HTTP call answered %d"},
	"automation.http_blocked":           {"不允许访问内网地址 %s", "calls to the private address %s are not allowed"},
	"automation.channel_unknown":        {"消息通道“%s”未配置", "the message channel %q is not configured"},
	"automation.no_recipient":           {"消息没有收件人", "the message has no recipient"},
	"automation.dispatch_no_targets":    {"没有符合条件的门店", "no store matches the targets"},
	"automation.dispatch_too_many":      {"一次最多下发 %d 个门店", "at most %d stores at once"},
	"automation.progress_bad_query":     {"查询参数无效：%s", "invalid query: %s"},
	"automation.workflow_not_started":   {"记录尚未开始流程", "the record has not started its workflow"},
	"automation.ledger_bad_amount":      {"记账数额必须是非零整数", "the amount must be a non-zero integer"},
	"automation.rule_input":             {"规则输入无效", "the rule inputs are not valid"},
	"automation.record_values":          {"字段值必须是对象", "values must be an object"},
	"automation.record_id":              {"记录编号为空", "the record id is empty"},
	"automation.wait_until":             {"等待到的时间无效：%v", "the time to wait until is not valid: %v"},
	"automation.split_subject":          {"分组依据为空", "the split has no subject"},
	"automation.condition_without_form": {"条件需要针对表单记录的触发器", "a condition needs a trigger about a form's records"},
}

func msg(lang, code string, args ...any) string { return i18n.Message(messages, lang, code, args...) }

// coded builds a coded error whose message is in lang.
func coded(lang string, class errs.Class, code string, args ...any) *errs.Error {
	return &errs.Error{Class: class, Code: code, Msg: msg(lang, code, args...)}
}

// fieldProblem is an error pointing at one part of a request by path.
func fieldProblem(lang string, class errs.Class, path, code string, args ...any) *errs.Error {
	m := msg(lang, code, args...)
	return &errs.Error{Class: class, Code: code, Msg: m, Fields: []errs.FieldError{{Path: path, Code: code, Message: m}}}
}
