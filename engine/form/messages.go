package form

import (
	"fmt"
	"strings"

	"github.com/tangram/tangram/engine/errs"
)

// Messages of the field types, zh-CN first and English second. An error's
// Code is stable and what programs match on; the message key usually equals
// the code and is more specific where one code has several causes (an ID
// number can fail on its length, region, birth date or check digit, all
// under "field.idcard"), so people get a precise hint and programs one code.
var fieldTypeMessages = map[string][2]string{
	"field.type.text":   {"应为文本", "must be text"},
	"field.type.number": {"应为数字", "must be a number"},
	"field.type.bool":   {"应为是或否（true/false）", "must be true or false"},
	"field.type.array":  {"应为列表", "must be a list"},
	"field.type.object": {"应为对象", "must be an object"},
	"field.type.utf8":   {"包含无效字符", "contains invalid characters"},
	"field.type.cell":   {"无法识别 %q", "cannot read %q"},
	"field.type.yesno":  {"无法识别 %q，请填写 是/否", "cannot read %q as yes or no"},
	"field.unknown":     {"不支持的属性 %q", "unknown property %q"},
	"field.required":    {"此项为必填项", "this field is required"},

	"field.max_length": {"最多 %d 个字符", "at most %d characters"},
	"field.min_length": {"至少 %d 个字符", "at least %d characters"},
	"field.pattern":    {"格式不符合要求", "does not match the required format"},

	"field.precision":        {"最多 %d 位小数", "at most %d decimal places"},
	"field.precision.int":    {"应为整数", "must be a whole number"},
	"field.precision.unsafe": {"该数值无法精确表示，请以文本形式提交", "this number cannot be represented exactly; send it as text"},
	"field.range":            {"数值超出可保存的范围", "the number is too large to store"},
	"field.min":              {"不能小于 %s", "must be at least %s"},
	"field.max":              {"不能大于 %s", "must be at most %s"},

	"field.date":     {"应为有效日期（如 2026-11-23）", "must be a valid date (e.g. 2026-11-23)"},
	"field.datetime": {"应为有效的日期时间（如 2026-11-23 14:30）", "must be a valid date and time (e.g. 2026-11-23T14:30:00+08:00)"},

	"field.option":          {"%q 不是可选项", "%q is not one of the options"},
	"field.duplicate":       {"重复的值 %q", "duplicate value %q"},
	"field.min_items":       {"至少 %d 项", "at least %d items"},
	"field.max_items":       {"最多 %d 项", "at most %d items"},
	"field.min_items.rows":  {"至少 %d 行", "at least %d rows"},
	"field.max_items.rows":  {"最多 %d 行", "at most %d rows"},
	"field.max_items.files": {"最多 %d 个文件", "at most %d files"},

	"field.phone":          {"电话号码格式不正确", "not a valid phone number"},
	"field.phone.mobile":   {"手机号格式不正确", "not a valid mobile phone number"},
	"field.phone.landline": {"固定电话格式不正确（如 010-12345678）", "not a valid landline number (e.g. 010-12345678)"},
	"field.email":          {"邮箱格式不正确", "not a valid email address"},

	"field.idcard":          {"身份证号格式不正确", "not a valid resident ID number"},
	"field.idcard.length":   {"身份证号应为 18 位（最后一位可为 X）", "a resident ID number has 18 characters (the last may be X)"},
	"field.idcard.region":   {"身份证号的地区码不正确", "the region code of the ID number is not valid"},
	"field.idcard.birth":    {"身份证号中的出生日期不正确", "the birth date in the ID number is not valid"},
	"field.idcard.checksum": {"身份证号校验位不正确", "the check digit of the ID number is wrong"},

	"field.address":          {"地址不正确", "not a valid address"},
	"field.address.code":     {"行政区划代码应为 6 位数字", "an area code has 6 digits"},
	"field.address.province": {"未知的省级行政区代码 %q", "unknown province code %q"},
	"field.address.city":     {"城市不属于所选省份", "the city is not in the chosen province"},
	"field.address.district": {"区县不属于所选城市", "the district is not in the chosen city"},
	"field.address.parent":   {"请先选择上一级行政区", "choose the level above first"},
	"field.address.level":    {"该地址字段不需要这一级", "this address field does not go down to this level"},

	"field.ref": {"无效的 ID", "not a valid id"},

	"field.file":         {"文件信息不完整或不正确", "not a valid file reference"},
	"field.file.sha256":  {"应为 64 位十六进制 SHA-256", "must be a SHA-256 in 64 hex digits"},
	"field.file.content": {"文件类型格式不正确", "not a valid content type"},
	"field.file_size":    {"文件不能超过 %s", "the file must not exceed %s"},
	"field.file_type":    {"不允许上传 %s 类型的文件", "files of type %s are not allowed"},

	"field.geo.lat":      {"纬度应在 -90 到 90 之间", "latitude must be between -90 and 90"},
	"field.geo.lng":      {"经度应在 -180 到 180 之间", "longitude must be between -180 and 180"},
	"field.geo.accuracy": {"精度应为非负数", "accuracy must not be negative"},

	"field.barcode":        {"条码只能包含字母、数字和 -", "a barcode may hold letters, digits and - only"},
	"field.barcode.text":   {"条码包含不可打印的字符", "the code holds characters that cannot be encoded"},
	"field.barcode.ean13":  {"EAN-13 条码应为 13 位数字", "an EAN-13 code has 13 digits"},
	"field.barcode.digit":  {"EAN-13 条码校验位不正确", "the check digit of the EAN-13 code is wrong"},
	"field.barcode.length": {"条码最多 %d 个字符", "a code has at most %d characters"},

	// Settings problems (Check). Definitions are checked without a request
	// language, so these render in English today; see Check's callers.
	"field.config":          {"设置不正确：%s", "invalid setting: %s"},
	"field.config.pattern":  {"正则表达式无效：%s", "invalid regular expression: %s"},
	"field.config.range":    {"最小值不能大于最大值", "the minimum must not exceed the maximum"},
	"field.config.options":  {"至少需要一个选项", "at least one option is needed"},
	"field.config.dupvalue": {"选项值 %q 重复", "option value %q is used twice"},
	"field.config.zone":     {"未知的时区 %q", "unknown time zone %q"},
	"field.config.column":   {"子表列不能是 %s 类型", "a sub-table column cannot have the type %s"},
	"field.config.type":     {"未知的字段类型 %q", "unknown field type %q"},
	"field.config.dupkey":   {"列名 %q 重复", "column key %q is used twice"},
	"field.config.autonum":  {"编号规则不正确：%s", "invalid numbering pattern: %s"},
	"field.config.kind":     {"%s 汇总的结果类型应为 %s", "the result of %s is of kind %s"},
}

