package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/rules"
	"github.com/tangram/tangram/engine/store"
)

// RFM scoring stores each buying member's R, F and M scores and segment on
// the member, so the RFM reports group four stored fields in one pass
// instead of computing quintiles over every member on every run (53 s at
// a million members; see docs/PERFORMANCE.md). A run (RFMJob) scores by
// one of two methods:
//
//   - "quintiles" (the default): cut points at the 20/40/60/80th
//     percentiles of the day's buyers, computed by the store each run
//     (rfm_quintile.go), recorded in the result.
//   - "thresholds": fixed bands from a decision table an admin edits
//     (e.g. "rfm-thresholds": inputs measure ("R", "F" or "M") and value
//     (decimal) → output score (int 1..5); R's value is the days since the
//     last purchase (calendar days in Asia/Shanghai), F's the orders, M's
//     the 12-month spend in yuan).
//
// Either way a second decision table (e.g. "rfm-segments": inputs R, F, M
// (int) → output segment, an option of the form's rfmSegment select
// field) names the segment, which is also written as a member tag when the
// job names a tag field (rfm_tags.go).
//
// A member is scored when orders >= 1; a member who never bought (or whose
// only orders were refunded) has the four fields cleared and loses the
// segment tag. A buyer without a last purchase time scores R 1. Only
// members whose stored values differ are written, Batch per transaction,
// each batch bumping the form's data version (result caches notice) and
// keeping any rollup that reads the fields current, so a second run on
// the same day writes nothing.
//
// The writes are derived data like the mirrors checkout keeps: they go to
// the record documents directly, without a history revision, an audit
// entry or a record event per member (a daily rescoring of a million
// members would otherwise flood all three). The scoring is scheduled by an
// automation (engine/automation's report.rfm action, the template's
// rfm-daily at 02:30 Asia/Shanghai).

// The fields the job reads and writes on the scored form.
const (
	RFMFieldLast     = "lastPurchaseAt"
	RFMFieldOrders   = "orders"
	RFMFieldSpend    = "spend12m"
	RFMFieldR        = "rfmR"
	RFMFieldF        = "rfmF"
	RFMFieldM        = "rfmM"
	RFMFieldSegment  = "rfmSegment"
	rfmMaxScore      = 5
	rfmDefaultBatch  = 500
	rfmMaxBatch      = 5000
	rfmPage          = 5000
	collJobs         = "report_jobs"
	rfmLeaseDuration = 2 * time.Minute
)

var rfmWritten = []string{RFMFieldR, RFMFieldF, RFMFieldM, RFMFieldSegment}

// RFMResult is what a scoring run did.
type RFMResult struct {
	Day     string `json:"day"`     // the scoring day (Asia/Shanghai)
	Method  string `json:"method"`  // quintiles or thresholds
	Read    int64  `json:"read"`    // members read
	Scored  int64  `json:"scored"`  // buying members scored
	Changed int64  `json:"changed"` // members written (scores or tags changed, or cleared)
	// Segments counts the scored members by segment.
	Segments map[string]int64 `json:"segments"`
	// Cuts are the quintile cut points the run scored with (quintiles
	// only).
	Cuts *RFMCuts `json:"cuts,omitempty"`
}

// ErrRFMRunning is returned while another run of the same job holds its
// lease (another server instance, or a run started by hand).
var ErrRFMRunning = errs.New(errs.Conflict, "report.rfm_running", "the RFM scoring of this form is already running")

