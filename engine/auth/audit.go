package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Entry is one audit log entry. Entries are only ever inserted: nothing in
// Tangram updates or deletes them.
type Entry struct {
	ID        string         `json:"id"`
	At        time.Time      `json:"at"`
	Actor     string         `json:"actor"`     // user id, "apikey:<id>", "system" or "anonymous"
	ActorName string         `json:"actorName"` // username or key name at the time
	Action    string         `json:"action"`    // dotted, e.g. "auth.login", "user.create", "record.update"
	App       string         `json:"app,omitempty"`
	Target    string         `json:"target,omitempty"` // "kind:key" or "collection/id"
	Details   map[string]any `json:"details,omitempty"`
	IP        string         `json:"ip,omitempty"`
	RequestID string         `json:"requestId,omitempty"`
}

// AuditLog is the append-only "audit_log" collection. Every engine records
// its entries here: identity and sign-in events (this package), definition
// and permission changes, data writes and exports.
type AuditLog struct {
	st  store.Store
	now func() time.Time
}

// NewAuditLog returns the audit log over st; now stamps entries without a
// time (nil: time.Now).
func NewAuditLog(st store.Store, now func() time.Time) *AuditLog {
	if now == nil {
		now = time.Now
	}
	return &AuditLog{st: st, now: now}
}

// Record appends e on its own.
func (a *AuditLog) Record(ctx context.Context, e Entry) error {
	return a.RecordTx(ctx, a.st, e)
}

// RecordTx appends e through ops, so inside a store.Tx the entry commits
// with the change it describes or not at all.
func (a *AuditLog) RecordTx(ctx context.Context, ops store.Ops, e Entry) error {
	if e.At.IsZero() {
		e.At = a.now()
	}
	doc := store.Doc{
		"_id": store.NewID(), "at": query.FormatTime(e.At), "actor": e.Actor, "actorName": e.ActorName,
		"action": e.Action, "app": e.App, "target": e.Target, "ip": e.IP, "requestId": e.RequestID,
	}
	if len(e.Details) > 0 {
		// Callers pass structs and typed slices; stores take plain JSON
		// values, so the details go through one JSON round trip.
		d, err := plainJSON(e.Details)
		if err != nil {
			return err
		}
		doc["details"] = d
	}
	_, err := ops.Insert(ctx, CollAudit, doc)
	return err
}

// AuditFields are the entry paths an audit filter may name.
func AuditFields() query.Fields {
	str := func(p string) query.Field { return query.Field{Path: p, Kind: query.KindString} }
	return query.NewFields(
		query.Field{Path: "at", Kind: query.KindTime},
		str("actor"), str("actorName"), str("action"), str("app"), str("target"), str("ip"), str("requestId"),
	)
}

// AuditQuery selects a page of entries, newest first.
type AuditQuery struct {
	Filter *query.Node // parsed with query.ParseFilter against AuditFields; nil: all
	Limit  int         // default DefaultPageSize, at most MaxPageSize
	Cursor string      // Next of the previous page
}

// AuditPage is one page of entries and the cursor of the next ("" at the end).
type AuditPage struct {
	Entries []Entry `json:"entries"`
	Next    string  `json:"next,omitempty"`
}

// auditOrder is newest first. Ids from store.NewID sort by creation time,
// so the id alone is a total order that follows insertion.
var auditOrder = query.WithIDTieBreak([]query.SortKey{{Field: query.IDField, Desc: true}})

// Query returns a page of entries matching q, newest first.
func (a *AuditLog) Query(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	docs, next, err := findPage(ctx, a.st, CollAudit, q.Filter, auditOrder, q.Limit, q.Cursor)
	if err != nil {
		return nil, err
	}
	entries, err := decodeAll(docs, (*entryDoc).entry)
	if err != nil {
		return nil, err
	}
	return &AuditPage{Entries: entries, Next: next}, nil
}

// entryDoc is a stored entry: its id and time are stored apart.
type entryDoc struct {
	Entry
	ID string `json:"_id"`
	At string `json:"at"`
}

func (d *entryDoc) entry() Entry {
	e := d.Entry
	e.ID, e.At = d.ID, parseTime(d.At)
	return e
}

// plainJSON turns details into plain JSON values (maps, lists, strings,
// bools, json.Number). The shapes callers use most (strings, integers,
// string lists, nested maps of those) are converted directly; anything
// else goes through one JSON round trip.
func plainJSON(v any) (any, error) {
	if out, ok := plainValue(v); ok {
		return out, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	return out, dec.Decode(&out)
}

// plainValue converts the common detail shapes without encoding; ok is
// false for anything else.
func plainValue(v any) (any, bool) {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return x, true
	case int:
		return json.Number(strconv.Itoa(x)), true
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), true
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var ok bool
			if out[i], ok = plainValue(e); !ok {
				return nil, false
			}
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			pv, ok := plainValue(e)
			if !ok {
				return nil, false
			}
			out[k] = pv
		}
		return out, true
	}
	return nil, false
}
