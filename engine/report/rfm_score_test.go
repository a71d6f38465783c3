package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// thresholdsJob scores from the template's fixed bands (rfm-thresholds).
var thresholdsJob = RFMJob{Form: "members", Segments: "rfm-segments", Thresholds: "rfm-thresholds", Method: RFMThresholds, TagField: "tags"}

// rfmCase is one hand-made member and the scores the template's tables
// give it on 2026-03-20 (Asia/Shanghai, the env's clock) by fixed bands.
type rfmCase struct {
	id      string
	orders  int64
	spend   int64 // fen
	last    string
	r, f, m int64
	segment string // "" for none
}

var rfmCases = []rfmCase{
	{"m01", 12, 1_200_000, "2026-03-10T02:00:00Z", 5, 5, 5, "champions"},
	{"m02", 1, 600_000, "2026-03-01T02:00:00Z", 5, 1, 4, "potential"},
	{"m03", 8, 300_000, "2025-10-01T02:00:00Z", 2, 4, 3, "keep"},
	{"m04", 2, 2_000_000, "2025-01-01T02:00:00Z", 1, 2, 5, "win-back"},
	{"m05", 5, 10_000, "2026-02-01T02:00:00Z", 4, 3, 1, "promising"},
	{"m06", 1, 49_999, "2026-01-20T02:00:00Z", 4, 1, 1, "new"},           // 499.99 yuan: below the 500 band
	{"m07", 1, 50_000, "2026-01-20T02:00:00Z", 4, 1, 2, "new"},           // 500 yuan exactly: M 2
	{"m08", 4, 0, "2025-12-20T02:00:00Z", 3, 3, 1, "promising"},          // 90 days: R 3
	{"m09", 4, 0, "2025-12-19T02:00:00Z", 2, 3, 1, "hibernating"},        // 91 days: R 2
	{"m10", 1, 100, "2024-06-01T02:00:00Z", 1, 1, 1, "sleeping"},         //
	{"m11", 10, 1_000_000, "2026-02-17T16:00:00Z", 5, 5, 5, "champions"}, // 18 Feb 00:00 in Shanghai: 30 days
	{"m12", 10, 1_000_000, "2026-02-17T15:59:00Z", 4, 5, 5, "champions"}, // 17 Feb 23:59 in Shanghai: 31 days
	{"m13", 3, 0, "", 1, 2, 1, "sleeping"},                               // no last purchase: R 1
	{"m14", 0, 0, "", 0, 0, 0, ""},                                       // never bought
	{"m15", 0, 0, "2025-01-01T02:00:00Z", 0, 0, 0, ""},                   // refunded all: stale scores cleared
	{"m16", 1, 900_000, "2026-03-19T16:30:00Z", 5, 1, 4, "potential"},    // bought today (00:30 Shanghai)
	{"m17", 1, 900_000, "2026-04-01T02:00:00Z", 5, 1, 4, "potential"},    // a future stamp counts as today
	{"m18", 6, 500_000, "2025-11-20T02:00:00Z", 2, 4, 4, "keep"},         //
	{"m19", 2, 250_000, "2025-08-01T02:00:00Z", 1, 2, 3, "win-back"},     //
	{"m20", 9, 199_999, "2026-03-19T02:00:00Z", 5, 4, 2, "promising"},    // 1999.99 yuan: M 2
}