// ScoreRFM scores every member of app's job.Form at s's clock.
func (s *Service) ScoreRFM(ctx context.Context, app string, job RFMJob, lang string) (*RFMResult, error) {
	if fe := job.Check(lang); len(fe) > 0 {
		return nil, errs.Validation(errs.Unprocessable, fe[0].Code, rfmMsg(lang, "report.rfm_invalid"), fe)
	}
	if job.Batch == 0 {
		job.Batch = rfmDefaultBatch
	}
	f, err := s.records.Form(ctx, app, job.Form)
	if errs.ClassOf(err) == errs.NotFound {
		return nil, rfmErr(lang, errs.NotFound, "report.rfm_unknown_form", job.Form)
	}
	if err != nil {
		return nil, err
	}
	options, fe := checkRFMForm(f, job, lang)
	if len(fe) > 0 {
		code := fe[0].Code
		if code == "report.rfm_field" {
			return nil, errs.Validation(errs.Unprocessable, code, rfmMsg(lang, "report.rfm_fields"), fe)
		}
		return nil, errs.Validation(errs.Unprocessable, code, fe[0].Message, fe)
	}
	if res, err := s.finishedRun(ctx, app, job); res != nil || err != nil {
		return res, err
	}
	if err := s.st.EnsureIndexes(ctx, f.Coll, rfmIndexes(f)); err != nil {
		return nil, err
	}
	now := s.now()
	sc, err := newRFMScorer(ctx, rules.New(s.meta), app, job, now, options, lang)
	if err != nil {
		return nil, err
	}
	lease, err := s.takeRFMLease(ctx, app, job.Form, now)
	if errors.Is(err, ErrRFMRunning) {
		return nil, rfmErr(lang, errs.Conflict, "report.rfm_running") // in the caller's language
	}
	if err != nil {
		return nil, err
	}
	res := &RFMResult{Day: sc.today.Format(dateLayout), Method: job.method(), Segments: map[string]int64{}}
	if job.method() == RFMQuintiles {
		sc.bands, err = s.rfmBandsOf(ctx, f, sc)
		if err == nil {
			res.Cuts = sc.bands.cuts()
		}
	}
	if err == nil {
		err = s.scoreAll(ctx, app, f, job, sc, lease, res)
	}
	if rerr := s.releaseRFMLease(context.WithoutCancel(ctx), lease, job.RunKey, res, err == nil); err == nil {
		err = rerr
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// rfmIndexes cover the RFM reports: grouping by the segment (or by the
// three scores) with the live-records condition, the buyers filter, the
// spend sum and the usual parameters and row scopes (home store, tier,
// home org unit, where the form has them) read only index entries, never
// a member's document. Measured: 14x faster than reading the documents
// (docs/PERFORMANCE.md).
func rfmIndexes(f *form.Form) []store.Index {
	tail := []string{form.SysDeleted, RFMFieldOrders, RFMFieldSpend}
	for _, k := range []string{"homeStore", "tier", "homeUnit"} {
		if _, ok := f.Field(k); ok {
			tail = append(tail, k)
		}
	}
	return []store.Index{
		{Name: "rfm_segment", Fields: append([]string{RFMFieldSegment}, tail...)},
		{Name: "rfm_scores", Fields: append([]string{RFMFieldR, RFMFieldF, RFMFieldM}, tail...)},
	}
}

// rfmScorer turns a member's values into scores (through the run's cut
// points, or the thresholds table) and the scores into a segment.
type rfmScorer struct {
	thr   *rules.Table // thresholds only
	bands *rfmBands    // quintiles only
	at    time.Time    // the instant the tables are evaluated at
	today time.Time    // the scoring day, as a UTC midnight
	memo  map[string]int
	segs  [rfmMaxScore * rfmMaxScore * rfmMaxScore]string
	lang  string
	job   RFMJob
}

const rfmMemoMax = 1 << 18

func newRFMScorer(ctx context.Context, rs *rules.Service, app string, job RFMJob, now time.Time, options map[string]bool, lang string) (*rfmScorer, error) {
	local := now.In(query.DefaultLocation)
	sc := &rfmScorer{at: now.UTC(), today: time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC),
		memo: map[string]int{}, lang: lang, job: job}
	if job.method() == RFMThresholds {
		thr, err := rs.Published(ctx, app, job.Thresholds)
		if err != nil {
			return nil, err
		}
		sc.thr = thr
	}
	seg, err := rs.Published(ctx, app, job.Segments)
	if err != nil {
		return nil, err
	}
	// Every combination of scores is decided before anything is written,
	// so a segment table that yields a value the field cannot hold fails
	// the run up front.
	for r := 1; r <= rfmMaxScore; r++ {
		for f := 1; f <= rfmMaxScore; f++ {
			for m := 1; m <= rfmMaxScore; m++ {
				out, err := seg.Evaluate(map[string]any{"R": int64(r), "F": int64(f), "M": int64(m)}, sc.at, rules.Options{})
				if err != nil {
					return nil, err
				}
				v, _ := out.Outputs["segment"].(string)
				if !options[v] {
					return nil, rfmErr(lang, errs.Unprocessable, "report.rfm_segment", job.Segments, v, r, f, m)
				}
				sc.segs[((r-1)*rfmMaxScore+f-1)*rfmMaxScore+m-1] = v
			}
		}
	}
	return sc, nil
}

// score is the thresholds table's score of one measure's value (decimal
// text), remembering each distinct input (R and F take a few hundred
// values; M's memo is bounded).
func (sc *rfmScorer) score(measure, value string) (int, error) {
	k := measure + value
	if s, ok := sc.memo[k]; ok {
		return s, nil
	}
	out, err := sc.thr.Evaluate(map[string]any{"measure": measure, "value": json.Number(value)}, sc.at, rules.Options{})
	if err != nil {
		return 0, err
	}
	s, ok := query.ToInt(out.Outputs["score"])
	if !ok || s < 1 || s > rfmMaxScore {
		return 0, rfmErr(sc.lang, errs.Unprocessable, "report.rfm_score", sc.job.Thresholds, measure, value, fmt.Sprint(out.Outputs["score"]))
	}
	if len(sc.memo) >= rfmMemoMax {
		clear(sc.memo)
	}
	sc.memo[k] = int(s)
	return int(s), nil
}

// want is what a member's four fields should hold: nil to clear them.
func (sc *rfmScorer) want(doc store.Doc) (map[string]any, error) {
	orders := ratOf(doc[RFMFieldOrders])
	if orders == nil || orders.Cmp(big.NewRat(1, 1)) < 0 {
		return nil, nil
	}
	spend := ratOf(doc[RFMFieldSpend])
	if spend == nil {
		spend = new(big.Rat)
	}
	days, hasDays := sc.daysSince(doc[RFMFieldLast])
	var r, f, m int
	if sc.bands != nil {
		r = 1
		if hasDays {
			r = sc.bands.band(0, big.NewRat(-days, 1))
		}
		f, m = sc.bands.band(1, orders), sc.bands.band(2, spend)
	} else {
		var err error
		r = 1
		if hasDays {
			if r, err = sc.score("R", fmt.Sprint(days)); err != nil {
				return nil, err
			}
		}
		if f, err = sc.score("F", exactText(orders)); err != nil {
			return nil, err
		}
		// Money is stored in fen; the table speaks yuan.
		if m, err = sc.score("M", exactText(new(big.Rat).Quo(spend, big.NewRat(100, 1)))); err != nil {
			return nil, err
		}
	}
	return map[string]any{RFMFieldR: int64(r), RFMFieldF: int64(f), RFMFieldM: int64(m),
		RFMFieldSegment: sc.segs[((r-1)*rfmMaxScore+f-1)*rfmMaxScore+m-1]}, nil
}

// patch is the write that brings a member to want (nil: clear), and
// whether one is needed.
func (sc *rfmScorer) patch(doc store.Doc, want map[string]any) (store.Patch, bool) {
	var p store.Patch
	if !sameRFM(doc, want) {
		if want == nil {
			p.Unset = slices.Clone(rfmWritten)
		} else {
			p.Set = maps.Clone(want)
		}
	}
	if tf := sc.job.TagField; tf != "" {
		seg, _ := want[RFMFieldSegment].(string)
		if next, changed := retag(doc[tf], seg); changed {
			if p.Set == nil {
				p.Set = map[string]any{}
			}
			p.Set[tf] = next
		}
	}
	return p, len(p.Set)+len(p.Unset) > 0
}

// daysSince counts calendar days (Asia/Shanghai) from a date or time value
// to the scoring day; a future value counts 0.
func (sc *rfmScorer) daysSince(v any) (int64, bool) {
	s, ok := v.(string)
	if !ok || s == "" {
		return 0, false
	}
	var day time.Time
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		l := t.In(query.DefaultLocation)
		day = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	} else if d, err := time.Parse(dateLayout, s); err == nil {
		day = d
	} else {
		return 0, false
	}
	return max(0, int64(sc.today.Sub(day)/(24*time.Hour))), true
}

