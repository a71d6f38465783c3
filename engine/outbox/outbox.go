// Package outbox is the transactional outbox: an engine that changes data
// writes, in the same store transaction, an event saying what happened.
// The event commits with the change or not at all, so a consumer (the
// automation runner) never misses a committed change and never sees one
// that rolled back.
//
// This package only writes events and defines their stored form; claiming,
// running, retrying and dead-lettering them is the runner's job. A stored
// event is a document of Collection:
//
//	_id          time-ordered id (store.NewID), also the processing order
//	type         dotted event type, e.g. "workflow.transition"
//	app          the app the event belongs to
//	form, record the record it is about ("" when none)
//	actor        who caused it: a user id, "apikey:<id>" or "system"
//	at           when (query.FormatTime)
//	data         the event's payload (JSON; money and points as integers)
//	status       StatusPending when written; the runner moves it on
//	attempts     0 when written
//	availableAt  when a runner may claim it (= at when written)
//
// The runner adds its own fields (lease holder and expiry, results, last
// error) and must keep the ones above. Event types written today:
//
//	workflow.transition     data: flow, version, trigger, from, to, comment
//	workflow.task.created   data: task, flow, state, assignee, dueAt
//	workflow.task.reminder  data: task, assignee, dueAt
//	workflow.task.overdue   data: task, assignee, dueAt, action
//	workflow.task.escalated data: task, from, to (the new task), assignee
//	workflow.step           data: flow, state, phase ("enter"/"exit"), step (the step definition)
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Collection holds the events.
const Collection = "outbox"

// StatusPending is the status of an event nobody has processed yet.
const StatusPending = "pending"

// MaxDataBytes bounds an event's payload as JSON: events carry references
// and small facts, not whole documents.
const MaxDataBytes = 64 << 10

// Event is one thing that happened.
type Event struct {
	// ID is empty to get a new time-ordered id.
	ID string `json:"id"`
	// Type is a dotted lowercase name: "workflow.transition".
	Type   string `json:"type"`
	App    string `json:"app"`
	Form   string `json:"form,omitempty"`
	Record string `json:"record,omitempty"`
	Actor  string `json:"actor"`
	// At is when it happened; zero means now.
	At   time.Time      `json:"at"`
	Data map[string]any `json:"data,omitempty"`
}

var typeRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// ErrInvalid reports an event that cannot be stored: a programming error of
// the engine writing it, so the transaction carrying it must fail.
var ErrInvalid = errs.New(errs.Internal, "outbox.invalid", "invalid outbox event")

// Write stores e through tx, the operations of the transaction that makes
// the change e describes, and returns its id.
func Write(ctx context.Context, tx store.Ops, e Event) (string, error) {
	if !typeRe.MatchString(e.Type) || len(e.Type) > 100 || e.App == "" {
		return "", errs.New(ErrInvalid.Class, ErrInvalid.Code, "event type %q of app %q is not valid", e.Type, e.App)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	data := e.Data
	if data == nil {
		data = map[string]any{}
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return "", errs.Wrap(err, ErrInvalid.Class, ErrInvalid.Code, "event %s: data is not JSON", e.Type)
	}
	if len(raw) > MaxDataBytes {
		return "", errs.New(ErrInvalid.Class, ErrInvalid.Code, "event %s: data is %d bytes, more than %d", e.Type, len(raw), MaxDataBytes)
	}
	at := query.FormatTime(e.At)
	doc := store.Doc{
		"_id": e.ID, "type": e.Type, "app": e.App, "form": e.Form, "record": e.Record, "actor": e.Actor,
		"at": at, "data": data, "status": StatusPending, "attempts": 0, "availableAt": at,
	}
	return tx.Insert(ctx, Collection, doc)
}

// Indexes are what a runner's claim query ("pending and available now, in
// id order") and a per-record lookup need.
func Indexes() []store.Index {
	return []store.Index{
		{Name: "outbox_claim", Fields: []string{"status", "availableAt"}},
		{Name: "outbox_record", Fields: []string{"app", "record"}},
	}
}

// Init creates the indexes. Call it once at start-up, outside any
// transaction.
func Init(ctx context.Context, st store.Store) error {
	return st.EnsureIndexes(ctx, Collection, Indexes())
}

// Decode reads the event fields of a stored document (the runner's fields
// are ignored).
func Decode(doc store.Doc) (Event, error) {
	str := func(k string) string { s, _ := doc[k].(string); return s }
	e := Event{ID: str("_id"), Type: str("type"), App: str("app"), Form: str("form"), Record: str("record"), Actor: str("actor")}
	e.Data, _ = doc["data"].(map[string]any)
	at, err := query.ParseTime(str("at"), time.UTC)
	if err != nil {
		return e, fmt.Errorf("outbox: event %s: bad time %q", e.ID, str("at"))
	}
	e.At = at
	return e, nil
}

// Fields are the paths a filter over events may name.
func Fields() query.Fields {
	return query.NewFields(
		query.Field{Path: "type", Kind: query.KindString},
		query.Field{Path: "app", Kind: query.KindString},
		query.Field{Path: "form", Kind: query.KindString},
		query.Field{Path: "record", Kind: query.KindString},
		query.Field{Path: "status", Kind: query.KindString},
		query.Field{Path: "availableAt", Kind: query.KindTime},
		query.Field{Path: "at", Kind: query.KindTime},
	)
}
