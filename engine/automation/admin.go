package automation

import (
	"context"
	"slices"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The admin reads: the run log, the dead-letter list and replay, the
// messages sent, the A/B variants report. Reading runs and messages needs
// the read right on the automation (on every automation, "*", when not
// filtered by one); the dead-letter list and replay need design (the app's
// admins).

// Page sizes of the admin lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

var runStatuses = []string{RunPending, RunRunning, RunWaiting, RunRetry, RunDone, RunSkipped, RunDead}

// RunQuery filters the run log.
type RunQuery struct {
	Automation string
	Status     string
	Record     string
	Limit      int
	Cursor     string
}

// RunPage is a page of runs, newest first.
type RunPage struct {
	Runs []*Run `json:"runs"`
	Next string `json:"next,omitempty"`
}

var (
	fCreatedAt = query.Field{Path: "createdAt", Kind: query.KindTime}
	newestRuns = []query.SortKey{{Field: fCreatedAt, Desc: true}, {Field: fID, Desc: true}}
)

// Runs lists the runs of an app's automations, newest first.
func (s *Service) Runs(ctx context.Context, p *auth.Principal, app string, q RunQuery) (*RunPage, error) {
	return s.listRuns(ctx, p, app, q, access.Read)
}

// DeadLetters lists the dead runs (the failures an admin must look at).
func (s *Service) DeadLetters(ctx context.Context, p *auth.Principal, app string, q RunQuery) (*RunPage, error) {
	q.Status = RunDead
	return s.listRuns(ctx, p, app, q, access.Design)
}

func (s *Service) listRuns(ctx context.Context, p *auth.Principal, app string, q RunQuery, right access.Right) (*RunPage, error) {
	lang := form.LangOf(ctx)
	key := q.Automation
	if key == "" {
		key = "*"
	}
	if err := s.check(ctx, p, app, key, right); err != nil {
		return nil, err
	}
	filter := query.Eq(fApp, query.Str(app))
	if q.Automation != "" {
		filter = query.And(filter, query.Eq(fAutomation, query.Str(q.Automation)))
	}
	if q.Status != "" {
		if !slices.Contains(runStatuses, q.Status) {
			return nil, fieldProblem(lang, errs.Invalid, "status", "automation.bad_status", q.Status)
		}
		filter = query.And(filter, query.Eq(fStatus, query.Str(q.Status)))
	}
	if q.Record != "" {
		filter = query.And(filter, query.Eq(fRecord, query.Str(q.Record)))
	}
	docs, next, err := s.page(ctx, CollRuns, filter, newestRuns, q.Limit, q.Cursor, lang)
	if err != nil {
		return nil, err
	}
	out := &RunPage{Runs: make([]*Run, 0, len(docs)), Next: next}
	for _, d := range docs {
		r, err := decodeRun(d)
		if err != nil {
			return nil, err
		}
		out.Runs = append(out.Runs, r)
	}
	return out, nil
}

// page reads one keyset page.
func (s *Service) page(ctx context.Context, coll string, filter *query.Node, order []query.SortKey, limit int, cursor, lang string) ([]store.Doc, string, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	if cursor != "" {
		after, err := query.DecodeCursor(cursor, order)
		if err != nil {
			return nil, "", fieldProblem(lang, errs.Invalid, "cursor", "automation.bad_cursor")
		}
		filter = query.And(filter, after)
	}
	docs, err := s.st.Find(ctx, coll, store.Query{Filter: filter, Sort: order, Limit: limit + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(docs) > limit {
		docs = docs[:limit]
		next = query.CursorOf(docs[limit-1], order).Encode()
	}
	return docs, next, nil
}

// GetRun returns one run of the app (the read right on its automation).
func (s *Service) GetRun(ctx context.Context, p *auth.Principal, app, id string) (*Run, error) {
	r, err := s.loadRun(ctx, app, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx, p, app, r.Automation, access.Read); err != nil {
		return nil, err
	}
	return r, nil
}

// Replay sends a dead run back to the runner: it resumes at the action
// that failed, with its attempts counted afresh; the actions that
// succeeded are not run again. Only dead runs can be replayed (409).
func (s *Service) Replay(ctx context.Context, p *auth.Principal, app, id string) (*Run, error) {
	lang := form.LangOf(ctx)
	r, err := s.loadRun(ctx, app, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx, p, app, r.Automation, access.Design); err != nil {
		return nil, err
	}
	if r.Status != RunDead {
		return nil, coded(lang, errs.Conflict, "automation.not_dead", r.Status)
	}
	stamp := query.FormatTime(s.now())
	_, err = s.updateRun(ctx, nil, r, store.Patch{Set: map[string]any{"status": RunRetry, "due": stamp, "attempts": 0,
		"updatedAt": stamp, "replayedAt": stamp, "replayedBy": p.Actor()}})
	if err != nil {
		if err == errLost {
			return nil, coded(lang, errs.Conflict, "automation.not_dead", "changed")
		}
		return nil, err
	}
	return s.loadRun(ctx, app, id)
}

func (s *Service) loadRun(ctx context.Context, app, id string) (*Run, error) {
	doc, err := s.st.Get(ctx, CollRuns, id)
	if err == nil && doc["app"] != app {
		err = store.ErrNotFound
	}
	if errs.ClassOf(err) == errs.NotFound {
		return nil, coded(form.LangOf(ctx), errs.NotFound, "automation.run_not_found")
	}
	if err != nil {
		return nil, err
	}
	return decodeRun(doc)
}

// check requires right on automation key ("*": all) of app.
func (s *Service) check(ctx context.Context, p *auth.Principal, app, key string, right access.Right) error {
	return s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAutomation, Key: key}, right)
}

// MessageQuery filters the messages list.
type MessageQuery struct {
	Automation, Channel, Status, Run string
	Limit                            int
	Cursor                           string
}

// MessagePage is a page of messages, newest first.
type MessagePage struct {
	Messages []store.Doc `json:"messages"`
	Next     string      `json:"next,omitempty"`
}

// Messages lists the messages the app's automations sent (or keep in the
// outbox channel), newest first.
func (s *Service) Messages(ctx context.Context, p *auth.Principal, app string, q MessageQuery) (*MessagePage, error) {
	lang := form.LangOf(ctx)
	key := q.Automation
	if key == "" {
		key = "*"
	}
	if err := s.check(ctx, p, app, key, access.Read); err != nil {
		return nil, err
	}
	str := func(p string) query.Field { return query.Field{Path: p, Kind: query.KindString} }
	filter := query.Eq(fApp, query.Str(app))
	for _, c := range []struct{ path, v string }{{"automation", q.Automation}, {"channel", q.Channel}, {"run", q.Run}} {
		if c.v != "" {
			filter = query.And(filter, query.Eq(str(c.path), query.Str(c.v)))
		}
	}
	if q.Status != "" {
		if !slices.Contains([]string{MessagePending, MessageSent, MessageFailed}, q.Status) {
			return nil, fieldProblem(lang, errs.Invalid, "status", "automation.bad_status", q.Status)
		}
		filter = query.And(filter, query.Eq(fStatus, query.Str(q.Status)))
	}
	docs, next, err := s.page(ctx, CollMessages, filter, newestRuns, q.Limit, q.Cursor, lang)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		d["id"] = d["_id"]
		delete(d, "_id")
		delete(d, "holder")
	}
	return &MessagePage{Messages: docs, Next: next}, nil
}

