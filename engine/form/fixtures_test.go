package form

import "github.com/tangram/tangram/engine/meta"

// The forms most tests use: members, and orders pointing at members (a
// relation with lookups, a formula, and rollups on the member).
const (
	membersSpec = `{
	  "title": {"zh-CN": "会员", "en": "Members"},
	  "titleField": "name",
	  "fields": [
	    {"key": "name", "type": "text", "label": "姓名", "required": true, "maxLength": 20},
	    {"key": "phone", "type": "phone", "label": "手机号", "unique": true},
	    {"key": "tier", "type": "select", "label": "等级", "default": "normal", "options": [
	      {"value": "normal", "label": "普通"}, {"value": "gold", "label": "金卡"}]},
	    {"key": "storeId", "type": "text", "label": "门店"},
	    {"key": "note", "type": "text", "label": "备注", "requiredWhen": {"tier": "gold"}},
	    {"key": "points", "type": "number", "label": "积分"},
	    {"key": "idNo", "type": "idcard", "label": "身份证号"},
	    {"key": "cardNo", "type": "autonumber", "label": "卡号", "pattern": "VIP-{YYYY}-{000000}"},
	    {"key": "spent", "type": "rollup", "label": "消费", "form": "orders", "via": "member", "op": "sum", "field": "amount", "kind": "int"},
	    {"key": "orderCount", "type": "rollup", "label": "订单数", "form": "orders", "via": "member", "op": "count"}
	  ]
	}`
	ordersSpec = `{
	  "title": "订单",
	  "fields": [
	    {"key": "member", "type": "relation", "label": "会员", "form": "members", "required": true},
	    {"key": "memberName", "type": "lookup", "label": "会员姓名", "relation": "member", "field": "name"},
	    {"key": "memberPhone", "type": "lookup", "label": "会员手机", "relation": "member", "field": "phone"},
	    {"key": "price", "type": "money", "label": "单价"},
	    {"key": "qty", "type": "number", "label": "数量"},
	    {"key": "amount", "type": "formula", "label": "金额", "expression": "price * qty", "resultType": "money"},
	    {"key": "storeId", "type": "text", "label": "门店"}
	  ]
	}`
)

// crm publishes members and orders.
func (e *env) crm() *env {
	e.t.Helper()
	e.publish(meta.KindForm, "members", membersSpec)
	e.publish(meta.KindForm, "orders", ordersSpec)
	return e
}
