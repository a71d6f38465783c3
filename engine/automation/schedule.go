package automation

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Schedules. Each scheduled automation has a watermark document (the
// last occurrence that was fully fired) and each occurrence a document of
// its own, {_id: app:key:occurrence, status, holder, until, cursor, runs},
// taken under a lease: inserted by the first runner to get there (a
// racing insert fails on the id), taken over by another only once its
// lease ended. A plain cron occurrence creates one run; a scanned one (a
// date-relative trigger, cron with forEach) creates one run per record,
// page by page, each page's runs inserted in one transaction with the
// cursor's advance on condition that the lease is still the runner's, so
// a runner that stalls or dies leaves the occurrence exactly where its
// last page committed.
//
// Occurrences from before the automation was published, or older than the
// catch-up window (downtime beyond it), are not fired.

// Occurrence statuses.
const (
	OccurrenceScanning = "scanning"
	OccurrenceDone     = "done"
)

// maxOccurrencesPerTick bounds the occurrences of one automation fired in
// one tick (a minutely cron after a day down has 1,440).
const maxOccurrencesPerTick = 200

var (
	fUntil  = query.Field{Path: "until", Kind: query.KindTime}
	fCursor = query.Field{Path: "cursor", Kind: query.KindString}
	fLast   = query.Field{Path: "last", Kind: query.KindTime}
)

// FireSchedules fires the due occurrences of every scheduled automation
// until none is left (scans included) and reports how many runs it
// created; the runner does the same a step at a time.
func (s *Service) FireSchedules(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.schedules(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// schedules fires the due occurrences of every scheduled automation and
// reports how many runs it created.
func (s *Service) schedules(ctx context.Context) (int, error) {
	snap, err := s.cat.get(ctx, s.now().Add(-time.Second))
	if err != nil {
		return 0, err
	}
	total := 0
	var first error
	for _, aa := range snap.byApp {
		for _, a := range aa.all {
			sc, ok := a.Trigger.(Scheduled)
			if !ok {
				continue
			}
			n, err := s.fireDue(ctx, a, sc)
			total += n
			if err != nil && first == nil {
				first = err
			}
		}
	}
	return total, first
}

// fireDue fires the automation's occurrences that are due, oldest first,
// and moves its watermark past those that are done.
func (s *Service) fireDue(ctx context.Context, a *Automation, sc Scheduled) (int, error) {
	now := s.now()
	window := sc.CatchUp()
	if window <= 0 {
		window = s.opt.CatchUp
	}
	from := now.Add(-window)
	if a.PublishedAt.After(from) {
		from = a.PublishedAt
	}
	wmID := a.App + ":" + a.Key
	wm, err := s.st.Get(ctx, CollSchedules, wmID)
	if err != nil && !errs.HasCode(err, store.ErrNotFound.Code) {
		return 0, err
	}
	if last, _ := wm["last"].(string); last != "" {
		if t, err := query.ParseTime(last, time.UTC); err == nil && t.After(from) {
			from = t
		}
	}
	total := 0
	for i, t := 0, sc.Next(from); !t.IsZero() && !t.After(now) && i < maxOccurrencesPerTick; i, t = i+1, sc.Next(t) {
		n, done, err := s.occurrence(ctx, a, t)
		total += n
		if err != nil || !done {
			return total, err
		}
		if err := s.advance(ctx, wmID, wm != nil, t); err != nil {
			return total, err
		}
		wm = store.Doc{}
	}
	return total, nil
}

// advance moves the watermark to t (never back).
func (s *Service) advance(ctx context.Context, id string, exists bool, t time.Time) error {
	at := query.FormatTime(t)
	if !exists {
		_, err := s.st.Insert(ctx, CollSchedules, store.Doc{"_id": id, "last": at})
		if !errs.HasCode(err, store.ErrDuplicate.Code) {
			return err
		}
	}
	_, err := s.st.Update(ctx, CollSchedules, id, store.Patch{Set: map[string]any{"last": at}},
		query.Cmp(fLast, query.OpLt, query.TimeV(at)))
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return nil // another runner moved it further
	}
	return err
}

// occurrence fires one occurrence as far as this runner can: the runs it
// created, and whether the occurrence is done (false: another runner
// holds it, or the scan goes on at the next tick).
func (s *Service) occurrence(ctx context.Context, a *Automation, at time.Time) (int, bool, error) {
	id := a.App + ":" + a.Key + ":" + occurrenceKey(at)
	lease, done, err := s.takeOccurrence(ctx, a, id, at)
	if err != nil || done || lease == nil {
		return 0, done, err
	}
	if sc, ok := a.Trigger.(Scanned); ok {
		return s.scan(ctx, a, sc, lease, at)
	}
	// One run for the occurrence, and the occurrence done, together.
	stamp := query.FormatTime(s.now())
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		if _, err := tx.Insert(ctx, CollRuns, scheduledRun(a, id, "", at, stamp)); err != nil {
			return err
		}
		return lease.finish(ctx, tx, 1)
	})
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return 0, false, nil // the lease went to another runner
	}
	if err != nil {
		return 0, false, err
	}
	return 1, true, nil
}

