package form

import (
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// Messages of the records service, in the request language. zh-CN is the
// default; any language tag starting with "en" gets English.
var recordMessages = map[string][2]string{
	"record.validation":           {"记录校验未通过", "the record is invalid"},
	"record.required":             {"此项为必填项", "this field is required"},
	"record.unknown_field":        {"表单中没有字段 %q", "the form has no field %q"},
	"record.system_field":         {"系统字段由服务器维护，不能写入", "system fields are set by the server"},
	"record.computed":             {"该字段由系统计算，不能写入", "this field is computed and cannot be written"},
	"record.readonly":             {"该字段只读", "this field is read-only"},
	"record.unique":               {"该值已被其他记录使用", "another record already uses this value"},
	"record.relation_not_found":   {"关联的记录 %s 不存在", "the related record %s does not exist"},
	"record.file_not_found":       {"文件 %s 不存在或不属于该字段", "the file %s does not exist or was not uploaded for this field"},
	"record.file_mismatch":        {"文件 %s 的大小、类型或摘要与上传时不符", "the size, type or digest of file %s differs from the upload"},
	"record.relation_type":        {"关联字段的值必须是记录 ID", "a relation value must be a record id"},
	"record.not_found":            {"记录不存在", "the record does not exist"},
	"record.stale":                {"记录已被他人修改（当前版本 %d），请刷新后重试", "the record was changed by someone else (now version %d); reload it and retry"},
	"record.idempotency_mismatch": {"该幂等键已用于另一个请求内容", "this idempotency key was used with a different request body"},
	"record.field_not_readable":   {"无权按该字段筛选、排序、搜索或统计", "you may not filter, sort, search or aggregate by this field"},
	"record.field_not_searchable": {"该字段不能用于搜索", "this field cannot be searched"},
	"record.out_of_scope":         {"记录不在你的数据权限范围内", "the record would fall outside the rows you may write"},
	"record.formula":              {"公式计算失败：%s", "the formula failed: %s"},
	"record.bulk_too_large":       {"一次最多处理 %d 条", "at most %d items per request"},
	"record.bulk_op":              {"未知操作 %q（create、update、delete）", "unknown operation %q (create, update, delete)"},
	"record.bulk_id":              {"update 和 delete 需要 id", "update and delete need an id"},
	"record.revision_not_found":   {"没有第 %d 版", "there is no revision %d"},
	"record.limit":                {"limit 须在 1 到 %d 之间", "limit must be between 1 and %d"},
	"record.view_form":            {"视图 %q 属于另一个表单", "view %q belongs to another form"},
	"record.operator_not_allowed": {"该字段不支持运算符 %s", "this field does not support the operator %s"},
	"record.rollup_too_many":      {"汇总的子记录超过 %d 条，无法在此存储上计算", "more than %d child records to roll up on this store"},
	"record.search_too_long":      {"搜索词过长", "the search text is too long"},
	"record.idempotency_many":     {"批量创建不支持幂等键，请改用批量接口（bulk）", "a batch create takes no idempotency key; use the bulk API"},
	"record.idempotency_key":      {"Idempotency-Key 须为 1 到 200 个可见字符", "Idempotency-Key must be 1 to 200 visible characters"},
}

// isEnglish reports whether lang asks for English messages.
func isEnglish(lang string) bool { return i18n.IsEnglish(lang) }

// recordMsg renders the message of code in lang.
func recordMsg(lang, code string, args ...any) string {
	return i18n.Message(recordMessages, lang, code, args...)
}

// fieldErr builds one field error in lang.
func fieldErr(lang, path, code string, args ...any) errs.FieldError {
	return errs.FieldError{Path: path, Code: code, Message: recordMsg(lang, code, args...)}
}

// coded builds a coded error whose message is in lang.
func coded(lang string, class errs.Class, code string, args ...any) *errs.Error {
	return &errs.Error{Class: class, Code: code, Msg: recordMsg(lang, code, args...)}
}

// invalidRecord collects field errors into the 422 record.validation error,
// or nil when there are none.
func invalidRecord(lang string, fe []errs.FieldError) error {
	return errs.Validation(errs.Unprocessable, "record.validation", recordMsg(lang, "record.validation"), fe)
}
