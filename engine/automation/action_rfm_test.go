package automation_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/report"
)

// TestRFMDailyAutomationScoresAtItsTime runs the template's rfm-daily
// (schedule.cron 02:30 Asia/Shanghai → report.rfm) with two runners while
// the clock moves: nothing before 02:30, one scoring at 02:30 whose output
// holds the cut points, the members scored and tagged as a direct run
// scores them, nothing more that day, again the next day.
func TestRFMDailyAutomationScoresAtItsTime(t *testing.T) {
	now := time.Now().Add(24 * time.Hour).In(cst)
	day0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, cst)
	e := newCRM(t, 60, day0.Add(-time.Hour))
	runners := []*automation.Service{e.newService(), e.newService()}
	tick := func(at time.Time) {
		e.clk.Set(at)
		e.tickAll(runners)
	}
	tick(day0.Add(2*time.Hour + 29*time.Minute))
	if runs := e.runs("rfm-daily"); len(runs) != 0 {
		t.Fatalf("%d runs before 02:30", len(runs))
	}
	for _, m := range e.allMembers() {
		if m["rfmSegment"] != nil {
			t.Fatalf("a member was scored before 02:30: %v", m["_id"])
		}
	}
	at := day0.Add(2*time.Hour + 30*time.Minute)
	tick(at)
	runs := e.runs("rfm-daily")
	if len(runs) != 1 || runs[0].Status != automation.RunDone {
		t.Fatalf("runs at 02:30: %+v", runs)
	}
	out, _ := runs[0].Steps["rfm"].Output.(map[string]any)
	cuts, _ := out["cuts"].(map[string]any)
	if out["day"] != day0.Format("2006-01-02") || out["method"] != "quintiles" || len(asAny(cuts["r"])) != 4 || len(asAny(cuts["m"])) != 4 {
		t.Fatalf("step output %v", out)
	}
	buyers, tagged := 0, 0
	for _, m := range e.allMembers() {
		orders := fmt.Sprint(m["orders"])
		seg, _ := m["rfmSegment"].(string)
		if orders == "0" || orders == "<nil>" {
			if seg != "" {
				t.Errorf("non-buyer %v scored %s", m["_id"], seg)
			}
			continue
		}
		buyers++
		if slices.Contains(asAny(m["tags"]), any("rfm-"+seg)) {
			tagged++
		}
	}
	if buyers == 0 || fmt.Sprint(out["scored"]) != fmt.Sprint(buyers) || tagged != buyers {
		t.Errorf("scored %v, %d buyers, %d tagged", out["scored"], buyers, tagged)
	}
	// The automation scored exactly as a direct run does: nothing to change.
	rs := report.New(report.Deps{Store: e.st, Meta: e.meta, Guard: e.guard, Records: e.rec, Now: e.clk.Now})
	direct, err := rs.ScoreRFM(e.ctx, "crm", report.DefaultRFMJob, "en")
	if err != nil || direct.Changed != 0 || fmt.Sprint(direct.Segments) != fmt.Sprint(out["segments"]) {
		t.Errorf("direct run after the automation: %+v %v (automation: %v)", direct, err, out["segments"])
	}
	tick(at.Add(15 * time.Minute))
	tick(day0.Add(23 * time.Hour))
	if n := len(e.runs("rfm-daily")); n != 1 {
		t.Errorf("%d runs on the first day", n)
	}
	tick(at.AddDate(0, 0, 1))
	runs = e.runs("rfm-daily")
	if len(runs) != 2 || runs[0].Status != automation.RunDone || runs[1].Status != automation.RunDone {
		t.Fatalf("runs on the second day: %d", len(runs))
	}
	last, err := rs.LastRFMRun(e.ctx, "crm", "members")
	if err != nil || last.Day != day0.AddDate(0, 0, 1).Format("2006-01-02") {
		t.Errorf("last run %+v %v", last, err)
	}
}

