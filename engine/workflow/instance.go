package workflow

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Instance statuses.
const (
	instActive = "active"
	instDone   = "done" // reached a final state
)

// instance is a record's run through a flow: the version it runs under,
// its state, and the approval in progress. The record's _state repeats the
// state for lists and filters; both are written in the same transaction.
type instance struct {
	ID        string       `json:"_id"`
	App       string       `json:"app"`
	Form      string       `json:"form"`
	Record    string       `json:"record"`
	Flow      string       `json:"flow"`
	Version   int          `json:"version"`
	State     string       `json:"state"`
	Status    string       `json:"status"`
	Rev       int64        `json:"rev"` // bumped by every change: the instance's optimistic lock
	Rounds    int64        `json:"rounds"`
	StartedAt string       `json:"startedAt"`
	StartedBy string       `json:"startedBy"`
	Approval  *approvalRun `json:"approval,omitempty"`

	stored bool // read from the store (else inserted on commit)
}

// approvalRun is the approval open in an approval state: one round per
// entry into the state, tasks step by step.
type approvalRun struct {
	State         string     `json:"state"`
	Round         int64      `json:"round"`
	Mode          string     `json:"mode"`
	Steps         [][]string `json:"steps"` // user ids per step; any/all modes have one step
	Step          int        `json:"step"`  // current step, from 0
	Submitter     string     `json:"submitter"`
	SubmitterName string     `json:"submitterName"`
	From          string     `json:"from"` // the state the record came from
	OpenedAt      string     `json:"openedAt"`
}

func instanceID(app, formKey, record string) string { return app + "/" + formKey + "/" + record }

// loadInstance reads a record's instance; nil when it never started.
func loadInstance(ctx context.Context, ops store.Ops, app, formKey, record string) (*instance, error) {
	doc, err := ops.Get(ctx, collInstances, instanceID(app, formKey, record))
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var in instance
	if err := fromDoc(doc, &in); err != nil {
		return nil, err
	}
	in.stored = true
	return &in, nil
}

// save writes the instance: inserted when new, else on condition that
// nobody changed it since it was read (losing that race retries the
// whole transaction, see Service.inTx).
func (in *instance) save(ctx context.Context, tx store.Ops) error {
	doc, err := toDoc(in)
	if err != nil {
		return err
	}
	if !in.stored {
		doc["rev"] = 1
		_, err := tx.Insert(ctx, collInstances, doc)
		if errs.HasCode(err, store.ErrDuplicate.Code) {
			return errRetry
		}
		return err
	}
	delete(doc, "_id")
	doc["rev"] = in.Rev + 1
	patch := store.Patch{Set: doc}
	if in.Approval == nil {
		delete(doc, "approval")
		patch.Unset = []string{"approval"}
	}
	_, err = tx.Update(ctx, collInstances, in.ID, patch, query.Eq(fRev, query.Int(in.Rev)))
	if errs.HasCode(err, store.ErrConditionFailed.Code) || errs.HasCode(err, store.ErrNotFound.Code) {
		return errRetry
	}
	return err
}

var fRev = query.Field{Path: "rev", Kind: query.KindInt}

// writeState moves the record to state to through the records service
// (form.TxRecords.SetState), which bumps its version on condition that it
// is the one read and appends a "transition" revision to its history, so
// the records API shows the transition among the record's changes. A
// concurrent patch makes the version stale: the whole firing retries on
// the new one.
func (f *fire) writeState(ctx context.Context, from, to string) error {
	if f.recs == nil {
		return errs.New(errs.Internal, "workflow.read_only", "a workflow view cannot change state")
	}
	cur, _ := query.ToInt(f.rec[form.SysVersion])
	set, err := f.recs.SetState(ctx, f.actor, f.app, f.form, f.recordID, form.StateChange{
		From: from, To: to, Version: cur, At: f.at, Trigger: f.triggerName(),
		System: map[string]any{sysFlowVersion: f.cf.version},
	})
	if errs.HasCode(err, form.CodeStale) {
		return errRetry
	}
	if err != nil {
		return err
	}
	for k, v := range set {
		f.rec[k] = v
	}
	return nil
}

// sysFlowVersion is the record field naming the flow version it runs
// under (beside form.SysState).
const sysFlowVersion = "_flowVersion"

// fromDoc decodes a stored document into v through JSON.
func fromDoc(doc store.Doc, v any) error {
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// toDoc encodes v as a store document.
func toDoc(v any) (store.Doc, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var doc store.Doc
	return doc, d.Decode(&doc)
}
