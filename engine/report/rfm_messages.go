package report

import (
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// rfmMessages are the RFM scoring's messages, zh-CN first.
var rfmMessages = map[string][2]string{
	"report.rfm_field":               {"RFM 评分需要字段 %q（类型 %v）", "RFM scoring needs the field %q (type %v)"},
	"report.rfm_fields":              {"表单缺少 RFM 评分所需的字段", "the form lacks fields RFM scoring needs"},
	"report.rfm_batch":               {"每批写入数应在 1 到 %d 之间", "the batch size is 1 to %d"},
	"report.rfm_segment":             {"规则表 %q 给出的分群 %q 不是会员“RFM 分群”字段的选项（R=%d F=%d M=%d）", "the decision table %q yields the segment %q, which is not an option of the rfmSegment field (R=%d F=%d M=%d)"},
	"report.rfm_score":               {"规则表 %q 对 %s=%s 给出的评分 %s 不在 1–5 之间", "the decision table %q scores %s=%s as %s, not 1 to 5"},
	"report.rfm_invalid":             {"RFM 评分设置有误", "the RFM scoring settings are not valid"},
	"report.rfm_method":              {"评分方法 %q 未知，应为 quintiles（五等分）或 thresholds（规则表档位）", "unknown scoring method %q: quintiles or thresholds"},
	"report.rfm_thresholds_required": {"按档位评分（thresholds）需要指定档位规则表", "the thresholds method needs the thresholds decision table"},
	"report.rfm_unknown_form":        {"表单 %q 不存在", "there is no form %q"},
	"report.rfm_unknown_table":       {"规则表 %q 不存在", "there is no decision table %q"},
	"report.rfm_tag_field":           {"标签字段 %q 不在表单 %q 中", "the tag field %q is not a field of the form %q"},
	"report.rfm_tag_type":            {"标签字段 %q 应为多选（multiselect），而不是 %s", "the tag field %q must be a multiselect, not %s"},
	"report.rfm_tag_options":         {"标签字段 %q 缺少分群标签选项：%s", "the tag field %q lacks the segment tag options %s"},
	"report.rfm_running":             {"该表单的 RFM 评分正在进行", "the RFM scoring of this form is already running"},
}

func rfmMsg(lang, code string, args ...any) string {
	return i18n.Message(rfmMessages, lang, code, args...)
}

// rfmErr builds a coded RFM error in lang.
func rfmErr(lang string, class errs.Class, code string, args ...any) *errs.Error {
	return &errs.Error{Class: class, Code: code, Msg: rfmMsg(lang, code, args...)}
}
