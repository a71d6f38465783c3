package form

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// OpTransition is the revision operation of a workflow state change.
const OpTransition = "transition"

// CodeStale is the code of the error a write conditional on a version the
// record no longer has returns (412).
const CodeStale = "record.stale"

// StateChange is one workflow transition of a record.
type StateChange struct {
	From    string         // the state left ("" when the flow starts)
	To      string         // the state entered
	Version int64          // the record's _version the caller read; the write is conditional on it
	At      time.Time      // when; zero: the records service's clock
	System  map[string]any // the flow's own system fields set with the state (e.g. _flowVersion)
	Trigger string         // the trigger fired, kept on the revision
}

// SetState writes a record's workflow state (_state) as the records
// service writes any change: conditional on the version the caller read,
// which it bumps with _updatedAt and _updatedBy, and with a revision in
// the record's history (op "transition", old and new _state) in the same
// transaction, so History shows transitions among the record's edits.
//
// _state is a system field that no create or patch may set: only the
// workflow engine moves it, after deciding that the transition is
// allowed (its own role lists and guards), so no record write right is
// checked here; p is who the change is recorded for. A version that moved
// is CodeStale (the workflow re-reads and retries). It returns the system
// fields it set, for the caller's copy of the record.
func (t *TxRecords) SetState(ctx context.Context, p *auth.Principal, app, form, id string, ch StateChange) (map[string]any, error) {
	f, err := t.r.Form(ctx, app, form)
	if err != nil {
		return nil, err
	}
	if ch.To == "" {
		return nil, errs.New(errs.Internal, "record.state_empty", "a workflow state change needs a state to enter")
	}
	for k := range ch.System {
		switch k {
		case SysID, SysVersion, SysCreatedAt, SysUpdatedAt, SysCreatedBy, SysUpdatedBy, SysState, SysDeleted:
		default:
			if len(k) > 1 && k[0] == '_' {
				continue
			}
		}
		// Record fields change through Patch, with validation; the records
		// service's own system fields only through itself.
		return nil, errs.New(errs.Internal, "record.state_field", "a state change cannot set %s", k)
	}
	at := t.r.stamp()
	if !ch.At.IsZero() {
		at = query.FormatTime(ch.At)
	}
	set := map[string]any{SysState: ch.To, SysVersion: ch.Version + 1, SysUpdatedAt: at, SysUpdatedBy: p.Actor()}
	for k, v := range ch.System {
		set[k] = v
	}
	_, err = t.r.tx.Update(ctx, f.Coll, id, store.Patch{Set: set}, versionIs(ch.Version))
	if errs.HasCode(err, store.ErrConditionFailed.Code) {
		return nil, errStale(LangOf(ctx), ch.Version)
	}
	if err != nil {
		return nil, err
	}
	rv := Revision{Rev: ch.Version + 1, Op: OpTransition, At: at, Fields: []string{SysState},
		Old: map[string]any{}, New: map[string]any{SysState: ch.To}}
	if ch.From != "" {
		rv.Old[SysState] = ch.From
	}
	doc := revisionDoc(p, id, rv)
	if ch.Trigger != "" {
		doc["trigger"] = ch.Trigger
	}
	if _, err := t.r.tx.Insert(ctx, f.HistColl, doc); err != nil {
		return nil, err
	}
	return set, nil
}
