package workflow

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/calendar"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Inbox filters.
const (
	InboxPending = "pending" // waiting for the caller (default)
	InboxDone    = "done"    // decided by the caller
	InboxAll     = "all"

	DueOverdue = "overdue" // past the deadline
	DueToday   = "today"   // due before the end of today
	DueWeek    = "week"    // due within seven days
)

// Inbox page sizes.
const (
	DefaultInboxLimit = 50
	MaxInboxLimit     = 200
)

// InboxQuery selects a page of the caller's tasks, newest first.
type InboxQuery struct {
	Status string // pending (default), done or all
	App    string // "" for every app
	Form   string
	Due    string // "", overdue, today or week
	Limit  int
	Cursor string
}

// Counts summarize the caller's inbox (over every app, whatever the
// filters), for badges.
type Counts struct {
	Pending  int64 `json:"pending"`
	Overdue  int64 `json:"overdue"`
	DueToday int64 `json:"dueToday"`
	Done     int64 `json:"done"`
}

// InboxPage is one page of tasks.
type InboxPage struct {
	Tasks  []*Task `json:"tasks"`
	Next   string  `json:"next,omitempty"`
	Counts Counts  `json:"counts"`
}

var inboxOrder = []query.SortKey{{Field: query.IDField, Desc: true}}

// Inbox returns p's tasks: only tasks assigned to p (pending) or decided
// by p (done) are ever listed.
func (s *Service) Inbox(ctx context.Context, p *auth.Principal, q InboxQuery) (*InboxPage, error) {
	lang := langOf(ctx)
	me := p.Actor()
	mine := query.Eq(fAssignee, query.Str(me))
	pending := query.And(mine, query.Eq(fStatus, query.Str(TaskPending)))
	var filter *query.Node
	switch q.Status {
	case "", InboxPending:
		filter = pending
	case InboxDone:
		filter = query.Eq(fDecided, query.Str(me))
	case InboxAll:
		filter = query.Or(mine, query.Eq(fDecided, query.Str(me)))
	default:
		return nil, fieldProblem(lang, "status", "workflow.inbox_status", q.Status)
	}
	if q.App != "" {
		filter = query.And(filter, query.Eq(fApp, query.Str(q.App)))
	}
	if q.Form != "" {
		filter = query.And(filter, query.Eq(fForm, query.Str(q.Form)))
	}
	now := s.now()
	bounds := dueBounds(now)
	switch q.Due {
	case "":
	case DueOverdue, DueToday, DueWeek:
		filter = query.And(filter, query.Cmp(fDueAt, query.OpLt, query.TimeV(bounds[q.Due])))
	default:
		return nil, fieldProblem(lang, "due", "workflow.inbox_due", q.Due)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultInboxLimit
	}
	limit = min(limit, MaxInboxLimit)
	if q.Cursor != "" {
		after, err := query.DecodeCursor(q.Cursor, inboxOrder)
		if err != nil {
			return nil, fieldProblem(lang, "cursor", "workflow.inbox_cursor")
		}
		filter = query.And(filter, after)
	}
	docs, err := s.st.Find(ctx, collTasks, store.Query{Filter: filter, Sort: inboxOrder, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	page := &InboxPage{Tasks: []*Task{}}
	if len(docs) > limit {
		docs = docs[:limit]
		page.Next = query.CursorOf(docs[limit-1], inboxOrder).Encode()
	}
	for _, d := range docs {
		t, err := taskFromDoc(d)
		if err != nil {
			return nil, err
		}
		page.Tasks = append(page.Tasks, t)
	}
	for _, c := range []struct {
		n      *int64
		filter *query.Node
	}{
		{&page.Counts.Pending, pending},
		{&page.Counts.Overdue, query.And(pending, query.Cmp(fDueAt, query.OpLt, query.TimeV(bounds[DueOverdue])))},
		{&page.Counts.DueToday, query.And(pending, query.Cmp(fDueAt, query.OpLt, query.TimeV(bounds[DueToday])))},
		{&page.Counts.Done, query.Eq(fDecided, query.Str(me))},
	} {
		if *c.n, err = s.st.Count(ctx, collTasks, c.filter); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// dueBounds are the deadlines before which a task counts as overdue, due
// today (the end of today in China's zone) and due this week.
func dueBounds(now time.Time) map[string]string {
	loc := query.DefaultLocation
	if c, ok := calendar.Get(calendar.Default); ok {
		loc = c.Loc
	}
	l := now.In(loc)
	endOfDay := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
	return map[string]string{DueOverdue: query.FormatTime(now), DueToday: query.FormatTime(endOfDay),
		DueWeek: query.FormatTime(now.Add(7 * 24 * time.Hour))}
}

// Task returns one of p's tasks (assigned to or decided by p; admins see
// any); any other is 404.
func (s *Service) Task(ctx context.Context, p *auth.Principal, id string) (*Task, error) {
	lang := langOf(ctx)
	t, err := loadTask(ctx, s.st, id, lang)
	if err != nil {
		return nil, err
	}
	if t.Assignee != p.Actor() && t.DecidedBy != p.Actor() && !p.Admin {
		return nil, coded(lang, errs.NotFound, "workflow.task_not_found")
	}
	return t, nil
}