// VariantCount is one line of the A/B report.
type VariantCount struct {
	Split   string `json:"split"`
	Variant string `json:"variant"`
	Count   int64  `json:"count"`
}

// Variants counts the recorded assignments of each split of the
// published automation, by variant.
func (s *Service) Variants(ctx context.Context, p *auth.Principal, app, key string) ([]VariantCount, error) {
	if err := s.check(ctx, p, app, key, access.Read); err != nil {
		return nil, err
	}
	a, err := s.cat.published(ctx, app, key)
	if errs.ClassOf(err) == errs.NotFound {
		return nil, coded(form.LangOf(ctx), errs.NotFound, "automation.not_found", key)
	}
	if err != nil {
		return nil, err
	}
	str := func(p string) query.Field { return query.Field{Path: p, Kind: query.KindString} }
	out := []VariantCount{}
	for _, in := range a.program {
		sp, ok := in.action.(*flowSplit)
		if !ok {
			continue
		}
		for _, v := range sp.variants {
			n, err := s.st.Count(ctx, CollAssignments, query.And(query.Eq(fApp, query.Str(app)), query.Eq(fAutomation, query.Str(key)),
				query.Eq(str("split"), query.Str(in.id)), query.Eq(str("variant"), query.Str(v.Key))))
			if err != nil {
				return nil, err
			}
			out = append(out, VariantCount{Split: in.id, Variant: v.Key, Count: n})
		}
	}
	return out, nil
}
