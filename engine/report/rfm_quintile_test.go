package report

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// The quintile method checked against cut points computed here, from the
// same generated members, without the store: sort each measure worst to
// best, take the values at ranks ceil(k·N/5), score 1 + the cut points
// strictly worse than the value.

// genRFMMembers makes n members with heavy ties (most ordered once, many
// spent the same round amounts, many bought on the same days), some
// non-buyers, some buyers without a last purchase time, and hand-set tags
// (some with stale segment tags) the scoring must keep or replace.
func genRFMMembers(seed uint64, n int) []store.Doc {
	rng := rand.New(rand.NewPCG(seed, 7))
	tagSets := [][]any{nil, {"vip"}, {"new", "rfm-sleeping"}, {"rfm-keep", "office", "rfm-champions"}, {"parent"}}
	var docs []store.Doc
	for i := range n {
		d := store.Doc{"_id": fmt.Sprintf("q%05d", i), "_version": int64(1), "_deleted": false, "name": fmt.Sprint("q", i),
			"phone": fmt.Sprintf("1380%07d", i), "tier": "normal"}
		var orders int64
		switch x := rng.IntN(100); {
		case x < 10:
			orders = 0
		case x < 75:
			orders = 1
		case x < 85:
			orders = 2
		case x < 90:
			orders = 3
		default:
			orders = 4 + rng.Int64N(20)
		}
		d["orders"] = orders
		if rng.IntN(3) == 0 {
			d["spend12m"] = int64(9900 * (1 + rng.IntN(4))) // 99, 198, ... yuan: ties
		} else {
			d["spend12m"] = rng.Int64N(3_000_000)
		}
		if orders > 0 && rng.IntN(50) != 0 {
			// Whole days back at a few times of day, so days and times tie.
			at := time.Date(2026, 3, 20, []int{1, 9, 15, 23}[rng.IntN(4)], 30, 0, 0, time.UTC).AddDate(0, 0, -rng.IntN(400)+1)
			d["lastPurchaseAt"] = at.Format(time.RFC3339)
		}
		if tags := tagSets[rng.IntN(len(tagSets))]; tags != nil {
			d["tags"] = slices.Clone(tags)
		}
		docs = append(docs, d)
	}
	return docs
}

// refDays is the calendar days (Asia/Shanghai) from a time to 2026-03-20,
// at least 0.
func refDays(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	sh := time.FixedZone("CST", 8*3600)
	l := t.In(sh)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	return max(0, int64(time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC).Sub(day).Hours()/24))
}

// refCuts are the values at ranks ceil(k·N/5) of vals ordered ascending.
func refCuts(vals []int64) []int64 {
	s := slices.Clone(vals)
	slices.Sort(s)
	out := []int64{}
	for k := 1; k < 5 && len(s) > 0; k++ {
		out = append(out, s[(k*len(s)+4)/5-1])
	}
	return out
}

// refScore is 1 + the cuts below v.
func refScore(cuts []int64, v int64) int64 {
	s := int64(1)
	for _, c := range cuts {
		if c < v {
			s++
		}
	}
	return s
}

// refSegment is the template's rfm-segments table: high is 3..5.
func refSegment(r, f, m int64) string {
	names := map[[3]bool]string{{true, true, true}: "champions", {true, false, true}: "potential", {false, true, true}: "keep",
		{false, false, true}: "win-back", {true, true, false}: "promising", {true, false, false}: "new",
		{false, true, false}: "hibernating", {false, false, false}: "sleeping"}
	return names[[3]bool{r >= 3, f >= 3, m >= 3}]
}

