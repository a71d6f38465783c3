package automation

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Retention. Once an hour a runner deletes what is older than
// Options.Retention and finished: dispatched events, done and skipped
// runs, sent messages, finished occurrences. Dead runs and failed
// messages stay until an admin deals with them. A round deletes in
// batches of gcBatch, one transaction each, for at most gcBudget per
// collection, so a large backlog drains over a few rounds instead of
// holding the store.
const (
	gcEvery  = time.Hour
	gcBatch  = 2000
	gcBudget = 20 * time.Second
)

// collect runs a retention round when one is due for this runner.
func (s *Service) collect(ctx context.Context) error {
	if s.opt.Retention < 0 {
		return nil
	}
	now := s.now()
	s.gcMu.Lock()
	due := now.Sub(s.lastGC) >= gcEvery
	if due {
		s.lastGC = now
	}
	s.gcMu.Unlock()
	if !due {
		return nil
	}
	cut := query.TimeV(query.FormatTime(now.Add(-s.opt.Retention)))
	str := func(p string) query.Field { return query.Field{Path: p, Kind: query.KindString} }
	tf := func(p string) query.Field { return query.Field{Path: p, Kind: query.KindTime} }
	for _, c := range []struct {
		coll   string
		filter *query.Node
	}{
		{outbox.Collection, query.And(query.Eq(fEventStatus, query.Str(EventDispatched)), query.Cmp(fAvailable, query.OpLt, cut))},
		{CollRuns, query.And(&query.Node{Op: query.OpIn, Field: fStatus, Values: []query.Value{query.Str(RunDone), query.Str(RunSkipped)}},
			query.Cmp(tf("finishedAt"), query.OpLt, cut))},
		{CollMessages, query.And(query.Eq(str("status"), query.Str(MessageSent)), query.Cmp(tf("sentAt"), query.OpLt, cut))},
		{CollOccurrences, query.And(query.Eq(str("status"), query.Str(OccurrenceDone)), query.Cmp(tf("finishedAt"), query.OpLt, cut))},
	} {
		for start := time.Now(); time.Since(start) < gcBudget; {
			docs, err := s.st.Find(ctx, c.coll, store.Query{Filter: c.filter, Limit: gcBatch, Fields: []string{"_id"}})
			if err != nil {
				return err
			}
			if len(docs) == 0 {
				break
			}
			// One transaction per batch: on the embedded store a delete
			// costs a row, not a commit.
			err = s.st.Tx(ctx, func(tx store.Ops) error {
				for _, d := range docs {
					id, _ := d["_id"].(string)
					err := tx.Delete(ctx, c.coll, id, c.filter)
					if err != nil && !errs.HasCode(err, store.ErrNotFound.Code) && !errs.HasCode(err, store.ErrConditionFailed.Code) {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			if len(docs) < gcBatch {
				break
			}
		}
	}
	return nil
}