// occLease is this runner's hold on an occurrence document.
type occLease struct {
	s      *Service
	id     string
	until  string
	cursor string
	runs   int64
}

// takeOccurrence inserts the occurrence or takes it over from a holder
// whose lease ended. It returns nil without error when another runner
// holds it, and done when it is finished.
func (s *Service) takeOccurrence(ctx context.Context, a *Automation, id string, at time.Time) (*occLease, bool, error) {
	now := s.now()
	until := query.FormatTime(now.Add(s.opt.LeaseTTL))
	doc, err := s.st.Get(ctx, CollOccurrences, id)
	if errs.HasCode(err, store.ErrNotFound.Code) {
		_, err := s.st.Insert(ctx, CollOccurrences, store.Doc{"_id": id, "app": a.App, "automation": a.Key, "version": a.Version,
			"at": query.FormatTime(at), "status": OccurrenceScanning, "holder": s.opt.Holder, "until": until, "cursor": "",
			"runs": 0, "startedAt": query.FormatTime(now)})
		if errs.HasCode(err, store.ErrDuplicate.Code) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		return &occLease{s: s, id: id, until: until}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if doc["status"] == OccurrenceDone {
		return nil, true, nil
	}
	holder, _ := doc["holder"].(string)
	old, _ := doc["until"].(string)
	if holder != s.opt.Holder && old > query.FormatTime(now) {
		return nil, false, nil
	}
	cursor, _ := doc["cursor"].(string)
	runs, _ := query.ToInt(doc["runs"])
	_, err = s.st.Update(ctx, CollOccurrences, id, store.Patch{Set: map[string]any{"holder": s.opt.Holder, "until": until}},
		query.And(query.Eq(fHolder, query.Str(holder)), query.Eq(fUntil, query.TimeV(old))))
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &occLease{s: s, id: id, until: until, cursor: cursor, runs: runs}, false, nil
}

// advance records a scanned page through tx: the new cursor and run
// count, with the lease renewed; ErrConditionFailed when the lease is no
// longer this runner's.
func (l *occLease) advance(ctx context.Context, tx store.Ops, cursor string, n int) error {
	until := query.FormatTime(l.s.now().Add(l.s.opt.LeaseTTL))
	_, err := tx.Update(ctx, CollOccurrences, l.id, store.Patch{Set: map[string]any{"cursor": cursor, "until": until},
		Inc: map[string]int64{"runs": int64(n)}}, l.cond())
	if err == nil {
		l.until, l.cursor, l.runs = until, cursor, l.runs+int64(n)
	}
	return err
}

// finish marks the occurrence done through tx.
func (l *occLease) finish(ctx context.Context, tx store.Ops, n int) error {
	now := query.FormatTime(l.s.now())
	_, err := tx.Update(ctx, CollOccurrences, l.id, store.Patch{Set: map[string]any{"status": OccurrenceDone, "finishedAt": now},
		Inc: map[string]int64{"runs": int64(n)}, Unset: []string{"until"}}, l.cond())
	return err
}

func (l *occLease) cond() *query.Node {
	return query.And(query.Eq(fHolder, query.Str(l.s.opt.Holder)), query.Eq(fUntil, query.TimeV(l.until)),
		query.Eq(fCursor, query.Str(l.cursor)))
}

// scheduledRun is the run of an occurrence (for one record, or none).
func scheduledRun(a *Automation, occ, record string, at time.Time, stamp string) store.Doc {
	src := occ
	if record != "" {
		src = occ + ":" + record
	}
	form := ""
	if record != "" {
		form = a.Trigger.Form()
	}
	return store.Doc{
		"_id": runID(src, a.Key), "app": a.App, "automation": a.Key, "version": a.Version, "trigger": a.TriggerType,
		"occurrence": query.FormatTime(at), "form": form, "record": record, "actor": "system",
		"status": RunPending, "due": stamp, "pc": 0, "attempts": 0, "steps": map[string]any{}, "createdAt": stamp, "rev": 1,
	}
}
