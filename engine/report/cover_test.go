package report

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/store"
)

// The covering indexes of the CRM's reports without a rollup: which are
// planned, and that the numbers are the same with them.
func TestCoverIndexes(t *testing.T) {
	e := newCRMEnv(t)
	e.loadCRM(12, 300, 3000)
	plan, err := e.svc.coverIndexes(e.ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	byForm := map[string][][]string{}
	for _, ci := range plan {
		byForm[ci.form] = append(byForm[ci.form], ci.fields)
		if len(ci.name()) != len("report_cover_")+12 {
			t.Errorf("index name %q", ci.name())
		}
	}
	// Transactions: one index for every report over a paidAt period
	// (repurchase, store ranking, heat map, cohorts), the period first;
	// the member and store joins read through their relation fields.
	want := []string{"paidAt", "_deleted", "member", "paid", "status", "store"}
	if got := byForm["transactions"]; len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("transactions: %v, want [%v]", got, want)
	}
	// Members: the member KPIs' own fields (the region parameter reads
	// store.region through homeStore); the RFM reports have their scores'
	// indexes already, the reports with a rollup read it.
	want = []string{"_deleted", "balance", "homeStore", "orders", "points", "tier"}
	if got := byForm["members"]; len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("members: %v, want [%v]", got, want)
	}
	if got := byForm["coupons"]; len(got) != 1 || got[0][0] != "issuedAt" {
		t.Errorf("coupons: %v", got)
	}

	// The same results before and after the indexes, on the records
	// (this service has no write hook, so no rollups): the HQ cockpit
	// and every raw report of a month, cache bypassed.
	raw := []string{"member-kpi", "repurchase-kpi", "repurchase-rate", "store-ranking", "sales-heatmap", "cohort-retention", "coupon-funnel", "coupon-redemption"}
	period := map[string]json.RawMessage{"period": json.RawMessage(`{"from": "2026-02-01", "to": "2026-02-28"}`)}
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, k := range raw {
			r, err := e.svc.Run(e.ctx, e.admin, "crm", k, RunRequest{Parameters: period, NoCache: true})
			if err != nil && k == "member-kpi" {
				r, err = e.svc.Run(e.ctx, e.admin, "crm", k, RunRequest{NoCache: true})
			}
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			if r.Cached || r.Source != "raw" {
				t.Fatalf("%s: cached %v, source %s", k, r.Cached, r.Source)
			}
			b, _ := json.Marshal([]any{r.Rows, r.Others, r.Totals, r.Subtotals})
			out[k] = string(b)
		}
		e.svc.cache = newResultCache(512)
		d, err := e.svc.RunDashboard(e.ctx, e.admin, "crm", "hq-cockpit", DashboardRequest{Filters: period})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range d.Widgets {
			if w.Error != nil || w.Result.Cached {
				t.Fatalf("cockpit %s: %+v", w.ID, w.Error)
			}
			b, _ := json.Marshal([]any{w.Result.Rows, w.Result.Others, w.Result.Totals})
			out["cockpit."+w.ID] = string(b)
		}
		return out
	}
	before := snapshot()
	if err := e.svc.ensureCoverIndexes(e.ctx, "crm"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ensureCoverIndexes(e.ctx, "crm"); err != nil { // existing ones are kept
		t.Fatal(err)
	}
	after := snapshot()
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range before {
			if !yield(k) {
				return
			}
		}
	}) {
		if before[k] != after[k] {
			t.Errorf("%s changed with the covering indexes:\nbefore %s\nafter  %s", k, before[k], after[k])
		}
		if before[k] == `[[],null,null,null]` || before[k] == `[[],null,null]` {
			t.Errorf("%s: no rows to compare", k)
		}
	}
}

// indexRecorder is a store that records the indexes asked for.
type indexRecorder struct {
	store.Store
	store.JoinAggregator
	mu      sync.Mutex
	ensured map[string][]string // coll/name -> fields
}

func (r *indexRecorder) EnsureIndexes(ctx context.Context, coll string, idx []store.Index) error {
	r.mu.Lock()
	for _, ix := range idx {
		r.ensured[coll+"/"+ix.Name] = ix.Fields
	}
	r.mu.Unlock()
	return r.Store.EnsureIndexes(ctx, coll, idx)
}

// BuildRollups (template install, server start with -template) builds
// the covering indexes with the rollups.
func TestBuildRollupsBuildsCoverIndexes(t *testing.T) {
	e := newCRMEnv(t)
	e.loadCRM(4, 40, 200)
	rec := &indexRecorder{Store: e.st, JoinAggregator: e.st.(store.JoinAggregator), ensured: map[string][]string{}}
	svc := New(Deps{Store: rec, Meta: e.meta, Guard: access.NewGuard(e.meta), Records: e.rec})
	svc.Hook()
	if _, err := svc.BuildRollups(e.ctx, e.admin, "crm"); err != nil {
		t.Fatal(err)
	}
	plan, err := svc.coverIndexes(e.ctx, "crm")
	if err != nil || len(plan) < 3 {
		t.Fatalf("plan %v, %v", plan, err)
	}
	for _, ci := range plan {
		if got := rec.ensured[ci.coll+"/"+ci.name()]; !reflect.DeepEqual(got, ci.fields) {
			t.Errorf("%s: ensured %v, want %v", ci.name(), got, ci.fields)
		}
	}
	// A failing store fails the build with the index named.
	rec.Store = failingIndexes{e.st}
	if _, err := svc.BuildRollups(e.ctx, e.admin, "crm"); err == nil || !strings.Contains(err.Error(), "covering index of") {
		t.Fatalf("got %v", err)
	}
}

// failingIndexes refuses every index.
type failingIndexes struct{ store.Store }

func (failingIndexes) EnsureIndexes(context.Context, string, []store.Index) error {
	return errors.New("disk full")
}