// loadRFM stores the cases (m15 with stale scores, and a deleted member
// that must stay untouched).
func loadRFM(e *env) {
	var docs []store.Doc
	for i, c := range rfmCases {
		d := store.Doc{"_id": c.id, "_version": int64(1), "_deleted": false, "_createdAt": "2025-01-01T00:00:00.000Z",
			"_updatedAt": "2025-01-01T00:00:00.000Z", "name": c.id, "phone": fmt.Sprintf("1390000%04d", i), "tier": "normal",
			"orders": c.orders, "spend12m": c.spend, "registeredAt": "2025-01-01T00:00:00.000Z"}
		if c.last != "" {
			d["lastPurchaseAt"] = c.last
		}
		if c.id == "m15" {
			d["rfmR"], d["rfmF"], d["rfmM"], d["rfmSegment"] = int64(5), int64(5), int64(5), "champions"
		}
		docs = append(docs, d)
	}
	docs = append(docs, store.Doc{"_id": "m99", "_version": int64(1), "_deleted": true, "_createdAt": "2025-01-01T00:00:00.000Z",
		"_updatedAt": "2025-01-01T00:00:00.000Z", "name": "gone", "phone": "13999999999", "orders": int64(5), "spend12m": int64(100)})
	e.insertAll("members", docs)
}

func (e *env) members() map[string]store.Doc {
	e.t.Helper()
	docs, err := e.st.Find(e.ctx, form.RecordsCollection("crm", "members"), store.Query{Limit: store.MaxLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]store.Doc{}
	for _, d := range docs {
		out[d["_id"].(string)] = d
	}
	return out
}

func checkRFMCases(t *testing.T, got map[string]store.Doc, cases []rfmCase) {
	t.Helper()
	for _, c := range cases {
		d := got[c.id]
		if c.segment == "" {
			for _, k := range rfmWritten {
				if v, ok := d[k]; ok {
					t.Errorf("%s: %s = %v, want none", c.id, k, v)
				}
			}
			if tags, _ := d["tags"].([]any); len(tags) > 0 {
				t.Errorf("%s: tags %v, want none", c.id, tags)
			}
			continue
		}
		if intOf(d["rfmR"]) != c.r || intOf(d["rfmF"]) != c.f || intOf(d["rfmM"]) != c.m || d["rfmSegment"] != c.segment {
			t.Errorf("%s: R%v F%v M%v %v, want R%d F%d M%d %s", c.id, d["rfmR"], d["rfmF"], d["rfmM"], d["rfmSegment"], c.r, c.f, c.m, c.segment)
		}
		if fmt.Sprint(d["tags"]) != "[rfm-"+c.segment+"]" {
			t.Errorf("%s: tags %v, want [rfm-%s]", c.id, d["tags"], c.segment)
		}
	}
	if d := got["m99"]; d["rfmSegment"] != nil || d["rfmR"] != nil {
		t.Errorf("a deleted member was scored: %v", d)
	}
}

func TestRFMScoringAssignsSegments(t *testing.T) {
	e := newCRMEnv(t)
	loadRFM(e)
	before := e.members()
	res, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en")
	if err != nil {
		t.Fatal(err)
	}
	checkRFMCases(t, e.members(), rfmCases)
	wantSeg := map[string]int64{}
	for _, c := range rfmCases {
		if c.segment != "" {
			wantSeg[c.segment]++
		}
	}
	if res.Day != "2026-03-20" || res.Read != 20 || res.Scored != 18 || res.Changed != 19 || !reflect.DeepEqual(res.Segments, wantSeg) {
		t.Errorf("result %+v, want day 2026-03-20, read 20, scored 18, changed 19 (18 scored, m15 cleared), %v", res, wantSeg)
	}
	// The scores are derived data: no revision, no change stamp.
	for id, d := range e.members() {
		if d["_version"] != before[id]["_version"] || d["_updatedAt"] != before[id]["_updatedAt"] {
			t.Errorf("%s: version or stamp changed: %v %v", id, d["_version"], d["_updatedAt"])
		}
	}

	// Idempotent: a second run on the same data writes nothing.
	snapshot := e.members()
	res2, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en")
	if err != nil || res2.Changed != 0 || res2.Scored != 18 || !reflect.DeepEqual(res2.Segments, wantSeg) {
		t.Fatalf("second run: %+v, %v", res2, err)
	}
	if !reflect.DeepEqual(snapshot, e.members()) {
		t.Error("the second run changed members")
	}

	// The reports read the stored segments and scores.
	seg := e.run(e.admin, "rfm-segments", nil)
	got := map[string]int64{}
	for _, row := range seg.Rows {
		got[fmt.Sprint(row["segment"])] = intOf(row["members"])
	}
	if !reflect.DeepEqual(got, wantSeg) {
		t.Errorf("rfm-segments rows %v, want %v", got, wantSeg)
	}
	if l := seg.Columns[0].Labels["win-back"]; l != "At risk" {
		t.Errorf("segment label %q", l)
	}
	for key, n := range wantSeg {
		cell := map[string]json.RawMessage{"segment": json.RawMessage(fmt.Sprintf("%q", key))}
		if c := drillCount(t, e, "rfm-segments", DrillRequest{Cell: cell}); c != n {
			t.Errorf("drill %s: %d members, want %d", key, c, n)
		}
	}
	scores := e.run(e.admin, "rfm-scores", nil)
	var cells int64
	for _, row := range scores.Rows {
		if row["R"] == nil {
			t.Errorf("an unscored buyer row after scoring: %v", row)
		}
		cells += intOf(row["members"])
	}
	if cells != 18 {
		t.Errorf("rfm-scores holds %d members, want 18", cells)
	}
}

// An admin edits the thresholds table (M bands ten times higher) and the
// next run follows it.
func TestRFMScoringFollowsEditedThresholds(t *testing.T) {
	e := newCRMEnv(t)
	loadRFM(e)
	if _, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en"); err != nil {
		t.Fatal(err)
	}
	cur, err := e.meta.Get(e.ctx, "crm", meta.KindRule, "rfm-thresholds")
	if err != nil {
		t.Fatal(err)
	}
	spec := editRule(t, cur.Spec, func(r map[string]any) {
		for _, row := range r["rows"].([]any) {
			when := row.(map[string]any)["when"].(map[string]any)
			if v, ok := when["value"].(map[string]any); ok && when["measure"] == "M" {
				v["$gte"] = v["$gte"].(string) + "0"
			}
		}
	})
	e.publish(meta.KindRule, "rfm-thresholds", spec)
	res, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en")
	if err != nil {
		t.Fatal(err)
	}
	edited := []rfmCase{
		{"m01", 0, 0, "", 5, 5, 2, "promising"},   // 12,000 yuan: M 2 now
		{"m02", 0, 0, "", 5, 1, 2, "new"},         // 6,000 yuan: M 2, no longer potential
		{"m03", 0, 0, "", 2, 4, 1, "hibernating"}, // 3,000 yuan: M 1, no longer keep
		{"m04", 0, 0, "", 1, 2, 3, "win-back"},    // 20,000 yuan: M 3
		{"m07", 0, 0, "", 4, 1, 1, "new"},         // 500 yuan: M 1 now
	}
	checkRFMCases(t, e.members(), edited)
	if res.Segments["potential"] != 0 || res.Segments["keep"] != 0 || res.Segments["hibernating"] != 3 {
		t.Errorf("segments after the edit: %v", res.Segments)
	}
}