// checkQuintiles compares the stored scores, segments and tags and the
// run's cut points with the reference computed from the stored inputs.
func checkQuintiles(t *testing.T, got map[string]store.Doc, res *RFMResult) {
	t.Helper()
	var rs, fs, ms []int64
	for _, d := range got {
		if d["_deleted"] == true || intOf(d["orders"]) < 1 {
			continue
		}
		if last, ok := d["lastPurchaseAt"].(string); ok {
			rs = append(rs, -refDays(last))
		}
		fs, ms = append(fs, intOf(d["orders"])), append(ms, intOf(d["spend12m"]))
	}
	rc, fc, mc := refCuts(rs), refCuts(fs), refCuts(ms)
	wantCuts := &RFMCuts{R: []int64{}, F: []string{}, M: []string{}}
	for i := range rc {
		wantCuts.R = append(wantCuts.R, -rc[i])
		wantCuts.F = append(wantCuts.F, fmt.Sprint(fc[i]))
		wantCuts.M = append(wantCuts.M, exactText(ratOf(fmt.Sprintf("%d/100", mc[i]))))
	}
	if !reflect.DeepEqual(res.Cuts, wantCuts) || res.Method != RFMQuintiles {
		t.Errorf("cuts %+v (%s), want %+v", res.Cuts, res.Method, wantCuts)
	}
	segs := map[string]int64{}
	for id, d := range got {
		others := handTagsOf(d["tags"])
		if d["_deleted"] == true || intOf(d["orders"]) < 1 {
			if d["rfmR"] != nil || d["rfmSegment"] != nil || len(others) != len(asList(d["tags"])) {
				t.Errorf("%s (no buyer): R %v segment %v tags %v", id, d["rfmR"], d["rfmSegment"], d["tags"])
			}
			continue
		}
		r := int64(1)
		if last, ok := d["lastPurchaseAt"].(string); ok {
			r = refScore(rc, -refDays(last))
		}
		f, m := refScore(fc, intOf(d["orders"])), refScore(mc, intOf(d["spend12m"]))
		seg := refSegment(r, f, m)
		segs[seg]++
		if intOf(d["rfmR"]) != r || intOf(d["rfmF"]) != f || intOf(d["rfmM"]) != m || d["rfmSegment"] != seg {
			t.Errorf("%s: R%v F%v M%v %v, want R%d F%d M%d %s", id, d["rfmR"], d["rfmF"], d["rfmM"], d["rfmSegment"], r, f, m, seg)
		}
		if rfmTags := len(asList(d["tags"])) - len(others); rfmTags != 1 || !slices.Contains(asList(d["tags"]), any("rfm-"+seg)) {
			t.Errorf("%s: tags %v, want one segment tag rfm-%s", id, d["tags"], seg)
		}
	}
	if !reflect.DeepEqual(res.Segments, segs) {
		t.Errorf("segments %v, want %v", res.Segments, segs)
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// handTagsOf are the tags without the segment prefix, in order.
func handTagsOf(v any) []any {
	var out []any
	for _, tag := range asList(v) {
		if !strings.HasPrefix(tag.(string), "rfm-") {
			out = append(out, tag)
		}
	}
	return out
}

// rfmEnvs are the stores the quintile tests run on: SQLite (cut points
// from the store's aggregation) and MongoDB over lungo (from the
// streaming pass).
var rfmEnvs = map[string]func(t *testing.T) *env{"sqlite": func(t *testing.T) *env { return newCRMEnv(t) }, "lungo": newLungoRFMEnv}

func TestRFMQuintilesMatchReference(t *testing.T) {
	for name, open := range rfmEnvs {
		t.Run(name, func(t *testing.T) {
			e := open(t)
			gen := genRFMMembers(3, 1200)
			e.insertAll("members", gen)
			res, err := e.svc.ScoreRFM(e.ctx, "crm", DefaultRFMJob, "en")
			if err != nil {
				t.Fatal(err)
			}
			got := e.members()
			checkQuintiles(t, got, res)
			// Every other tag stays, in its order.
			for _, d := range gen {
				id := d["_id"].(string)
				if a, b := handTagsOf(d["tags"]), handTagsOf(got[id]["tags"]); fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("%s: hand-set tags %v became %v", id, a, b)
				}
			}
			// Heavy ties: most bought once, so one order is F 1 and no one
			// scores F 2 or 3.
			if fmt.Sprint(res.Cuts.F) != "[1 1 1 2]" || res.Segments == nil {
				t.Errorf("F cuts %v", res.Cuts.F)
			}
			for id, d := range got {
				if f := intOf(d["rfmF"]); f == 2 || f == 3 {
					t.Fatalf("%s scored F %d", id, f)
				}
			}
			// A member stops being a buyer (its orders refunded), another
			// gets a hand-set tag: the next run drops the first's segment tag
			// and keeps the second's new tag.
			var buyer, other string
			for _, id := range slices.Sorted(maps.Keys(got)) {
				if d := got[id]; intOf(d["orders"]) >= 1 && len(asList(d["tags"])) >= 2 && buyer == "" {
					buyer = id
				} else if intOf(d["orders"]) >= 1 && other == "" {
					other = id
				}
			}
			membersColl := form.RecordsCollection("crm", "members")
			was := got[buyer]
			if _, err := e.st.Update(e.ctx, membersColl, buyer, store.Patch{Set: map[string]any{"orders": int64(0)}}, nil); err != nil {
				t.Fatal(err)
			}
			handTags := append(slices.Clone(asList(got[other]["tags"])), "price-sensitive")
			if _, err := e.st.Update(e.ctx, membersColl, other, store.Patch{Set: map[string]any{"tags": handTags}}, nil); err != nil {
				t.Fatal(err)
			}
			res2, err := e.svc.ScoreRFM(e.ctx, "crm", DefaultRFMJob, "en")
			if err != nil {
				t.Fatal(err)
			}
			got = e.members()
			checkQuintiles(t, got, res2)
			if kept := handTagsOf(was["tags"]); fmt.Sprint(got[buyer]["tags"]) != fmt.Sprint(kept) || got[buyer]["rfmSegment"] != nil {
				t.Errorf("former buyer %s: tags %v segment %v, want tags %v", buyer, got[buyer]["tags"], got[buyer]["rfmSegment"], kept)
			}
			if tags := asList(got[other]["tags"]); !slices.Contains(tags, "price-sensitive") {
				t.Errorf("%s lost its hand-set tag: %v", other, tags)
			}
			// A third run on the same data writes nothing.
			res3, err := e.svc.ScoreRFM(e.ctx, "crm", DefaultRFMJob, "en")
			if err != nil || res3.Changed != 0 || !reflect.DeepEqual(res3.Cuts, res2.Cuts) {
				t.Errorf("third run %+v %v", res3, err)
			}
		})
	}
}

// Tiny populations: no buyer, one, four with distinct values.
func TestRFMQuintilesTinyPopulations(t *testing.T) {
	member := func(id string, orders, spend int64, last string, tags ...any) store.Doc {
		d := store.Doc{"_id": id, "_version": int64(1), "_deleted": false, "name": id, "phone": "1390000" + id[1:], "orders": orders, "spend12m": spend}
		if last != "" {
			d["lastPurchaseAt"] = last
		}
		if tags != nil {
			d["tags"] = tags
		}
		return d
	}
	cases := []struct {
		name    string
		members []store.Doc
		scores  map[string]string // id -> "R F M"
	}{
		{"none", []store.Doc{member("t0001", 0, 0, "", "vip", "rfm-champions")}, map[string]string{}},
		{"one", []store.Doc{member("t0001", 3, 50000, "2026-03-01T02:00:00Z", "vip"), member("t0002", 0, 0, "")},
			map[string]string{"t0001": "1 1 1"}},
		{"four", []store.Doc{member("t0001", 1, 100, "2025-01-01T02:00:00Z"), member("t0002", 2, 200, "2025-06-01T02:00:00Z"),
			member("t0003", 3, 300, "2025-12-01T02:00:00Z"), member("t0004", 4, 400, "2026-03-19T02:00:00Z", "rfm-sleeping")},
			map[string]string{"t0001": "1 1 1", "t0002": "2 2 2", "t0003": "3 3 3", "t0004": "4 4 4"}},
	}
	for name, open := range rfmEnvs {
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				e := open(t)
				e.insertAll("members", c.members)
				res, err := e.svc.ScoreRFM(e.ctx, "crm", DefaultRFMJob, "en")
				if err != nil {
					t.Fatal(err)
				}
				got := e.members()
				checkQuintiles(t, got, res)
				for id, want := range c.scores {
					d := got[id]
					if s := fmt.Sprintf("%v %v %v", d["rfmR"], d["rfmF"], d["rfmM"]); s != want {
						t.Errorf("%s: %s, want %s", id, s, want)
					}
				}
				if int(res.Scored) != len(c.scores) {
					t.Errorf("scored %d, want %d", res.Scored, len(c.scores))
				}
				if fmt.Sprint(got["t0001"]["tags"]) == "[vip rfm-champions]" {
					t.Errorf("a non-buyer kept its segment tag")
				}
			})
		}
	}
}

