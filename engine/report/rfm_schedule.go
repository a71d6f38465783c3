package report

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// A scoring run holds a lease on its job document in collJobs
// ("rfm:<app>:<form>"), renewed after every batch, so two server instances
// (or a run by hand beside the daily one) never score one form at once;
// a crashed run's lease simply ends. The document also keeps the last
// finished run: its day, what it did and when, which is how the daily
// schedule knows a day is done on every instance.

// rfmLease is a held lease.
type rfmLease struct {
	id, holder string
}

var (
	fHolder = query.Field{Path: "holder", Kind: query.KindString}
	fUntil  = query.Field{Path: "until", Kind: query.KindTime}
)

func rfmJobID(app, formKey string) string { return "rfm:" + app + ":" + formKey }

// takeRFMLease takes the job's lease unless another run holds it.
func (s *Service) takeRFMLease(ctx context.Context, app, formKey string, now time.Time) (*rfmLease, error) {
	l := &rfmLease{id: rfmJobID(app, formKey), holder: store.NewID()}
	until := query.FormatTime(now.Add(rfmLeaseDuration))
	// Free: no holder, or a lease that has run out.
	free := query.Or(query.Cmp(fHolder, query.OpExists, query.Bool(false)),
		query.Cmp(fUntil, query.OpLt, query.TimeV(query.FormatTime(now))))
	_, err := s.st.Update(ctx, collJobs, l.id, store.Patch{Set: map[string]any{"holder": l.holder, "until": until,
		"startedAt": query.FormatTime(now)}}, free)
	if errors.Is(err, store.ErrNotFound) {
		_, err = s.st.Insert(ctx, collJobs, store.Doc{"_id": l.id, "holder": l.holder, "until": until, "startedAt": query.FormatTime(now)})
		if errs.HasCode(err, store.ErrDuplicate.Code) {
			return nil, ErrRFMRunning // inserted by another instance just now
		}
	}
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return nil, ErrRFMRunning
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// renewRFMLease extends the lease; ErrRFMRunning when it was lost.
func (s *Service) renewRFMLease(ctx context.Context, l *rfmLease) error {
	_, err := s.st.Update(ctx, collJobs, l.id, store.Patch{Set: map[string]any{"until": query.FormatTime(s.now().Add(rfmLeaseDuration))}},
		query.Eq(fHolder, query.Str(l.holder)))
	if errs.HasCode(err, store.ErrConditionFailed.Code) || errors.Is(err, store.ErrNotFound) {
		return ErrRFMRunning
	}
	return err
}

// releaseRFMLease ends the lease, recording res when the run finished.
func (s *Service) releaseRFMLease(ctx context.Context, l *rfmLease, res *RFMResult, finished bool) error {
	p := store.Patch{Unset: []string{"holder", "until"}}
	if finished {
		p.Set = map[string]any{"lastDay": res.Day, "lastAt": query.FormatTime(s.now()), "last": map[string]any{
			"read": res.Read, "scored": res.Scored, "changed": res.Changed, "segments": res.Segments}}
	}
	_, err := s.st.Update(ctx, collJobs, l.id, p, query.Eq(fHolder, query.Str(l.holder)))
	if errs.HasCode(err, store.ErrConditionFailed.Code) || errors.Is(err, store.ErrNotFound) {
		return ErrRFMRunning
	}
	return err
}

// RFMDaily schedules the RFM scoring.
type RFMDaily struct {
	// At is the local time (Asia/Shanghai) of the daily run, "HH:MM"
	// (default "02:30", when the stores are closed).
	At string
	// Every is how often the schedule is checked (default 1 minute).
	Every time.Duration
	// Job is the job run for every app that published its tables and form
	// (default DefaultRFMJob).
	Job *RFMJob
	Log *slog.Logger
}

// RunRFMDaily scores, once a day after At, every app that has published
// the job's decision tables and form, until ctx ends. A day is done when
// the job document records it; an app installed during the day is scored
// at the next check. Any number of instances may run this: the lease lets
// one score and the others find the day done.
func (s *Service) RunRFMDaily(ctx context.Context, o RFMDaily) {
	if o.Every <= 0 {
		o.Every = time.Minute
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	t := time.NewTicker(o.Every)
	defer t.Stop()
	for {
		if _, err := s.ScoreDue(ctx, o); err != nil && ctx.Err() == nil {
			o.Log.Warn("rfm scoring", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ScoreDue runs the scoring of every app whose current day is not done
// yet (one check of RunRFMDaily) and returns the apps it scored.
func (s *Service) ScoreDue(ctx context.Context, o RFMDaily) ([]string, error) {
	job := DefaultRFMJob
	if o.Job != nil {
		job = *o.Job
	}
	day, err := rfmDueDay(s.now(), o.At)
	if err != nil || day == "" {
		return nil, err
	}
	apps, err := s.meta.Apps(ctx)
	if err != nil {
		return nil, err
	}
	var done []string
	var firstErr error
	for _, a := range apps {
		if !s.hasRFMTables(ctx, a.App, job) {
			continue
		}
		doc, err := s.st.Get(ctx, collJobs, rfmJobID(a.App, job.Form))
		if err == nil {
			if last, _ := doc["lastDay"].(string); last >= day {
				continue
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return done, err
		}
		_, err = s.ScoreRFM(ctx, a.App, job, "zh-CN")
		switch {
		case errors.Is(err, ErrRFMRunning):
		case err != nil && firstErr == nil:
			firstErr = err
		case err == nil:
			done = append(done, a.App)
		}
	}
	return done, firstErr
}

// rfmDueDay is the scoring day at now: today (Asia/Shanghai) once at has
// passed, else "" (yesterday's run is done or will be caught up then).
func rfmDueDay(now time.Time, at string) (string, error) {
	if at == "" {
		at = "02:30"
	}
	hm, err := time.Parse("15:04", at)
	if err != nil {
		return "", rfmErr("", errs.Unprocessable, "report.rfm_at", at)
	}
	local := now.In(query.DefaultLocation)
	start := time.Date(local.Year(), local.Month(), local.Day(), hm.Hour(), hm.Minute(), 0, 0, query.DefaultLocation)
	if local.Before(start) {
		return "", nil
	}
	return local.Format(dateLayout), nil
}