func TestRFMScoringRefusesBadSetups(t *testing.T) {
	e := newCRMEnv(t)
	loadRFM(e)
	before := e.members()
	// A form without the fields.
	_, err := e.svc.ScoreRFM(e.ctx, "crm", RFMJob{Form: "stores", Thresholds: "rfm-thresholds", Segments: "rfm-segments"}, "zh-CN")
	if ee, ok := errs.As(err); !ok || ee.Code != "report.rfm_field" || len(ee.Fields) != 7 || !strings.Contains(ee.Fields[0].Message, "RFM 评分需要字段") {
		t.Errorf("stores form: %v", err)
	}
	// Batch size out of range.
	if _, err := e.svc.ScoreRFM(e.ctx, "crm", RFMJob{Form: "members", Thresholds: "rfm-thresholds", Segments: "rfm-segments", Batch: 100000}, "en"); !errs.HasCode(err, "report.rfm_batch") {
		t.Errorf("batch: %v", err)
	}
	// A missing table.
	if _, err := e.svc.ScoreRFM(e.ctx, "crm", RFMJob{Form: "members", Thresholds: "nope", Segments: "rfm-segments", Method: RFMThresholds}, "en"); errs.ClassOf(err) != errs.NotFound {
		t.Errorf("missing table: %v", err)
	}
	// Bad settings, each with its code and path, in the caller's language.
	for _, c := range []struct {
		job        RFMJob
		code, path string
	}{
		{RFMJob{Form: "members", Segments: "rfm-segments", Method: "deciles"}, "report.rfm_method", "method"},
		{RFMJob{Form: "members", Segments: "rfm-segments", Method: RFMThresholds}, "report.rfm_thresholds_required", "thresholds"},
		{RFMJob{Form: "nope", Segments: "rfm-segments"}, "report.rfm_unknown_form", ""},
		{RFMJob{Form: "members", Segments: "rfm-segments", TagField: "labels"}, "report.rfm_tag_field", "tagField"},
		{RFMJob{Form: "members", Segments: "rfm-segments", TagField: "gender"}, "report.rfm_tag_type", "tagField"},
	} {
		_, err := e.svc.ScoreRFM(e.ctx, "crm", c.job, "zh-CN")
		ee, ok := errs.As(err)
		if !ok || ee.Code != c.code || (c.path != "" && (len(ee.Fields) != 1 || ee.Fields[0].Path != c.path)) || !hasHan(ee.Error()) {
			t.Errorf("%+v: %v, want %s at %q in Chinese", c.job, err, c.code, c.path)
		}
	}
	// A segment table yielding a value the field does not offer fails
	// before anything is written.
	cur, _ := e.meta.Get(e.ctx, "crm", meta.KindRule, "rfm-segments")
	bad := editRule(t, cur.Spec, func(r map[string]any) {
		out := r["outputs"].([]any)[0].(map[string]any)
		out["options"] = append(out["options"].([]any), "vip")
		r["rows"].([]any)[0].(map[string]any)["then"] = map[string]any{"segment": "vip"}
	})
	e.publish(meta.KindRule, "rfm-segments", bad)
	if _, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en"); !errs.HasCode(err, "report.rfm_segment") || !strings.Contains(err.Error(), `"vip"`) {
		t.Errorf("bad segment: %v", err)
	}
	// A thresholds table scoring outside 1..5.
	e.publish(meta.KindRule, "rfm-segments", string(cur.Spec))
	thr, _ := e.meta.Get(e.ctx, "crm", meta.KindRule, "rfm-thresholds")
	e.publish(meta.KindRule, "rfm-thresholds", editRule(t, thr.Spec, func(r map[string]any) {
		r["rows"].([]any)[0].(map[string]any)["then"] = map[string]any{"score": 7}
	}))
	if _, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en"); !errs.HasCode(err, "report.rfm_score") {
		t.Errorf("score out of range: %v", err)
	}
	if !reflect.DeepEqual(before, e.members()) {
		t.Error("a refused run wrote members")
	}
}

