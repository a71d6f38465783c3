package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// env is a report service over a fresh SQLite file with app "crm" and
// three forms shaped like the CRM's: stores, members, transactions.
type env struct {
	t     testing.TB
	ctx   context.Context
	st    store.Store
	meta  *meta.Service
	rec   *form.Records
	svc   *Service
	admin *auth.Principal
	data  *dataset
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvURI(t, testkit.SQLiteURI(t, "report.db"))
}

func newEnvURI(t testing.TB, uri string) *env {
	t.Helper()
	ctx := context.Background()
	st := testkit.Open(t, uri)
	ms := testkit.Meta(t, st)
	guard := access.NewGuard(ms)
	rec := form.NewRecords(st, ms, guard, nil, nil)
	e := &env{t: t, ctx: ctx, st: st, meta: ms, rec: rec,
		svc: New(Deps{Store: st, Meta: ms, Guard: guard, Records: rec, Now: func() time.Time {
			return time.Date(2026, 3, 20, 10, 0, 0, 0, query.DefaultLocation)
		}}),
		admin: &auth.Principal{UserID: "admin", Username: "admin", Admin: true}}
	e.publish(meta.KindApp, "crm", `{"title": "CRM"}`)
	for _, f := range []struct{ key, spec string }{{"stores", storesForm}, {"members", membersForm}, {"transactions", transactionsForm}} {
		e.publish(meta.KindForm, f.key, f.spec)
	}
	return e
}

const storesForm = `{"title": {"zh-CN": "门店", "en": "Stores"}, "titleField": "name", "fields": [
 {"key": "code", "type": "text", "label": "Code"},
 {"key": "name", "type": "text", "label": {"zh-CN": "名称", "en": "Name"}},
 {"key": "province", "type": "text", "label": "Province"},
 {"key": "region", "type": "select", "label": {"zh-CN": "大区", "en": "Region"}, "options": [
   {"value": "east", "label": {"zh-CN": "华东", "en": "East"}}, {"value": "north", "label": {"zh-CN": "华北", "en": "North"}},
   {"value": "south", "label": {"zh-CN": "华南", "en": "South"}}, {"value": "west", "label": {"zh-CN": "西部", "en": "West"}}]},
 {"key": "orgUnit", "type": "orgunit", "label": "Unit"},
 {"key": "tags", "type": "multiselect", "label": "Tags", "options": [{"value": "mall", "label": "Mall"}, {"value": "street", "label": "Street"}]}]}`

const membersForm = `{"title": {"zh-CN": "会员", "en": "Members"}, "titleField": "name", "fields": [
 {"key": "name", "type": "text", "label": "Name"},
 {"key": "phone", "type": "text", "label": "Phone"},
 {"key": "tier", "type": "select", "label": {"zh-CN": "等级", "en": "Tier"}, "options": [
   {"value": "normal", "label": "普通"}, {"value": "silver", "label": "银卡"}, {"value": "gold", "label": "金卡"}, {"value": "diamond", "label": "钻石"}]},
 {"key": "homeStore", "type": "relation", "form": "stores", "label": "Home store"},
 {"key": "homeUnit", "type": "orgunit", "label": "Home unit"},
 {"key": "orders", "type": "number", "label": "Orders"},
 {"key": "spend12m", "type": "money", "label": "Spend"},
 {"key": "points", "type": "number", "label": "Points"},
 {"key": "lastPurchaseAt", "type": "datetime", "label": "Last purchase"},
 {"key": "registeredAt", "type": "datetime", "label": "Registered"}]}`

