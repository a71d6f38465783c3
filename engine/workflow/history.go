package workflow

import (
	"context"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Kinds of timeline entries.
const (
	KindTransition = "transition" // the state changed
	KindApprove    = "approve"
	KindReject     = "reject"
	KindReturn     = "return"
	KindDelegate   = "delegate"
	KindAddSigner  = "add_signer"
	KindWithdraw   = "withdraw"
	KindRemind     = "remind"   // the SLA reminded an assignee
	KindOverdue    = "overdue"  // a task passed its deadline
	KindEscalate   = "escalate" // an overdue task went to the assignee's manager
)

// MaxTimeline bounds the entries a view returns (the oldest first).
const MaxTimeline = 1000

// entry is one line of a record's workflow timeline.
type entry struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	At          string   `json:"at"`
	By          string   `json:"by"`
	ByName      string   `json:"byName,omitempty"`
	Flow        string   `json:"flow"`
	Version     int      `json:"version"`
	Trigger     string   `json:"trigger,omitempty"`
	From        string   `json:"from,omitempty"`
	To          string   `json:"to,omitempty"`
	State       string   `json:"state,omitempty"` // the approval state of a task action
	Task        string   `json:"task,omitempty"`
	Step        int      `json:"step,omitempty"` // 1-based approval step
	User        string   `json:"user,omitempty"` // delegate / add-signer / escalation target
	UserName    string   `json:"userName,omitempty"`
	Comment     string   `json:"comment,omitempty"`
	Attachments []string `json:"attachments,omitempty"`
}

// Entry is a timeline entry as the API shows it.
type Entry = entry

// history appends an entry to the record's timeline in the transaction.
func (f *fire) history(ctx context.Context, e entry) error {
	e.At, e.By, e.ByName, e.Flow, e.Version = query.FormatTime(f.at), f.actor.Actor(), actorName(f.actor), f.cf.key, f.cf.version
	doc, err := toDoc(e)
	if err != nil {
		return err
	}
	delete(doc, "id")
	doc["app"], doc["form"], doc["record"] = f.app, f.form, f.recordID
	_, err = f.tx.Insert(ctx, collHistory, doc)
	return err
}

var (
	fApp    = query.Field{Path: "app", Kind: query.KindString}
	fForm   = query.Field{Path: "form", Kind: query.KindString}
	fRecord = query.Field{Path: "record", Kind: query.KindString}
)

// recordFilter selects one record's documents of a collection.
func recordFilter(app, formKey, record string) *query.Node {
	return query.And(query.Eq(fApp, query.Str(app)), query.Eq(fForm, query.Str(formKey)), query.Eq(fRecord, query.Str(record)))
}

// timeline reads a record's entries, oldest first (ids are time-ordered).
func timeline(ctx context.Context, ops store.Ops, app, formKey, record string) ([]entry, error) {
	docs, err := ops.Find(ctx, collHistory, store.Query{Filter: recordFilter(app, formKey, record),
		Sort: []query.SortKey{{Field: query.IDField}}, Limit: MaxTimeline})
	if err != nil {
		return nil, err
	}
	out := make([]entry, 0, len(docs))
	for _, d := range docs {
		var e entry
		if err := fromDoc(d, &e); err != nil {
			return nil, err
		}
		e.ID, _ = d["_id"].(string)
		out = append(out, e)
	}
	return out, nil
}
