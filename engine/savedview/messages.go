package savedview

import (
	"strconv"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/i18n"
)

// messages are the saved views', zh-CN first and English second. Codes
// are stable; programs match on them.
var messages = map[string][2]string{
	"savedview.not_found":     {"视图不存在", "no such saved view"},
	"savedview.not_owner":     {"只有视图的创建者可以修改共享视图", "only the owner of a shared view may change it"},
	"savedview.too_many":      {"每个表单最多保存 " + strconv.Itoa(MaxPerForm) + " 个视图，请先删除不用的视图", "at most " + strconv.Itoa(MaxPerForm) + " saved views per form; delete one first"},
	"savedview.stale":         {"视图已被修改，请刷新后重试", "the view changed since it was read; reload it"},
	"savedview.invalid":       {"视图设置有误", "the view is invalid"},
	"savedview.busy":          {"并发修改过多，请重试", "too many concurrent changes; retry"},
	"savedview.unknown_field": {"表单没有这个字段", "the form has no such field"},

	"name.required":      {"请填写视图名称", "a name is required"},
	"name.long":          {"名称最多 100 个字符", "at most 100 characters"},
	"filter.large":       {"筛选条件过大（最多 16 KiB）", "at most 16 KiB"},
	"filter.object":      {"筛选条件应为 JSON 对象", "must be a JSON object"},
	"state.large":        {"界面状态过大（最多 16 KiB）", "at most 16 KiB"},
	"sort.long":          {"排序最多 500 个字符", "at most 500 characters"},
	"search.long":        {"搜索文字最多 100 个字符", "at most 100 characters"},
	"columns.many":       {"最多 200 列", "at most 200 columns"},
	"mode":               {"布局应为 table、kanban 或 calendar", "must be table, kanban or calendar"},
	"groupBy.required":   {"看板视图需要分组字段", "a kanban view needs the field it groups by"},
	"dateField.required": {"日历视图需要日期字段", "a calendar view needs its date field"},
}

func msg(lang, key string) string { return i18n.Message(messages, lang, key) }

// fail is base with its message in the viewer's language.
func (v Viewer) fail(base *errs.Error) error {
	return &errs.Error{Class: base.Class, Code: base.Code, Msg: msg(v.Lang, base.Code)}
}