const transactionsForm = `{"title": {"zh-CN": "交易", "en": "Transactions"}, "titleField": "receiptId", "fields": [
 {"key": "receiptId", "type": "text", "label": "Receipt"},
 {"key": "store", "type": "relation", "form": "stores", "label": {"zh-CN": "门店", "en": "Store"}},
 {"key": "storeUnit", "type": "orgunit", "label": "Store unit"},
 {"key": "member", "type": "relation", "form": "members", "label": "Member"},
 {"key": "paidAt", "type": "datetime", "label": "Paid at"},
 {"key": "day", "type": "date", "label": "Business day"},
 {"key": "amount", "type": "money", "label": "Amount"},
 {"key": "paid", "type": "money", "label": {"zh-CN": "实付", "en": "Paid"}},
 {"key": "weight", "type": "number", "precision": 3, "label": "Weight"},
 {"key": "status", "type": "select", "label": "Status", "options": [{"value": "completed", "label": "Completed"}, {"value": "refunded", "label": "Refunded"}]},
 {"key": "channel", "type": "select", "label": "Channel", "options": [{"value": "pos", "label": "POS"}, {"value": "online", "label": "Online"}]}]}`

// publish creates (or saves a new revision of) a definition and publishes it.
func (e *env) publish(kind meta.Kind, key, spec string) {
	e.t.Helper()
	if err := e.tryPublish(kind, key, spec); err != nil {
		e.t.Fatalf("save %s %s: %v", kind, key, err)
	}
}

func (e *env) tryPublish(kind meta.Kind, key, spec string) error {
	_, err := testkit.Publish(e.ctx, e.meta, "crm", kind, key, spec)
	return err
}

// The generated data, kept in Go so tests compute every expected number
// from it independently of the store.
type dataset struct {
	stores  []store.Doc
	members []store.Doc
	sales   []store.Doc
}

var regions = []string{"east", "north", "south", "west"}

// load generates and stores nStores stores, nMembers members and nSales
// transactions from a fixed seed, through one store transaction each.
func (e *env) load(nStores, nMembers, nSales int) *dataset {
	e.t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	d := &dataset{}
	stamp := "2026-03-01T00:00:00.000Z"
	sys := func(doc store.Doc, id string) store.Doc {
		doc["_id"], doc["_version"], doc["_deleted"] = id, int64(1), false
		doc["_createdAt"], doc["_updatedAt"] = stamp, stamp
		return doc
	}
	for i := range nStores {
		r := regions[i%len(regions)]
		doc := sys(store.Doc{"code": fmt.Sprintf("S%04d", i), "name": fmt.Sprintf("店%02d", i), "region": r,
			"province": []string{"浙江省", "北京市", "广东省", "四川省"}[i%4], "orgUnit": "u-" + r}, fmt.Sprintf("st%03d", i))
		if i%3 == 0 {
			doc["tags"] = []any{"mall"}
		}
		if i == nStores-1 {
			delete(doc, "region") // a store without a region
		}
		d.stores = append(d.stores, doc)
	}
	tiers := []string{"normal", "normal", "silver", "gold", "diamond"}
	for i := range nMembers {
		home := d.stores[rng.IntN(nStores)]
		doc := sys(store.Doc{"name": fmt.Sprintf("会员%d", i), "phone": fmt.Sprintf("138%08d", i), "tier": tiers[rng.IntN(len(tiers))],
			"homeStore": home["_id"], "homeUnit": home["orgUnit"], "orders": int64(rng.IntN(12)), "spend12m": int64(rng.IntN(500000)),
			"points":       int64(rng.IntN(3000)),
			"registeredAt": query.FormatTime(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(600*24)) * time.Hour))}, fmt.Sprintf("m%04d", i))
		if n, _ := query.ToInt(doc["orders"]); n > 0 {
			doc["lastPurchaseAt"] = query.FormatTime(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(380*24*60)) * time.Minute))
		}
		d.members = append(d.members, doc)
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, query.DefaultLocation)
	for i := range nSales {
		s := d.stores[rng.IntN(nStores)]
		at := start.Add(time.Duration(rng.IntN(445*24*60)) * time.Minute)
		paid := int64(rng.IntN(100000) + 100)
		doc := sys(store.Doc{"receiptId": fmt.Sprintf("R%06d", i), "store": s["_id"], "storeUnit": s["orgUnit"],
			"paidAt": query.FormatTime(at), "day": at.In(query.DefaultLocation).Format("2006-01-02"),
			"amount": paid + int64(rng.IntN(2000)), "paid": paid, "weight": json.Number(fmt.Sprintf("%d.%03d", rng.IntN(20), rng.IntN(1000))),
			"status":  []string{"completed", "completed", "completed", "refunded"}[rng.IntN(4)],
			"channel": []string{"pos", "pos", "online"}[rng.IntN(3)]}, fmt.Sprintf("t%06d", i))
		if rng.IntN(10) > 0 {
			doc["member"] = d.members[rng.IntN(nMembers)]["_id"]
		}
		if i%97 == 0 {
			delete(doc, "paidAt") // a sale without a time
		}
		d.sales = append(d.sales, doc)
	}
	e.insertAll("stores", d.stores)
	e.insertAll("members", d.members)
	e.insertAll("transactions", d.sales)
	e.data = d
	return d
}

