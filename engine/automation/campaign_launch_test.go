package automation_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/action"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// TestCampaignLaunchContinues: a launch that stopped after its first batch
// (a larger audience than one call takes) is finished by the template's
// campaign-launch-continue at the next minute, with no second click, and
// the minute after finds nothing left to do.
func TestCampaignLaunchContinues(t *testing.T) {
	// The next minute on the real clock: the template is published before
	// it, and a first tick takes that minute's occurrence, before there is
	// a campaign to continue.
	now := time.Now().In(cst).Truncate(time.Minute).Add(time.Minute)
	e := newCRM(t, 40, now.Add(-time.Hour))
	e.clk.Set(now.Add(10 * time.Second))
	runners := []*automation.Service{e.newService(), e.newService()}
	e.tickAll(runners)
	tpls, err := e.st.Find(e.ctx, form.RecordsCollection("crm", "coupon-templates"), store.Query{Limit: 1})
	e.must(err)
	if len(tpls) == 0 {
		t.Fatal("the demo has no coupon template")
	}
	camp := e.create("campaigns", map[string]any{"name": "大促", "type": "full-reduction", "couponTemplate": tpls[0]["_id"],
		"startAt": now.Add(-24 * time.Hour).Format(time.RFC3339), "endAt": now.Add(7 * 24 * time.Hour).Format(time.RFC3339),
		"controlShare": 20, "audienceTiers": []any{"normal", "silver", "gold", "diamond"}, "consentOnly": false})["_id"].(string)

	in, _ := json.Marshal(map[string]any{"campaign": camp, "limit": 5})
	res, err := e.actions.Run(e.ctx, auth.System().Principal, "crm", "launch-campaign", in, action.Options{Lang: "en"})
	e.must(err)
	var first struct {
		Done     bool `json:"done"`
		Assigned int  `json:"assigned"`
	}
	e.must(json.Unmarshal(res.Output, &first))
	if first.Done || first.Assigned != 5 {
		t.Fatalf("first batch %s", res.Output)
	}

	assigned := func() int64 {
		n, err := e.st.Count(e.ctx, form.RecordsCollection("crm", "campaign-members"), nil)
		e.must(err)
		return n
	}
	e.clk.Set(now.Add(time.Minute))
	e.tickAll(runners)
	c, err := e.st.Get(e.ctx, form.RecordsCollection("crm", "campaigns"), camp)
	e.must(err)
	size, _ := query.ToInt(c["targetSize"])
	ctl, _ := query.ToInt(c["controlSize"])
	if c["launchedAt"] == nil || assigned() != 40 || size+ctl != 40 || ctl == 0 {
		t.Fatalf("after the next minute: %d of 40 members assigned, campaign %v", assigned(), c)
	}
	runs := e.runs("campaign-launch-continue")
	if len(runs) != 1 || runs[0].Status != automation.RunDone {
		t.Fatalf("continue runs %+v", runs)
	}
	e.clk.Set(now.Add(2 * time.Minute))
	e.tickAll(runners)
	if runs := e.runs("campaign-launch-continue"); len(runs) != 1 {
		t.Fatalf("a launched campaign was continued again: %d runs", len(runs))
	}
}
