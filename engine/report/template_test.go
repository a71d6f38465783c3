package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/templates"
)

// newCRMEnv installs the crm-retail template (its forms, roles, reports
// and dashboards) into app "crm" of a fresh store.
func newCRMEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "crm.db")), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{Publish: true}, "admin"); err != nil {
		t.Fatalf("install crm-retail: %v", err)
	}
	guard := access.NewGuard(ms)
	rec := form.NewRecords(st, ms, guard, nil, nil)
	return &env{t: t, ctx: ctx, st: st, meta: ms, rec: rec,
		svc: New(Deps{Store: st, Meta: ms, Guard: guard, Records: rec, Now: func() time.Time {
			return time.Date(2026, 3, 20, 10, 0, 0, 0, query.DefaultLocation)
		}}),
		admin: &auth.Principal{UserID: "admin", Username: "admin", Admin: true}}
}

// loadCRM writes CRM-shaped demo data: stores, members, transactions,
// coupon templates and coupons.
func (e *env) loadCRM(nStores, nMembers, nSales int) {
	rng := rand.New(rand.NewPCG(1, 2))
	stamp := "2026-03-01T00:00:00.000Z"
	sys := func(id string, d store.Doc) store.Doc {
		d["_id"], d["_version"], d["_deleted"], d["_createdAt"], d["_updatedAt"] = id, int64(1), false, stamp, stamp
		return d
	}
	regions := []string{"east", "north", "south", "west", "central"}
	provinces := []string{"浙江省", "北京市", "广东省", "四川省", "湖北省"}
	var stores, members, sales, tpls, coupons []store.Doc
	for i := range nStores {
		stores = append(stores, sys(fmt.Sprintf("s%d", i), store.Doc{"code": fmt.Sprintf("S%04d", i), "name": fmt.Sprintf("门店%d", i),
			"province": provinces[i%5], "city": "城市", "region": regions[i%5], "orgUnit": "u-" + regions[i%5], "status": "open"}))
	}
	tiers := []string{"normal", "silver", "gold", "diamond"}
	for i := range nMembers {
		home := stores[rng.IntN(nStores)]
		m := store.Doc{"name": fmt.Sprintf("会员%d", i), "phone": fmt.Sprintf("139%08d", i), "tier": tiers[rng.IntN(4)],
			"homeStore": home["_id"], "homeUnit": home["orgUnit"], "orders": int64(rng.IntN(9)), "spend12m": int64(rng.IntN(900000)),
			"points": int64(rng.IntN(5000)), "balance": int64(rng.IntN(100000)),
			"registeredAt": query.FormatTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(440*24)) * time.Hour))}
		if intOf(m["orders"]) > 0 {
			m["lastPurchaseAt"] = query.FormatTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(290*24)) * time.Hour))
			m["rfmSegment"] = crmSegments[i%len(crmSegments)] // the churn-risk list (pairs_test.go)
		}
		members = append(members, sys(fmt.Sprintf("m%d", i), m))
	}
	for i := range nSales {
		s := stores[rng.IntN(nStores)]
		paid := int64(rng.IntN(40000) + 500)
		sales = append(sales, sys(fmt.Sprintf("t%d", i), store.Doc{"receiptId": fmt.Sprintf("R%d", i), "store": s["_id"], "storeUnit": s["orgUnit"],
			"member": members[rng.IntN(nMembers)]["_id"], "amount": paid + 300, "discount": int64(300), "paid": paid,
			"paidAt":  query.FormatTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(443*24*60)) * time.Minute)),
			"status":  []string{"completed", "completed", "completed", "refunded"}[rng.IntN(4)],
			"channel": []string{"pos", "online"}[rng.IntN(2)]}))
	}
	for i, s := range sales {
		s["lines"] = crmLines(i) // the basket-pairs report (pairs_test.go)
	}
	for i := range 3 {
		tpls = append(tpls, sys(fmt.Sprintf("ct%d", i), store.Doc{"name": fmt.Sprintf("满%d减10", (i+1)*50), "type": "amount",
			"value": int64(1000 * (i + 1)), "status": "active"}))
	}
	for i := range nMembers {
		coupons = append(coupons, sys(fmt.Sprintf("c%d", i), store.Doc{"code": fmt.Sprintf("C%06d", i), "template": tpls[i%3]["_id"],
			"member": members[i]["_id"], "store": stores[i%nStores]["_id"],
			"status":   []string{"issued", "redeemed", "redeemed", "expired"}[rng.IntN(4)],
			"issuedAt": query.FormatTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(70*24)) * time.Hour))}))
	}
	// A launched and evaluated campaign (the campaign-roi report).
	campaigns := []store.Doc{sys("cp0", store.Doc{"name": "春季会员日", "type": "discount", "startAt": "2026-03-01T00:00:00.000Z",
		"endAt": "2026-03-15T00:00:00.000Z", "controlShare": json.Number("20"), "launchedAt": stamp, "targetSize": int64(240),
		"controlSize": int64(60), "incrementalSales": int64(123400), "couponCost": int64(20000), "roi": json.Number("517"), "roiStatus": "ok"})}
	for f, docs := range map[string][]store.Doc{"stores": stores, "members": members, "transactions": sales, "coupon-templates": tpls, "coupons": coupons, "campaigns": campaigns} {
		e.insertAll(f, docs)
	}
}

