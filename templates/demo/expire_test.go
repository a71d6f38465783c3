package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/templates/demo"
)

// TestPointsExpiryMirror: the ledger's expiry processing keeps the
// member's points field equal to its points balance (the template's
// ledger-expired action runs in each expiry's transaction), and every
// ledger still reconciles.
func TestPointsExpiryMirror(t *testing.T) {
	ctx := context.Background()
	d, svc := newCRM(t, 6)
	var members []store.Doc
	all(t, d, "members", func(m store.Doc) { members = append(members, m) })
	now := time.Now()
	// Points that expire tomorrow, posted the way the checkout posts
	// them, the mirror kept alongside.
	for i, m := range members[:3] {
		id := m["_id"].(string)
		e, err := d.Ledger.PostTx(ctx, ledger.Posting{App: testApp, Owner: id, Kind: demo.KindPoints, Unit: ledger.UnitPoint,
			Amount: int64(100 * (i + 1)), Key: "expiry-test:" + id, Type: "earn", ExpiresAt: now.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Records.Patch(ctx, auth.System().Principal, testApp, "members", id, map[string]any{"points": e.BalanceAfter}, 0, form.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := d.Ledger.Expire(ctx, testApp, now.Add(48*time.Hour))
	if err != nil || res.Expired < 3 || res.Failed != 0 {
		t.Fatalf("expire: %+v %v", res, err)
	}
	for _, m := range members {
		id := m["_id"].(string)
		got, err := svc.Records.Get(ctx, auth.System().Principal, testApp, "members", id)
		if err != nil {
			t.Fatal(err)
		}
		bal, err := d.Ledger.Balance(ctx, testApp, id, demo.KindPoints)
		if err != nil {
			t.Fatal(err)
		}
		if num(t, got["points"]) != bal {
			t.Fatalf("member %s: points field %v, ledger balance %d after expiry", id, got["points"], bal)
		}
	}
	rep, err := d.Ledger.Reconcile(ctx, testApp)
	if err != nil || len(rep.Mismatches) != 0 {
		t.Fatalf("reconcile %+v %v", rep, err)
	}
}
