package action

import (
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// Messages of the action service, zh-CN first and English second; any
// language tag starting with "en" gets English. Codes are stable and what
// programs match on.
var messages = map[string][2]string{
	"action.input":                {"输入不符合该动作的要求", "the input does not match the action's input schema"},
	"action.output":               {"动作返回的结果不符合其输出定义", "the action's result does not match its output schema"},
	"action.malformed":            {"请求内容不是有效的 JSON", "the body is not valid JSON"},
	"action.idempotency_key":      {"Idempotency-Key 须为 1 到 200 个可见字符", "Idempotency-Key must be 1 to 200 visible characters"},
	"action.idempotency_mismatch": {"该幂等键已用于另一个请求内容", "this idempotency key was used with a different request body"},
	"action.host_args":            {"%s：%s", "%s: %s"},
	"action.money":                {"脚本中的金额须为整数（单位：分）", "amounts in scripts are whole numbers of fen"},

	"script.error":   {"动作脚本出错%s：%s", "the action script failed%s: %s"},
	"script.timeout": {"动作脚本运行超过时间限制（%s）%s，已终止，未写入任何数据", "the action script ran past its time limit of %s%s and was stopped; nothing was written"},
	"script.limit":   {"动作脚本超出资源限制%s：%s", "the action script hit a resource limit%s: %s"},
	"script.output":  {"动作脚本返回的结果无法转换为 JSON：%s", "the action script's result cannot be turned into JSON: %s"},
	"script.syntax":  {"动作脚本有语法错误%s：%s", "the action script has a syntax error%s: %s"},

	// Input schema failures, one per kind of failure.
	"input.required":         {"此项为必填项", "this field is required"},
	"input.type":             {"类型应为 %s", "must be of type %s"},
	"input.enum":             {"应为以下之一：%s", "must be one of %s"},
	"input.const":            {"应为 %s", "must be %s"},
	"input.pattern":          {"格式不符合要求", "does not match the required format"},
	"input.unknown_property": {"不支持该属性", "is not a known property"},
	"input.min_length":       {"至少 %v 个字符", "must be at least %v characters"},
	"input.max_length":       {"最多 %v 个字符", "must be at most %v characters"},
	"input.min_items":        {"至少 %v 项", "needs at least %v items"},
	"input.max_items":        {"最多 %v 项", "takes at most %v items"},
	"input.unique":           {"列表中有重复项", "has duplicate items"},
	"input.minimum":          {"不能小于 %v", "must be at least %v"},
	"input.exclusive_min":    {"应大于 %v", "must be greater than %v"},
	"input.maximum":          {"不能大于 %v", "must be at most %v"},
	"input.exclusive_max":    {"应小于 %v", "must be less than %v"},
	"input.multiple_of":      {"应为 %v 的倍数", "must be a multiple of %v"},
	"input.format":           {"应为有效的 %v", "must be a valid %v"},
	"input.alternatives":     {"不符合任何允许的形式", "does not match any of the allowed forms"},
}

// typeNames names JSON Schema types in Chinese.
var typeNames = map[string]string{
	"string": "文本", "integer": "整数", "number": "数字", "boolean": "布尔值（true/false）",
	"object": "对象", "array": "列表", "null": "null",
}

func isEnglish(lang string) bool { return i18n.IsEnglish(lang) }

// msg renders the message of code in lang.
func msg(lang, code string, args ...any) string {
	return i18n.Message(messages, lang, code, args...)
}

// coded builds a coded error whose message is in lang.
func coded(lang string, class errs.Class, code string, args ...any) *errs.Error {
	return &errs.Error{Class: class, Code: code, Msg: msg(lang, code, args...)}
}