// same reports whether a member already holds want (nil: no scores).
func sameRFM(doc store.Doc, want map[string]any) bool {
	for _, k := range rfmWritten {
		cur, ok := doc[k]
		if want == nil {
			if ok && cur != nil {
				return false
			}
			continue
		}
		if k == RFMFieldSegment {
			if cur != want[k] {
				return false
			}
		} else if i, ok := query.ToInt(cur); !ok || i != want[k] {
			return false
		}
	}
	return true
}

// scoreAll pages through the members by id and writes the changes.
func (s *Service) scoreAll(ctx context.Context, app string, f *form.Form, job RFMJob, sc *rfmScorer, lease *rfmLease, res *RFMResult) error {
	written := job.written()
	fields := append([]string{RFMFieldLast, RFMFieldOrders, RFMFieldSpend}, written...)
	type change struct {
		id    string
		old   store.Doc
		patch store.Patch
	}
	var pending []change
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := s.st.Tx(ctx, func(tx store.Ops) error {
			defs, err := rfmRollups(ctx, tx, app, f.Key, written)
			if err != nil {
				return err
			}
			n := 0
			for _, c := range pending {
				after, err := tx.Update(ctx, f.Coll, c.id, c.patch, alive)
				if errors.Is(err, store.ErrNotFound) || errs.HasCode(err, store.ErrConditionFailed.Code) {
					continue // deleted since it was read
				}
				if err != nil {
					return err
				}
				n++
				if len(defs) > 0 {
					before := maps.Clone(after)
					for _, k := range written {
						delete(before, k)
						if v, ok := c.old[k]; ok {
							before[k] = v
						}
					}
					for _, d := range defs {
						if err := d.onWrite(ctx, tx, f.Coll, before, after); err != nil {
							return err
						}
					}
				}
			}
			if n == 0 {
				return nil
			}
			res.Changed += int64(n)
			return bumpVersion(ctx, tx, app, f.Key, pending[0].id)
		})
		pending = pending[:0]
		if err != nil {
			return err
		}
		return s.renewRFMLease(ctx, lease)
	}
	after := ""
	for {
		filter := alive
		if after != "" {
			filter = query.And(alive, query.Cmp(query.IDField, query.OpGt, query.Str(after)))
		}
		docs, err := s.st.Find(ctx, f.Coll, store.Query{Filter: filter, Sort: []query.SortKey{{Field: query.IDField}}, Limit: rfmPage, Fields: fields})
		if err != nil {
			return err
		}
		for _, d := range docs {
			res.Read++
			want, err := sc.want(d)
			if err != nil {
				return err
			}
			if want != nil {
				res.Scored++
				res.Segments[want[RFMFieldSegment].(string)]++
			}
			if p, ok := sc.patch(d, want); ok {
				id, _ := d["_id"].(string)
				pending = append(pending, change{id: id, old: d, patch: p})
				if len(pending) >= job.Batch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		if len(docs) < rfmPage {
			return flush()
		}
		after, _ = docs[len(docs)-1]["_id"].(string)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// rfmRollups are the form's rollups that read a field the job writes (as
// a grain, a sum or an extreme); the others are untouched by its writes.
func rfmRollups(ctx context.Context, tx store.Ops, app, formKey string, written []string) ([]*rollupDef, error) {
	defs, err := readRegistry(ctx, tx, app, formKey)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(defs, func(d *rollupDef) bool {
		for _, l := range [][]string{d.Grain, d.Sums, d.Mins, d.Maxs} {
			for _, k := range written {
				if slices.Contains(l, k) {
					return false
				}
			}
		}
		return true
	}), nil
}