// A run while another holds the lease is refused; a lease left by a
// crashed run ends by itself; a finished run is recorded on the job
// document, and a run with the same key returns it without scoring again.
func TestRFMLease(t *testing.T) {
	e := newCRMEnv(t)
	loadRFM(e)
	clock := time.Date(2026, 3, 20, 1, 0, 0, 0, query.DefaultLocation)
	e.svc.now = func() time.Time { return clock }
	l, err := e.svc.takeRFMLease(e.ctx, "crm", "members", clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en"); !errsIs(err, ErrRFMRunning) {
		t.Fatalf("while leased: %v", err)
	}
	if err := e.svc.releaseRFMLease(e.ctx, l, "", nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.takeRFMLease(e.ctx, "crm", "members", clock); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(rfmLeaseDuration + time.Second)
	job := thresholdsJob
	job.RunKey = "run1/rfm"
	first, err := e.svc.ScoreRFM(e.ctx, "crm", job, "en")
	if err != nil {
		t.Fatalf("after the crashed run's lease ended: %v", err)
	}
	checkRFMCases(t, e.members(), rfmCases)
	doc, _ := e.st.Get(e.ctx, collJobs, rfmJobID("crm", "members"))
	if doc["lastDay"] != "2026-03-20" || doc["holder"] != nil || doc["lastKey"] != "run1/rfm" {
		t.Errorf("job document %v", doc)
	}
	// The same key again (an automation run retried): the recorded
	// result, nothing scored; a new key scores.
	e.insertAll("members", []store.Doc{{"_id": "m50", "_version": int64(1), "_deleted": false, "name": "late", "phone": "13900009999",
		"orders": int64(1), "spend12m": int64(100), "lastPurchaseAt": "2026-03-19T02:00:00Z"}})
	again, err := e.svc.ScoreRFM(e.ctx, "crm", job, "en")
	if err != nil || !reflect.DeepEqual(again, first) {
		t.Fatalf("retried run: %+v %v, want %+v", again, err, first)
	}
	if d := e.members()["m50"]; d["rfmSegment"] != nil {
		t.Errorf("the retried run scored: %v", d)
	}
	job.RunKey = "run2/rfm"
	next, err := e.svc.ScoreRFM(e.ctx, "crm", job, "en")
	if err != nil || next.Scored != first.Scored+1 || next.Changed != 1 {
		t.Fatalf("next run: %+v %v", next, err)
	}
	last, err := e.svc.LastRFMRun(e.ctx, "crm", "members")
	if err != nil || !reflect.DeepEqual(last, next) {
		t.Errorf("last run %+v %v, want %+v", last, err, next)
	}
}

// A rollup grouped by the segment stays equal to the records when the
// scoring writes.
func TestRFMScoringKeepsRollupsCurrent(t *testing.T) {
	e := newCRMEnv(t)
	loadRFM(e)
	e.publish(meta.KindReport, "seg-rolled", `{"title": "Segments by month", "dataset": {"form": "members"},
	 "dimensions": [{"field": "registeredAt", "bucket": "month", "as": "month"}, {"field": "rfmSegment", "as": "segment"}],
	 "measures": [{"op": "count", "as": "members"}, {"op": "sum", "field": "spend12m", "as": "spend"}],
	 "rollup": {"dateField": "registeredAt", "grain": ["rfmSegment"]}}`)
	raw := e.rawService()
	e.svc.Hook()
	if _, err := e.svc.BuildRollups(e.ctx, e.admin, "crm"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en"); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Run(e.ctx, e.admin, "crm", "seg-rolled", RunRequest{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	want, err := raw.Run(e.ctx, e.admin, "crm", "seg-rolled", RunRequest{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != "rollup" || !reflect.DeepEqual(got.Rows, want.Rows) || len(want.Rows) != 9 {
		t.Errorf("source %s\nrollup %v\nraw    %v", got.Source, got.Rows, want.Rows)
	}
}

// editRule changes a decision table's spec as an admin's edit would.
func editRule(t *testing.T, spec json.RawMessage, edit func(map[string]any)) string {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(spec, &r); err != nil {
		t.Fatal(err)
	}
	edit(r)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The same scoring on the Mongo adapter (over lungo): paging by id,
// conditional updates, the lease and the indexes.
func TestRFMScoringOnLungo(t *testing.T) {
	e := newLungoRFMEnv(t)
	loadRFM(e)
	res, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en")
	if err != nil {
		t.Fatal(err)
	}
	checkRFMCases(t, e.members(), rfmCases)
	again, err := e.svc.ScoreRFM(e.ctx, "crm", thresholdsJob, "en")
	if err != nil || res.Changed != 19 || again.Changed != 0 {
		t.Fatalf("changed %d then %d (%v)", res.Changed, again.Changed, err)
	}
}

// hasHan reports whether s has a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}
