package form

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/store"
)

// Record events. Once an event consumer is attached (SetEvents: the
// automation engine), every create, update, delete and restore of a form
// the consumer listens to writes an outbox event (engine/outbox) through
// the write's own transaction, so the event commits with the change or not
// at all; writes of forms nobody listens to write nothing more. Events:
//
//	record.created  data: version, after (the record as stored)
//	record.updated  data: version, changed (field keys), before (their
//	                old values), after (the record as stored); a restore
//	                is an update of _deleted
//	record.deleted  data: version, before (the record)
//
// A record too large for an event (outbox.MaxDataBytes) goes without its
// before/after; consumers read the record instead. Writes made while
// handling an event carry the chain's depth (WithEventDepth), so a
// consumer can stop an automation that keeps firing itself.
const (
	EventCreated = "record.created"
	EventUpdated = "record.updated"
	EventDeleted = "record.deleted"
)

// EventSource says whether some consumer listens to a form's record
// events; *automation.Service is one. It is asked on every write, so it
// must answer from memory.
type EventSource interface {
	Listens(ctx context.Context, app, form string) (bool, error)
}

// eventSources are the attached consumers, by the records service they
// belong to (its form cache, which every bound copy of it shares).
var eventSources sync.Map // *formCache -> EventSource

// SetEvents attaches the consumer of record events. Call it once, while
// wiring, before the service writes.
func (r *Records) SetEvents(src EventSource) { eventSources.Store(r.cache, src) }

type eventDepthKey struct{}
type noEventsKey struct{}

// WithEventDepth marks writes made while handling an event of depth d-1:
// their events carry depth d.
func WithEventDepth(ctx context.Context, d int) context.Context {
	return context.WithValue(ctx, eventDepthKey{}, d)
}

// WithoutEvents marks writes that must not fire consumers: bulk loads of
// history (demo data, migrations) that are not news.
func WithoutEvents(ctx context.Context) context.Context {
	return context.WithValue(ctx, noEventsKey{}, true)
}

// listens reports whether f's writes under ctx need events.
func (r *Records) listens(ctx context.Context, f *Form) (bool, error) {
	src, ok := eventSources.Load(r.cache)
	if !ok || ctx.Value(noEventsKey{}) != nil {
		return false, nil
	}
	return src.(EventSource).Listens(ctx, f.App, f.Key)
}

// recordEvent writes the event of one write through tx, when some
// consumer listens to f.
func (r *Records) recordEvent(ctx context.Context, tx store.Ops, f *Form, p *auth.Principal, typ, id string, version int64,
	before, after map[string]any, changed []string) error {
	on, err := r.listens(ctx, f)
	if err != nil || !on {
		return err
	}
	return r.writeEvent(ctx, tx, f, p, typ, id, version, before, after, changed)
}

// recordEvents writes the record.created events of a batch.
func (r *Records) recordEvents(ctx context.Context, tx store.Ops, f *Form, p *auth.Principal, recs []store.Doc) error {
	on, err := r.listens(ctx, f)
	if err != nil || !on {
		return err
	}
	for _, rec := range recs {
		id, _ := rec[SysID].(string)
		if err := r.writeEvent(ctx, tx, f, p, EventCreated, id, 1, nil, rec, nil); err != nil {
			return err
		}
	}
	return nil
}

func (r *Records) writeEvent(ctx context.Context, tx store.Ops, f *Form, p *auth.Principal, typ, id string, version int64,
	before, after map[string]any, changed []string) error {
	data := map[string]any{"version": version}
	if changed != nil {
		data["changed"] = anyStrings(changed)
	}
	if d, ok := ctx.Value(eventDepthKey{}).(int); ok && d > 0 {
		data["depth"] = d
	}
	if before != nil {
		data["before"] = before
	}
	if after != nil {
		data["after"] = after
	}
	if jsonSizeBound(data, 0) > outbox.MaxDataBytes-1024 {
		// Possibly too large (or not JSON values): encoded to find out.
		if raw, err := json.Marshal(data); err != nil || len(raw) > outbox.MaxDataBytes-1024 {
			delete(data, "before")
			delete(data, "after")
		}
	}
	_, err := outbox.Write(ctx, tx, outbox.Event{Type: typ, App: f.App, Form: f.Key, Record: id, Actor: p.Actor(), At: r.now(), Data: data})
	return err
}
