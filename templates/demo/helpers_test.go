package demo

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
)

// testApp is the app the tests generate into.
const testApp = "crm"

// fixedNow is the end of the tests' history.
var fixedNow = time.Date(2026, 6, 30, 20, 0, 0, 0, cst)

// newDeps opens a fresh SQLite store with the services and the CRM forms
// published in testApp.
func newDeps(t testing.TB) Deps {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "demo.db")), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		t.Fatal(err)
	}
	as := auth.New(st, auth.Config{})
	if err := as.Init(ctx); err != nil {
		t.Fatal(err)
	}
	scripts := script.New(script.Options{})
	t.Cleanup(scripts.Close)
	d := Deps{Store: st, Meta: ms, Auth: as, Records: form.NewRecords(st, ms, access.NewGuard(ms), as.Audit, scripts),
		Ledger: ledger.New(st, ledger.Options{})}
	installForms(t, ms)
	return d
}

// installForms publishes the CRM forms the generator writes.
func installForms(t testing.TB, ms *meta.Service) {
	t.Helper()
	publish(t, ms, meta.KindApp, testApp, `{"title": "CRM"}`)
	for _, f := range testForms {
		publish(t, ms, meta.KindForm, f.key, f.spec)
	}
}

func publish(t testing.TB, ms *meta.Service, kind meta.Kind, key, spec string) {
	t.Helper()
	ctx := context.Background()
	d, err := ms.Create(ctx, meta.Definition{Kind: kind, App: testApp, Key: key, Spec: json.RawMessage(spec)}, "admin")
	if err != nil {
		t.Fatalf("create %s %s: %v", kind, key, err)
	}
	if _, err := ms.Publish(ctx, testApp, kind, key, d.Version, d.Version, "admin"); err != nil {
		t.Fatalf("publish %s %s: %v", kind, key, err)
	}
}