// Settings problems are reported in this language: FieldType.Check has no
// request context.
const checkLang = "en"

// typeMessage renders the message key in lang: English for tags starting
// with "en", zh-CN otherwise (the shipped CRM is zh-CN first).
func typeMessage(lang, key string, args ...any) string {
	m, ok := fieldTypeMessages[key]
	if !ok {
		return key
	}
	f := m[0]
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		f = m[1]
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// joinPath appends a sub-path ("province", "[2]", "[2].qty") to a base
// path; Check's errors have an empty base and stay relative to the field.
func joinPath(base, sub string) string {
	switch {
	case sub == "":
		return base
	case base == "":
		return strings.TrimPrefix(sub, ".")
	case sub[0] == '[':
		return base + sub
	}
	return base + "." + sub
}

// at returns the context of a part of the value (an element or property).
func (c Ctx) at(sub string) Ctx { return Ctx{Lang: c.Lang, Path: joinPath(c.Path, sub)} }

// fail builds the error code at the context's path, worded by the message
// of the same key.
func (c Ctx) fail(code string, args ...any) errs.FieldError {
	return c.failAs(code, code, args...)
}

// failAs builds the error code at the context's path, worded by the more
// specific message key.
func (c Ctx) failAs(code, key string, args ...any) errs.FieldError {
	return errs.FieldError{Path: c.Path, Code: code, Message: typeMessage(c.Lang, key, args...)}
}

// settingErr reports a bad setting at path (relative to the field object).
func settingErr(path, code string, args ...any) errs.FieldError {
	return Ctx{Lang: checkLang, Path: path}.fail(code, args...)
}
