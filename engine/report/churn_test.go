package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// records reads every record of a form of the CRM env from the store.
func (e *env) records(formKey string) []store.Doc {
	e.t.Helper()
	docs, err := e.st.Find(e.ctx, form.RecordsCollection("crm", formKey), store.Query{Limit: store.MaxLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	return docs
}

// The template's churn-risk list: the members in the at-risk RFM
// segments, by 12-month spend, one row per member with its fields; a
// store manager's list is HQ's for the manager's members with phones
// masked, and a row drills to its member.
func TestTemplateChurnRiskList(t *testing.T) {
	e := newCRMEnv(t)
	e.loadCRM(12, 300, 200)
	members := e.records("members")
	stores := map[any]store.Doc{}
	for _, s := range e.records("stores") {
		stores[s["_id"]] = s
	}
	var want []store.Doc
	for _, m := range members {
		if m["rfmSegment"] == "win-back" || m["rfmSegment"] == "keep" {
			want = append(want, m)
		}
	}
	sort.SliceStable(want, func(i, j int) bool { return intOf(want[i]["spend12m"]) > intOf(want[j]["spend12m"]) })
	if len(want) < 40 {
		t.Fatalf("%d members at risk in the data", len(want))
	}
	hq := e.run(e.admin, "churn-risk", nil)
	if len(hq.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(hq.Rows), len(want))
	}
	for i, row := range hq.Rows {
		m := want[i]
		exp := map[string]any{"_record": m["_id"], "name": m["name"], "phone": m["phone"], "homeStore": m["homeStore"], "tier": m["tier"],
			"lastPurchaseAt": m["lastPurchaseAt"], "rfmSegment": m["rfmSegment"],
			"spend": json.Number(fmt.Sprint(intOf(m["spend12m"]))), "orders": json.Number(fmt.Sprint(intOf(m["orders"])))}
		if fmt.Sprint(row) != fmt.Sprint(exp) {
			t.Fatalf("row %d: %v\nwant %v", i, row, exp)
		}
	}
	var keys []string
	for _, c := range hq.Columns {
		keys = append(keys, c.Key+":"+c.Role)
		if c.Key == "homeStore" && c.Labels[fmt.Sprint(want[0]["homeStore"])] == "" {
			t.Errorf("home store titles: %v", c.Labels)
		}
	}
	if got := strings.Join(keys, " "); got != "name:dimension phone:dimension homeStore:dimension tier:dimension lastPurchaseAt:dimension rfmSegment:dimension _record:dimension spend:measure orders:measure" {
		t.Errorf("columns %s", got)
	}

	// A store manager: the members of the unit, phones masked.
	mgr := user("mgr", []string{"u-east"}, "store-manager")
	mine := e.run(mgr, "churn-risk", nil)
	var east []map[string]any
	for _, row := range e.run(e.admin, "churn-risk", map[string]any{"region": "east"}).Rows {
		east = append(east, row)
	}
	if len(mine.Rows) == 0 || len(mine.Rows) != len(east) {
		t.Fatalf("manager %d rows, HQ east %d", len(mine.Rows), len(east))
	}
	for i, row := range mine.Rows {
		h := east[i]
		if row["_record"] != h["_record"] || row["spend"] != h["spend"] || row["phone"] != access.DefaultMask.Apply(h["phone"].(string)) ||
			!strings.Contains(row["phone"].(string), "****") {
			t.Fatalf("manager row %v, HQ row %v", row, h)
		}
		if m := find(members, row["_record"]); m["homeUnit"] != "u-east" || stores[m["homeStore"]]["region"] != "east" {
			t.Fatalf("a manager sees member %v of unit %v", m["_id"], m["homeUnit"])
		}
	}

	// A masked list is never served from (or into) the shared cache: an
	// all-member role with masked phones after HQ, then HQ again.
	e.publish(meta.KindRole, "auditor", `{"title": "Auditor", "permissions": [
	 {"kind": "form", "key": "members", "actions": ["read"], "fields": {"phone": "masked"}},
	 {"kind": "form", "key": "stores", "actions": ["read"]}, {"kind": "report", "key": "*", "actions": ["read"]}]}`)
	aud := e.run(user("aud", nil, "auditor"), "churn-risk", nil)
	if len(aud.Rows) != len(want) || aud.Cached || !strings.Contains(aud.Rows[0]["phone"].(string), "****") {
		t.Fatalf("auditor: cached %v, row %v", aud.Cached, aud.Rows[0])
	}
	if again := e.run(e.admin, "churn-risk", nil); !again.Cached || again.Rows[0]["phone"] != want[0]["phone"] {
		t.Fatalf("HQ again: cached %v, row %v", again.Cached, again.Rows[0])
	}

	// Drill-down: a row opens its member; a masked field is no cell; a
	// member out of scope selects nothing.
	id, _ := json.Marshal(mine.Rows[0]["_record"])
	dr, err := e.svc.Drill(e.ctx, mgr, "crm", "churn-risk", DrillRequest{Cell: map[string]json.RawMessage{"_record": id}}, "en")
	if err != nil || dr.Count != 1 || dr.Form != "members" || !strings.Contains(fmt.Sprint(dr.Filter), string(id[1:len(id)-1])) {
		t.Fatalf("drill: %+v %v", dr, err)
	}
	// The whole row as the UI sends it (the masked phone included) opens
	// the same record.
	cell := map[string]json.RawMessage{}
	for k, v := range mine.Rows[0] {
		cell[k], _ = json.Marshal(v)
	}
	if dr, err := e.svc.Drill(e.ctx, mgr, "crm", "churn-risk", DrillRequest{Cell: cell}, "en"); err != nil || dr.Count != 1 {
		t.Fatalf("drill by the whole row: %+v %v", dr, err)
	}
	phone, _ := json.Marshal(want[0]["phone"])
	_, err = e.svc.Drill(e.ctx, mgr, "crm", "churn-risk", DrillRequest{Cell: map[string]json.RawMessage{"phone": phone}}, "en")
	if ee, ok := errs.As(err); !ok || ee.Class != errs.Forbidden || ee.Code != "report.list_drill" {
		t.Fatalf("drill by a masked phone: %v", err)
	}
	var other json.RawMessage
	for _, row := range hq.Rows {
		if m := find(members, row["_record"]); m["homeUnit"] != "u-east" {
			other, _ = json.Marshal(row["_record"])
			break
		}
	}
	if dr, err := e.svc.Drill(e.ctx, mgr, "crm", "churn-risk", DrillRequest{Cell: map[string]json.RawMessage{"_record": other}}, "en"); err != nil || dr.Count != 0 {
		t.Fatalf("drill out of scope: %+v %v", dr, err)
	}

	// Sorting by a masked field would order the rows by what the mask
	// hides: refused for the manager, fine for HQ.
	def, err := e.meta.Get(e.ctx, "crm", meta.KindReport, "churn-risk")
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(def.Spec, &spec); err != nil {
		t.Fatal(err)
	}
	spec["sort"] = "phone"
	raw, _ := json.Marshal(spec)
	e.publish(meta.KindReport, "by-phone", string(raw))
	_, err = e.tryRun(mgr, "by-phone", nil)
	if got := fieldPaths(err); !reflect.DeepEqual(got, []string{"dimensions[1].field report.field_hidden"}) {
		t.Errorf("sort by masked phone: %v", got)
	}
	if r := e.run(e.admin, "by-phone", nil); len(r.Rows) != len(want) || fmt.Sprint(r.Rows[0]["phone"]) > fmt.Sprint(r.Rows[1]["phone"]) {
		t.Errorf("HQ by phone: %v", r.Rows[:2])
	}
}

// The template's basket-pairs report equals a count in Go over the
// stored transactions, and a store manager's pairs equal HQ's filtered to
// the manager's stores.
func TestTemplateBasketPairs(t *testing.T) {
	e := newCRMEnv(t)
	e.loadCRM(10, 100, 2000)
	stores := map[any]store.Doc{}
	for _, s := range e.records("stores") {
		stores[s["_id"]] = s
	}
	sales := e.records("transactions")
	wide := map[string]any{"period": map[string]string{"from": "2025-01-01", "to": "2026-03-31"}}
	hq := e.run(e.admin, "basket-pairs", wide)
	model := countPairs(sales, func(s store.Doc) bool { return s["status"] == "completed" })
	want := model.rows(20)
	if len(hq.Rows) != 20 || len(want) != 20 {
		t.Fatalf("%d rows, model %d", len(hq.Rows), len(want))
	}
	for i, row := range hq.Rows {
		w := want[i]
		for _, k := range []string{"baskets", "support", "confidence", "confidenceBA"} {
			if row[k] != w[k] {
				t.Fatalf("row %d %s: %v, want %v", i, k, row, w)
			}
		}
		if row["categoryA"] != w["a"] || row["categoryB"] != w["b"] || row["lift"] != model.lift(w["a"], w["b"], 2) {
			t.Fatalf("row %d: %v, want %v", i, row, w)
		}
	}
	mgr := user("mgr", []string{"u-south"}, "store-manager")
	mine := e.run(mgr, "basket-pairs", wide)
	south := e.run(e.admin, "basket-pairs", map[string]any{"period": wide["period"], "region": "south"})
	if len(mine.Rows) == 0 || !reflect.DeepEqual(mine.Rows, south.Rows) || reflect.DeepEqual(mine.Rows, hq.Rows) {
		t.Fatalf("manager:\n%v\nHQ south:\n%v", mine.Rows, south.Rows)
	}
	sm := countPairs(sales, func(s store.Doc) bool {
		return s["status"] == "completed" && stores[s["store"]]["orgUnit"] == "u-south"
	})
	if got, w := mine.Rows[0], sm.rows(1)[0]; got["categoryA"] != w["a"] || got["categoryB"] != w["b"] || got["baskets"] != w["baskets"] {
		t.Errorf("manager's top pair %v, model %v", got, w)
	}
	// On the member-analysis dashboard.
	data, err := e.svc.RunDashboard(e.ctx, e.admin, "crm", "member-analysis", DashboardRequest{Lang: "zh-CN"})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, w := range data.Widgets {
		if w.ID == "basketPairs" || w.ID == "churnRisk" {
			seen++
			if w.Error != nil {
				t.Errorf("%s: %+v", w.ID, w.Error)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d of the two widgets on member-analysis", seen)
	}
}

// A record list refuses what has no meaning over single records.
func TestListRefusesGroupingOptions(t *testing.T) {
	e := newEnv(t)
	err := e.tryPublish(meta.KindReport, "bad", `{"title": "x", "dataset": {"form": "members"}, "list": true,
	 "dimensions": [{"field": "name"}, {"field": "registeredAt", "bucket": "month"}], "measures": [{"op": "sum", "field": "spend12m"}],
	 "totals": true, "limit": 10, "others": true}`)
	want := []string{"spec.dimensions[1] report.list", "spec.others report.list", "spec.others report.others", "spec.totals report.list"}
	if got := fieldPaths(err); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A hidden field stays refused in a list.
	e.load(3, 20, 0)
	e.publish(meta.KindReport, "list", `{"title": "x", "dataset": {"form": "members"}, "list": true,
	 "dimensions": [{"field": "name"}, {"field": "phone"}], "measures": [{"op": "sum", "field": "spend12m", "as": "spend"}], "sort": "-spend", "limit": 5}`)
	e.publish(meta.KindRole, "no-phone", `{"title": "x", "permissions": [
	 {"kind": "form", "key": "members", "actions": ["read"], "fields": {"phone": "hidden"}}, {"kind": "report", "key": "*", "actions": ["read"]}]}`)
	_, err = e.tryRun(user("u", nil, "no-phone"), "list", nil)
	if got := fieldPaths(err); !reflect.DeepEqual(got, []string{"dimensions[1].field report.field_hidden"}) {
		t.Errorf("hidden phone: %v", got)
	}
	r := e.run(e.admin, "list", nil)
	if len(r.Rows) != 5 || r.Rows[0]["_record"] == nil || intOf(r.Rows[0]["spend"]) < intOf(r.Rows[4]["spend"]) {
		t.Errorf("top 5: %v", r.Rows)
	}
}
