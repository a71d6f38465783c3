package automation

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Event statuses after outbox.StatusPending.
const (
	// EventDispatched: the event's runs exist (maybe none: no automation
	// listened).
	EventDispatched = "dispatched"
)

var fEventStatus = query.Field{Path: "status", Kind: query.KindString}

// dispatch turns up to Batch pending events into runs and reports how many
// events it took, and the runs it made. The candidates are read outside
// the transaction; inside it, each event moves on only if it is still
// pending (a conditional update), together with the insert of its runs, so
// two runners racing for the same events dispatch each once. The runs are
// born claimed by this runner (its lease), which executes them next: a
// run's first write is then its first action's.
func (s *Service) dispatch(ctx context.Context) (int, []*Run, error) {
	now := s.now()
	docs, err := s.st.Find(ctx, outbox.Collection, store.Query{
		Filter: query.And(query.Eq(fEventStatus, query.Str(outbox.StatusPending)),
			query.Cmp(fAvailable, query.OpLte, query.TimeV(query.FormatTime(now)))),
		Sort: []query.SortKey{{Field: fAvailable}}, Limit: s.opt.Batch})
	if err != nil || len(docs) == 0 {
		return 0, nil, err
	}
	events := make([]outbox.Event, 0, len(docs))
	latest := time.Time{}
	for _, d := range docs {
		e, err := outbox.Decode(d)
		if err != nil {
			// An event that cannot be read would block nobody (others are
			// dispatched around it) but would be retried forever.
			s.log.Warn("automation: unreadable event", "event", e.ID, "err", err.Error())
			e.Type = ""
		}
		if e.At.After(latest) {
			latest = e.At
		}
		events = append(events, e)
	}
	snap, err := s.cat.get(ctx, latest)
	if err != nil {
		return 0, nil, err
	}
	stamp := query.FormatTime(now)
	lease := query.FormatTime(now.Add(s.opt.LeaseTTL))
	taken := 0
	var runs []store.Doc
	err = s.st.Tx(ctx, func(tx store.Ops) error {
		taken, runs = 0, runs[:0]
		for i := range events {
			e := &events[i]
			matched := s.match(snap, e)
			_, err := tx.Update(ctx, outbox.Collection, e.ID, store.Patch{Set: map[string]any{
				"status": EventDispatched, "dispatchedAt": stamp, "runs": len(matched)}},
				query.Eq(fEventStatus, query.Str(outbox.StatusPending)))
			if errs.HasCode(err, store.ErrConditionFailed.Code) || errs.HasCode(err, store.ErrNotFound.Code) {
				continue // another runner took it
			}
			if err != nil {
				return err
			}
			taken++
			for _, a := range matched {
				d := eventRun(e, a, stamp)
				d["status"], d["due"], d["holder"] = RunRunning, lease, s.opt.Holder
				runs = append(runs, d)
			}
		}
		if len(runs) == 0 {
			return nil
		}
		_, err := tx.InsertMany(ctx, CollRuns, runs)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	out := make([]*Run, 0, len(runs))
	for _, d := range runs {
		r, err := decodeRun(d)
		if err != nil {
			return taken, out, err
		}
		out = append(out, r)
	}
	return taken, out, nil
}

// MaxChainDepth bounds how deep automations may fire each other through
// the records they write (an automation that updates the records it
// listens to would otherwise fire itself for ever): an event written
// while handling an event chain this deep fires nothing.
const MaxChainDepth = 8

// match lists the automations an event fires.
func (s *Service) match(snap *snapshot, e *outbox.Event) []*Automation {
	aa := snap.byApp[e.App]
	if aa == nil || e.Type == "" {
		return nil
	}
	if d, _ := query.ToInt(e.Data["depth"]); d > MaxChainDepth {
		s.log.Warn("automation: event chain too deep; not dispatched", "event", e.ID, "type", e.Type, "record", e.Record, "depth", d)
		return nil
	}
	var out []*Automation
	for _, a := range aa.byEvent[e.Type] {
		if a.Trigger.(EventTrigger).Match(a.Key, e) {
			out = append(out, a)
		}
	}
	return out
}

// eventRun is the new run of automation a for event e.
func eventRun(e *outbox.Event, a *Automation, stamp string) store.Doc {
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	return store.Doc{
		"_id": runID(e.ID, a.Key), "app": a.App, "automation": a.Key, "version": a.Version, "trigger": a.TriggerType,
		"event": e.ID, "eventType": e.Type, "form": e.Form, "record": e.Record, "actor": e.Actor,
		"at": query.FormatTime(e.At), "data": data,
		"status": RunPending, "due": stamp, "pc": 0, "attempts": 0, "steps": map[string]any{},
		"createdAt": stamp, "rev": 1,
	}
}