// A tag field without the segment tags among its options is refused
// before anything is written.
func TestRFMTagFieldNeedsSegmentOptions(t *testing.T) {
	e := newCRMEnv(t)
	loadRFM(e)
	before := e.members()
	cur, err := e.meta.Get(e.ctx, "crm", meta.KindForm, "members")
	if err != nil {
		t.Fatal(err)
	}
	e.publish(meta.KindForm, "members", editRule(t, cur.Spec, func(f map[string]any) {
		for _, fd := range f["fields"].([]any) {
			if fd := fd.(map[string]any); fd["key"] == "tags" {
				fd["options"] = slices.DeleteFunc(fd["options"].([]any), func(o any) bool { return o.(map[string]any)["value"] == "rfm-keep" })
			}
		}
	}))
	_, err = e.svc.ScoreRFM(e.ctx, "crm", DefaultRFMJob, "en")
	if ee, ok := errs.As(err); !ok || ee.Code != "report.rfm_tag_options" || !strings.Contains(ee.Error(), "rfm-keep") {
		t.Errorf("missing tag option: %v", err)
	}
	if fe := CheckRFMJob(e.ctx, e.meta, "crm", DefaultRFMJob, "en"); len(fe) != 1 || fe[0].Path != "tagField" || fe[0].Code != "report.rfm_tag_options" {
		t.Errorf("check: %v", fe)
	}
	if !reflect.DeepEqual(before, e.members()) {
		t.Error("a refused run wrote members")
	}
}

// newLungoRFMEnv is the report service on the Mongo adapter over lungo
// with the template's members form and RFM tables.
func newLungoRFMEnv(t *testing.T) *env {
	e := newEnvURI(t, "lungo://memory")
	for _, d := range []struct {
		kind meta.Kind
		file string
	}{{meta.KindForm, "core/forms/members.json"}, {meta.KindRule, "crm-retail/rules/rfm-thresholds.json"}, {meta.KindRule, "crm-retail/rules/rfm-segments.json"}} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "templates", d.file))
		if err != nil {
			t.Fatal(err)
		}
		var spec map[string]any
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		key := spec["key"].(string)
		delete(spec, "key")
		b, _ := json.Marshal(spec)
		e.publish(d.kind, key, string(b))
	}
	return e
}
