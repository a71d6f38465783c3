package report

import (
	"fmt"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// messages are the report engine's, zh-CN first and English second. Codes
// are stable; programs match on them.
var messages = map[string][2]string{
	"report.invalid":           {"报表定义有误", "the report definition is invalid"},
	"report.unknown_field":     {"字段 %q 不存在", "unknown field %q"},
	"report.field_hidden":      {"无权查看字段 %q", "you may not read the field %q"},
	"report.not_relation":      {"%q 不是关联字段，不能用于关联", "%q is not a relation field and cannot be joined through"},
	"report.relation_multiple": {"%q 是多值关联，不能用于关联", "%q holds several records and cannot be joined through"},
	"report.join_alias":        {"别名 %q 与字段或其他关联重名", "the alias %q is already a field or another join"},
	"report.measure_type":      {"%s 需要数值字段，%q 不是", "%s needs a number field; %q is not one"},
	"report.measure_list":      {"不能对列表字段 %q 做汇总", "cannot aggregate the list field %q"},
	"report.bucket_type":       {"日期分组 %s 不适用于字段 %q", "the date bucket %s does not apply to the field %q"},
	"report.dimension_list":    {"不能按列表字段 %q 分组", "cannot group by the list field %q"},
	"report.dimension_kind":    {"一个维度只能选择分组、分段或分位之一", "a dimension takes at most one of bucket, bins and quantiles"},
	"report.formula":           {"公式有误：%s", "formula error: %s"},
	"report.formula_ref":       {"公式引用了未定义的指标 %q", "the formula names %q, which is not an earlier measure"},
	"report.name":              {"输出名 %q 重复或无效", "the output name %q is repeated or invalid"},
	"report.sort":              {"排序字段 %q 不是报表的输出", "cannot sort by %q: not an output of the report"},
	"report.param":             {"参数 %q 有误：%s", "parameter %q: %s"},
	"report.param_unknown":     {"报表没有参数 %q", "the report has no parameter %q"},
	"report.param_required":    {"缺少参数 %q", "the parameter %q is required"},
	"report.compare":           {"同比/环比需要一个日期范围参数", "comparing periods needs a date range parameter"},
	"report.others":            {"“其他”汇总只适用于按字段分组且设置了条数限制的报表", "an others row needs a limit and dimensions that are plain fields"},
	"report.cumulative":        {"累计只适用于计数与求和", "only count and sum measures can be cumulative"},
	"report.segments":          {"分群有误：%s", "segments: %s"},
	"report.chart":             {"未知的图表类型 %q", "unknown chart type %q"},
	"report.drill":             {"钻取单元格有误：%s", "drill cell: %s"},
	"report.drill_too_broad":   {"该单元格对应的关联记录过多（超过 %d 条），无法生成明细筛选条件", "the cell selects more than %d related records; no record filter can be given"},
	"report.too_many_rows":     {"结果超过 %d 行，已截断", "the result has more than %d rows and was truncated"},
	"report.rollup":            {"汇总表有误：%s", "rollup: %s"},
	"report.rollup_unhooked":   {"汇总表需要在记录写入时维护，当前未启用写入钩子", "rollups are kept current by the records write hook, which is not installed"},
	"report.form":              {"数据集的表单 %q 不存在", "the dataset's form %q does not exist"},
	"dashboard.report":         {"仪表盘引用的报表 %q 不存在", "the dashboard uses the report %q, which does not exist"},
	"dashboard.widget":         {"仪表盘没有组件 %q", "the dashboard has no widget %q"},
	"dashboard.hidden":         {"无权查看该仪表盘", "you may not see this dashboard"},
	"dashboard.param":          {"组件参数绑定有误：%s", "widget parameter binding: %s"},
	"export.format":            {"导出格式应为 csv 或 xlsx", "the export format is csv or xlsx"},

	// Summaries of errors that list field errors (the codes' own
	// messages name one field each).
	"report.param.summary":        {"参数有误", "invalid parameters"},
	"report.field_hidden.summary": {"报表用到了您无权查看的字段", "the report uses fields you may not read"},
}

// msg renders a message in lang.
func msg(lang, code string, args ...any) string { return i18n.Message(messages, lang, code, args...) }

// problems collects field errors of one definition or request.
type problems struct {
	lang string
	list []errs.FieldError
}

func (p *problems) add(path, code string, args ...any) {
	if len(p.list) < 100 {
		p.list = append(p.list, errs.FieldError{Path: path, Code: code, Message: msg(p.lang, code, args...)})
	}
}

// addf adds a field error whose message is free text (from another
// package's error), under code.
func (p *problems) addf(path, code, format string, args ...any) {
	if len(p.list) < 100 {
		p.list = append(p.list, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
	}
}

// merge adds another package's field errors under a path prefix.
func (p *problems) merge(prefix string, fe []errs.FieldError) {
	for _, f := range fe {
		path := f.Path
		if prefix != "" {
			path = prefix + "." + f.Path
		}
		if len(p.list) < 100 {
			p.list = append(p.list, errs.FieldError{Path: path, Code: f.Code, Message: f.Message})
		}
	}
}

// err is the collected problems as one error of class and code, or nil.
func (p *problems) err(class errs.Class, code string) error {
	if len(p.list) == 0 {
		return nil
	}
	summary := code
	if _, ok := messages[code+".summary"]; ok {
		summary = code + ".summary"
	}
	return errs.Validation(class, code, msg(p.lang, summary), p.list)
}

// coded builds a coded error in lang.
func coded(lang string, class errs.Class, code string, args ...any) *errs.Error {
	return &errs.Error{Class: class, Code: code, Msg: msg(lang, code, args...)}
}