// testForms are the forms of the data contract (templates/crm-contract),
// reduced to the fields the generator writes.
var testForms = []struct{ key, spec string }{
	{"stores", `{"title": "门店", "titleField": "name", "fields": [
	  {"key": "code", "type": "text", "label": "编码", "required": true, "unique": true},
	  {"key": "name", "type": "text", "label": "名称", "required": true},
	  {"key": "province", "type": "text", "label": "省份"},
	  {"key": "city", "type": "text", "label": "城市"},
	  {"key": "region", "type": "select", "label": "区域", "options": [{"value": "east", "label": "华东"},
	    {"value": "north", "label": "华北"}, {"value": "south", "label": "华南"}, {"value": "west", "label": "西部"},
	    {"value": "central", "label": "华中"}]},
	  {"key": "orgUnit", "type": "orgunit", "label": "组织"},
	  {"key": "openedAt", "type": "date", "label": "开业日期"},
	  {"key": "status", "type": "select", "label": "状态", "options": [{"value": "open", "label": "营业中"}, {"value": "closed", "label": "已关闭"}]}]}`},
	{"members", `{"title": "会员", "titleField": "name", "fields": [
	  {"key": "name", "type": "text", "label": "姓名", "required": true},
	  {"key": "phone", "type": "phone", "label": "手机号", "accept": "mobile", "required": true, "unique": true},
	  {"key": "unionid", "type": "text", "label": "UnionID", "unique": true},
	  {"key": "cardNo", "type": "text", "label": "卡号", "unique": true},
	  {"key": "gender", "type": "select", "label": "性别", "options": [{"value": "male", "label": "男"}, {"value": "female", "label": "女"}, {"value": "unknown", "label": "未知"}]},
	  {"key": "birthday", "type": "date", "label": "生日"},
	  {"key": "homeStore", "type": "relation", "label": "归属门店", "form": "stores"},
	  {"key": "tier", "type": "select", "label": "等级", "default": "normal", "options": [{"value": "normal", "label": "普通"},
	    {"value": "silver", "label": "银卡"}, {"value": "gold", "label": "金卡"}, {"value": "diamond", "label": "钻石"}]},
	  {"key": "tags", "type": "multiselect", "label": "标签", "options": [{"value": "mom", "label": "宝妈"}, {"value": "fresh", "label": "生鲜达人"}]},
	  {"key": "consent", "type": "checkbox", "label": "营销授权"},
	  {"key": "consentAt", "type": "datetime", "label": "授权时间"},
	  {"key": "source", "type": "select", "label": "来源", "options": [{"value": "pos", "label": "门店"}, {"value": "miniapp", "label": "小程序"},
	    {"value": "online", "label": "线上"}, {"value": "referral", "label": "推荐"}]},
	  {"key": "referrer", "type": "relation", "label": "推荐人", "form": "members"},
	  {"key": "registeredAt", "type": "datetime", "label": "注册时间"},
	  {"key": "spend12m", "type": "money", "label": "近12月消费"},
	  {"key": "orders", "type": "number", "label": "订单数"},
	  {"key": "lastPurchaseAt", "type": "datetime", "label": "最近消费"},
	  {"key": "points", "type": "number", "label": "积分"},
	  {"key": "balance", "type": "money", "label": "储值余额"}]}`},
	{"transactions", `{"title": "交易", "titleField": "receiptId", "fields": [
	  {"key": "receiptId", "type": "text", "label": "小票号", "required": true, "unique": true},
	  {"key": "store", "type": "relation", "label": "门店", "form": "stores"},
	  {"key": "member", "type": "relation", "label": "会员", "form": "members"},
	  {"key": "paidAt", "type": "datetime", "label": "支付时间"},
	  {"key": "amount", "type": "money", "label": "金额"},
	  {"key": "discount", "type": "money", "label": "优惠"},
	  {"key": "paid", "type": "money", "label": "实付"},
	  {"key": "storedValuePaid", "type": "money", "label": "储值支付"},
	  {"key": "otherPaid", "type": "money", "label": "其他支付"},
	  {"key": "pointsEarned", "type": "number", "label": "获得积分"},
	  {"key": "status", "type": "select", "label": "状态", "options": [{"value": "completed", "label": "已完成"}, {"value": "refunded", "label": "已退款"}]},
	  {"key": "channel", "type": "select", "label": "渠道", "options": [{"value": "pos", "label": "门店"}, {"value": "online", "label": "线上"}]},
	  {"key": "couponCodes", "type": "text", "label": "券码"},
	  {"key": "lines", "type": "subtable", "label": "明细", "fields": [
	    {"key": "sku", "type": "text", "label": "SKU"}, {"key": "name", "type": "text", "label": "品名"},
	    {"key": "category", "type": "text", "label": "品类"}, {"key": "quantity", "type": "number", "label": "数量"},
	    {"key": "price", "type": "money", "label": "单价"}, {"key": "amount", "type": "money", "label": "金额"}]}]}`},
	{"coupon-templates", `{"title": "券模板", "titleField": "name", "fields": [
	  {"key": "name", "type": "text", "label": "名称", "required": true},
	  {"key": "type", "type": "select", "label": "类型", "options": [{"value": "amount", "label": "满减券"}, {"value": "percent", "label": "折扣券"},
	    {"value": "gift", "label": "礼品券"}, {"value": "exchange", "label": "兑换券"}]},
	  {"key": "value", "type": "money", "label": "面额"},
	  {"key": "percent", "type": "percent", "label": "折扣"},
	  {"key": "minSpend", "type": "money", "label": "门槛"},
	  {"key": "stores", "type": "relation", "label": "门店", "form": "stores", "multiple": true},
	  {"key": "categories", "type": "text", "label": "品类"},
	  {"key": "stackable", "type": "checkbox", "label": "可叠加"},
	  {"key": "validDays", "type": "number", "label": "有效天数"},
	  {"key": "pointsCost", "type": "number", "label": "兑换积分"},
	  {"key": "status", "type": "select", "label": "状态", "options": [{"value": "active", "label": "启用"}, {"value": "inactive", "label": "停用"}]}]}`},
	{"coupons", `{"title": "优惠券", "titleField": "code", "fields": [
	  {"key": "code", "type": "text", "label": "券码", "required": true, "unique": true},
	  {"key": "template", "type": "relation", "label": "模板", "form": "coupon-templates"},
	  {"key": "member", "type": "relation", "label": "会员", "form": "members"},
	  {"key": "status", "type": "select", "label": "状态", "options": [{"value": "issued", "label": "未使用"}, {"value": "redeemed", "label": "已使用"},
	    {"value": "expired", "label": "已过期"}, {"value": "void", "label": "已作废"}]},
	  {"key": "issuedAt", "type": "datetime", "label": "发放时间"},
	  {"key": "expiresAt", "type": "datetime", "label": "过期时间"},
	  {"key": "redeemedAt", "type": "datetime", "label": "核销时间"},
	  {"key": "receiptId", "type": "text", "label": "小票号"},
	  {"key": "store", "type": "relation", "label": "核销门店", "form": "stores"}]}`},
}

// all reads every live record of a form, page by page.
func all(t testing.TB, d Deps, formKey string, fn func(store.Doc)) {
	t.Helper()
	ctx := context.Background()
	f, err := d.Records.Form(ctx, testApp, formKey)
	if err != nil {
		t.Fatal(err)
	}
	after := ""
	for {
		var filter *query.Node
		if after != "" {
			filter = query.Cmp(query.Field{Path: form.SysID, Kind: query.KindString}, query.OpGt, query.Str(after))
		}
		docs, err := d.Store.Find(ctx, f.Coll, store.Query{Filter: filter, Sort: []query.SortKey{{Field: query.IDField}}, Limit: 2000})
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			fn(doc)
		}
		if len(docs) < 2000 {
			return
		}
		after = docs[len(docs)-1][form.SysID].(string)
	}
}
