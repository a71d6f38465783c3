package form

import (
	"context"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Records inside a caller's transaction. An action runs its whole script
// in one store transaction, and the records it reads and writes must be
// part of it: a record created, a ledger posted and an idempotency
// response stored commit together or not at all. TxRecords is the records
// service bound to such a transaction. Its operations make the same access
// decisions and run the same validation, formulas, auto-numbers, unique
// claims, relation checks, rollups, history and audit as Records', through
// the caller's store.Ops; they read through it too, so they see the
// transaction's earlier writes (a record created a moment ago can be read,
// updated or pointed at).
//
// What Records does outside its transaction is moved inside:
//   - the optimistic read-merge-validate of a patch before the transaction
//     happens on the transaction itself (the caller already holds the
//     writer, so there is nothing to save by doing it earlier);
//   - auto-number counters for a new period are created by the increment
//     inside the transaction instead of beforehand;
//   - an idempotent create looks its key up in the transaction only;
//   - indexes of a form version first seen inside the transaction are
//     created later (Records.EnsurePendingIndexes): creating them is a
//     write of its own that would wait for the caller's transaction.
//
// Each form and each access decision is looked up once per TxRecords:
// the lookups read the definitions' heads, and the caller holds the
// store's writer meanwhile; one version of each for the whole transaction
// is also the consistent answer.
//
// The caller owns the transaction. An operation may fail after it wrote
// part of its work through ops (a counter taken, a claim inserted), and
// the transaction has no savepoint to undo that part alone: after such a
// failure the caller must end its transaction with an error, which rolls
// everything back, and must not commit it. (Most failures — validation,
// rights, a stale version — come before any write; engine/action counts
// the writes through ops to tell the two apart.) Dry runs need a
// transaction of their own and are refused.
type TxRecords struct {
	r *Records
}

// In returns the records service bound to ops, the operations of a store
// transaction the caller runs (the tx of store.Store.Tx). Use it only
// inside that transaction's function, and make a new one each time the
// function runs.
func (r *Records) In(ops store.Ops) *TxRecords {
	c := *r.unbound()
	c.tx = ops
	c.memo = &txMemo{forms: map[string]*Form{}, decisions: map[decisionKey]*access.Decision{}}
	return &TxRecords{r: &c}
}

// errDryRunInTx refuses a dry run inside a caller's transaction: its
// rollback would take the caller's earlier writes with it.
var errDryRunInTx = errs.New(errs.Internal, "record.dry_run_in_tx", "a dry run cannot share a caller's transaction")

// Form returns the compiled published form, as Records.Form, except that
// the indexes of a form version first seen here wait for
// Records.EnsurePendingIndexes.
func (t *TxRecords) Form(ctx context.Context, app, key string) (*Form, error) {
	return t.r.Form(ctx, app, key)
}

// Get returns one live record as the caller may see it, as Records.Get.
func (t *TxRecords) Get(ctx context.Context, p *auth.Principal, app, form, id string) (store.Doc, error) {
	return t.r.Get(ctx, p, app, form, id)
}

// List returns a page of the records the caller may read, as Records.List.
func (t *TxRecords) List(ctx context.Context, p *auth.Principal, app, form string, q ListQuery) (Page, error) {
	return t.r.List(ctx, p, app, form, q)
}

// Create stores a new record, as Records.Create. With o.IdempotencyKey, a
// key already used in a committed transaction (or earlier in this one)
// returns the stored first result.
func (t *TxRecords) Create(ctx context.Context, p *auth.Principal, app, form string, input map[string]any, o WriteOptions) (store.Doc, error) {
	if o.DryRun {
		return nil, errDryRunInTx
	}
	return t.r.Create(ctx, p, app, form, input, o)
}

// Patch changes a record, as Records.Patch: ifMatch > 0 makes the change
// conditional on the record's version (412 record.stale otherwise).
func (t *TxRecords) Patch(ctx context.Context, p *auth.Principal, app, form, id string, patch map[string]any, ifMatch int64, o WriteOptions) (store.Doc, error) {
	if o.DryRun {
		return nil, errDryRunInTx
	}
	return t.r.Patch(ctx, p, app, form, id, patch, ifMatch, o)
}

// Delete soft-deletes a record, as Records.Delete.
func (t *TxRecords) Delete(ctx context.Context, p *auth.Principal, app, form, id string, ifMatch int64, o WriteOptions) error {
	if o.DryRun {
		return errDryRunInTx
	}
	return t.r.Delete(ctx, p, app, form, id, ifMatch, o)
}