// The reports and dashboards the CRM template ships: each is valid against
// the template's forms (the save-time cross check) and runs on demo data.
func TestCRMTemplateReportsRun(t *testing.T) {
	e := newCRMEnv(t)
	e.loadCRM(12, 300, 3000)
	for _, kind := range []meta.Kind{meta.KindReport, meta.KindDashboard} {
		defs, err := e.meta.List(e.ctx, "crm", kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(defs) < 5 {
			t.Fatalf("%d %ss in the template", len(defs), kind)
		}
		for _, d := range defs {
			if err := e.meta.CrossCheck(e.ctx, d); err != nil {
				t.Errorf("%s: %v", d.Ref(), err)
			}
		}
	}
	wide := map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2025-01-01", "to": "2026-03-31"}`)}
	defs, _ := e.meta.List(e.ctx, "crm", meta.KindReport)
	for _, d := range defs {
		r, err := e.svc.Run(e.ctx, e.admin, "crm", d.Key, RunRequest{Lang: "zh-CN"})
		if err != nil {
			t.Errorf("%s with defaults: %v", d.Key, err)
			continue
		}
		c, _ := e.svc.compile(e.ctx, "crm", d.Key, "zh-CN")
		if c.period != nil {
			if r, err = e.svc.Run(e.ctx, e.admin, "crm", d.Key, RunRequest{Parameters: wide, Lang: "zh-CN"}); err != nil {
				t.Errorf("%s: %v", d.Key, err)
				continue
			}
		}
		if len(r.Rows) == 0 || r.Chart == nil {
			t.Errorf("%s: %d rows, chart %v", d.Key, len(r.Rows), r.Chart)
		}
	}
	dashes, _ := e.meta.List(e.ctx, "crm", meta.KindDashboard)
	for _, d := range dashes {
		data, err := e.svc.RunDashboard(e.ctx, e.admin, "crm", d.Key, DashboardRequest{Filters: wide, Lang: "en"})
		if err != nil {
			t.Errorf("dashboard %s: %v", d.Key, err)
			continue
		}
		for _, w := range data.Widgets {
			if w.Error != nil {
				t.Errorf("dashboard %s widget %s: %+v", d.Key, w.ID, w.Error)
			}
		}
	}
	// With the hook, every rollup the template declares builds, and runs
	// answered from them equal the records'.
	raw := e.rawService()
	e.svc.Hook()
	built, err := e.svc.BuildRollups(e.ctx, e.admin, "crm")
	if err != nil || len(built) < 5 {
		t.Fatalf("rollups: %v %v", built, err)
	}
	for _, b := range built {
		c, _ := e.svc.compile(e.ctx, "crm", b.Report, "en")
		for _, params := range []map[string]json.RawMessage{nil, wide} {
			if params != nil && c.period == nil {
				continue
			}
			got, err := e.svc.Run(e.ctx, e.admin, "crm", b.Report, RunRequest{Parameters: params, NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			want, err := raw.Run(e.ctx, e.admin, "crm", b.Report, RunRequest{Parameters: params, NoCache: true})
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != "rollup" || !reflect.DeepEqual(got.Rows, want.Rows) {
				t.Errorf("%s %s: source %s\n%v\n%v", b.Report, params, got.Source, got.Rows, want.Rows)
			}
		}
	}
	// The segments cover every buying member once.
	seg, err := e.svc.Run(e.ctx, e.admin, "crm", "rfm-segments", RunRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, row := range seg.Rows {
		n += intOf(row["members"])
	}
	kpi, _ := e.svc.Run(e.ctx, e.admin, "crm", "member-kpi", RunRequest{})
	if n == 0 || n != intOf(kpi.Rows[0]["buyers"]) {
		t.Errorf("segments hold %d members, %v bought", n, kpi.Rows[0]["buyers"])
	}
}