// insertAll writes docs into a form's records collection in one
// transaction.
func (e *env) insertAll(formKey string, docs []store.Doc) {
	e.t.Helper()
	coll := form.RecordsCollection("crm", formKey)
	err := e.st.Tx(e.ctx, func(tx store.Ops) error {
		for _, d := range docs {
			if _, err := tx.Insert(e.ctx, coll, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("load %s: %v", formKey, err)
	}
	if _, err := e.rec.Form(e.ctx, "crm", formKey); err != nil { // indexes
		e.t.Fatal(err)
	}
}

// run runs a published report as p.
func (e *env) run(p *auth.Principal, key string, params map[string]any) *Result {
	e.t.Helper()
	r, err := e.tryRun(p, key, params)
	if err != nil {
		e.t.Fatalf("run %s: %v", key, err)
	}
	return r
}

func (e *env) tryRun(p *auth.Principal, key string, params map[string]any) (*Result, error) {
	raw := map[string]json.RawMessage{}
	for k, v := range params {
		b, _ := json.Marshal(v)
		raw[k] = b
	}
	return e.svc.Run(e.ctx, p, "crm", key, RunRequest{Parameters: raw, Lang: "en"})
}

// user is a principal with roles of app "crm" in the given org units.
func user(id string, units []string, roles ...string) *auth.Principal {
	p := &auth.Principal{UserID: id, Username: id, Units: units, UnitSubtree: units}
	for _, r := range roles {
		p.Roles = append(p.Roles, auth.RoleRef{App: "crm", Role: r})
	}
	return p
}

// Model helpers: reading the generated documents as the report engine's
// semantics say.

func (d *dataset) store(id any) store.Doc  { return find(d.stores, id) }
func (d *dataset) member(id any) store.Doc { return find(d.members, id) }

func find(docs []store.Doc, id any) store.Doc {
	for _, x := range docs {
		if x["_id"] == id {
			return x
		}
	}
	return nil
}

func intOf(v any) int64 { i, _ := query.ToInt(v); return i }

// inPeriod reports whether a sale's time is within the days [from, to]
// in Shanghai.
func inPeriod(s store.Doc, from, to string) bool {
	at, ok := s["paidAt"].(string)
	if !ok {
		return false
	}
	t, _ := time.Parse(time.RFC3339Nano, at)
	day := t.In(query.DefaultLocation).Format("2006-01-02")
	return day >= from && day <= to
}

// bucket is the bucket key of a sale's time.
func bucket(s store.Doc, b query.Bucket) any {
	at, ok := s["paidAt"].(string)
	if !ok {
		return nil
	}
	t, _ := time.Parse(time.RFC3339Nano, at)
	return query.BucketKey(t, b, query.DefaultLocation)
}

// rowsBy indexes result rows by the values of keys.
func rowsBy(rows []map[string]any, keys ...string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range rows {
		k := ""
		for _, key := range keys {
			k += fmt.Sprint(r[key]) + "|"
		}
		out[k] = r
	}
	return out
}

func mustTime(v any) time.Time {
	t, err := time.Parse(time.RFC3339Nano, fmt.Sprint(v))
	if err != nil {
		panic(err)
	}
	return t
}

func errsIs(err, target error) bool { return errors.Is(err, target) }