func asAny(v any) []any { l, _ := v.([]any); return l }

// Bad report.rfm settings are refused when the automation is saved, each
// with its code and path.
func TestRFMActionBadSettingsRefusedOnSave(t *testing.T) {
	e := newBareOn(t, storeURI(t))
	e.define(meta.KindApp, "crm", `{"title": "CRM"}`)
	for _, file := range []struct {
		kind meta.Kind
		key  string
	}{{meta.KindForm, "members"}, {meta.KindForm, "stores"}, {meta.KindRule, "rfm-segments"}, {meta.KindRule, "rfm-thresholds"}} {
		e.define(file.kind, file.key, templateSpec(t, file.kind, file.key))
	}
	const ok = `"form": "members", "segments": "rfm-segments", "tagField": "tags"`
	for _, c := range []struct{ config, want string }{
		{`{"form": "nope", "segments": "rfm-segments"}`, "[spec.actions[0].config.form report.rfm_unknown_form]"},
		{`{"form": "members", "segments": "rfm-segments", "tagField": "labels"}`, "[spec.actions[0].config.tagField report.rfm_tag_field]"},
		{`{"form": "members", "segments": "rfm-segments", "tagField": "gender"}`, "[spec.actions[0].config.tagField report.rfm_tag_type]"},
		{`{` + ok + `, "method": "deciles"}`, "[spec.actions[0].config.method report.rfm_method]"},
		{`{` + ok + `, "method": "thresholds"}`, "[spec.actions[0].config.thresholds report.rfm_thresholds_required]"},
		{`{` + ok + `, "method": "thresholds", "thresholds": "nope"}`, "[spec.actions[0].config.thresholds report.rfm_unknown_table]"},
		{`{"form": "members", "segments": "nope"}`, "[spec.actions[0].config.segments report.rfm_unknown_table]"},
		{`{"form": "stores", "segments": "rfm-segments"}`, "spec.actions[0].config.form.lastPurchaseAt report.rfm_field"},
		{`{` + ok + `, "limit": 3}`, "[spec.actions[0].config.limit automation.unknown_setting]"},
		{`{` + ok + `, "batch": 100000}`, "[spec.actions[0].config.batch report.rfm_batch]"},
	} {
		_, err := e.meta.Create(e.ctx, meta.Definition{Kind: meta.KindAutomation, App: "crm", Key: "rfm-bad", Spec: []byte(`{"title": "x",
		  "trigger": {"type": "schedule.cron", "config": {"cron": "30 2 * * *"}},
		  "actions": [{"id": "rfm", "type": "report.rfm", "config": ` + c.config + `}]}`)}, "admin")
		wantCode(t, err, "meta.invalid")
		if got := fmt.Sprint(paths(err)); !strings.Contains(got, c.want) {
			t.Errorf("%s: %v, want %s", c.config, got, c.want)
		}
	}
	// The template's own settings pass.
	_, err := e.meta.Create(e.ctx, meta.Definition{Kind: meta.KindAutomation, App: "crm", Key: "rfm-good", Spec: []byte(`{"title": "x",
	  "trigger": {"type": "schedule.cron", "config": {"cron": "30 2 * * *"}},
	  "actions": [{"id": "rfm", "type": "report.rfm", "config": {` + ok + `, "method": "quintiles"}}]}`)}, "admin")
	e.must(err)
}

// templateSpec is a definition of the CRM templates as a spec (without
// its key).
func templateSpec(t *testing.T, kind meta.Kind, key string) string {
	t.Helper()
	for _, dir := range []string{"core", "crm-retail"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "templates", dir, string(kind)+"s", key+".json"))
		if err != nil {
			continue
		}
		var spec map[string]any
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		delete(spec, "key")
		b, _ := json.Marshal(spec)
		return string(b)
	}
	t.Fatalf("no template definition %s %s", kind, key)
	return ""
}
