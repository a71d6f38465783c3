package report

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// A scoring run holds a lease on its job document in collJobs
// ("rfm:<app>:<form>"), renewed after every batch, so two server instances
// (or a run by hand beside the daily one) never score one form at once;
// a crashed run's lease simply ends. The document also keeps the last
// finished run: its day, its key (an automation run's action key), what
// it did and when, so an admin sees the last cut points and a retried
// automation run does not score twice.

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

// releaseRFMLease ends the lease, recording res (and the run's key) when
// the run finished.
func (s *Service) releaseRFMLease(ctx context.Context, l *rfmLease, key string, res *RFMResult, finished bool) error {
	p := store.Patch{Unset: []string{"holder", "until"}}
	if finished {
		var last map[string]any
		raw, err := json.Marshal(res)
		if err == nil {
			err = json.Unmarshal(raw, &last)
		}
		if err != nil {
			return err
		}
		p.Set = map[string]any{"lastDay": res.Day, "lastAt": query.FormatTime(s.now()), "last": last, "lastKey": key}
	}
	_, err := s.st.Update(ctx, collJobs, l.id, p, query.Eq(fHolder, query.Str(l.holder)))
	if errs.HasCode(err, store.ErrConditionFailed.Code) || errors.Is(err, store.ErrNotFound) {
		return ErrRFMRunning
	}
	return err
}

// finishedRun is the recorded result of the last finished run when it
// had job.RunKey (nil otherwise).
func (s *Service) finishedRun(ctx context.Context, app string, job RFMJob) (*RFMResult, error) {
	if job.RunKey == "" {
		return nil, nil
	}
	doc, err := s.st.Get(ctx, collJobs, rfmJobID(app, job.Form))
	if errors.Is(err, store.ErrNotFound) || errs.HasCode(err, store.ErrNotFound.Code) {
		return nil, nil
	}
	if err != nil || doc["lastKey"] != job.RunKey {
		return nil, err
	}
	return LastRFM(doc)
}

// LastRFM reads the last finished run from a job document.
func LastRFM(doc store.Doc) (*RFMResult, error) {
	raw, err := json.Marshal(doc["last"])
	if err != nil {
		return nil, err
	}
	var res RFMResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// LastRFMRun is the last finished scoring of app's form (nil: none yet).
func (s *Service) LastRFMRun(ctx context.Context, app, formKey string) (*RFMResult, error) {
	doc, err := s.st.Get(ctx, collJobs, rfmJobID(app, formKey))
	if errors.Is(err, store.ErrNotFound) || errs.HasCode(err, store.ErrNotFound.Code) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return LastRFM(doc)
}
