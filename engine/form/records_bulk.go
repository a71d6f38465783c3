package form

import (
	"context"
	"fmt"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// MaxBulk bounds the items of one Bulk call.
const MaxBulk = 1000

// Bulk operations.
const (
	BulkCreate = "create"
	BulkUpdate = "update"
	BulkDelete = "delete"
)

// bulkRights is the right each operation needs.
var bulkRights = map[string]access.Right{BulkCreate: access.Create, BulkUpdate: access.Update, BulkDelete: access.Delete}

// BulkOp is one item of a Bulk call: create Data, update record ID with
// the merge patch Data, or delete record ID; IfMatch as for Patch.
type BulkOp struct {
	Op      string         `json:"op"`
	ID      string         `json:"id,omitempty"`
	Data    map[string]any `json:"data,omitempty"`
	IfMatch int64          `json:"ifMatch,omitempty"`
}

// BulkResult is the outcome of one item: the record written (as the
// caller may see it) or the error, exactly as the single call would give.
type BulkResult struct {
	Index  int
	Op     string
	ID     string
	Record store.Doc // nil for a delete and on error
	Err    error
}

// Bulk runs up to MaxBulk creates, updates and deletes, each in its own
// transaction with the same checks as the single calls, so one bad item
// fails alone. The rights are decided once per kind of operation. With
// o.IdempotencyKey, item i of a create is idempotent under key "<key>#<i>",
// so a retried bulk request creates nothing twice.
func (r *Records) Bulk(ctx context.Context, p *auth.Principal, app, form string, ops []BulkOp, o WriteOptions) ([]BulkResult, error) {
	lang := langFor(ctx, o)
	if len(ops) > MaxBulk {
		return nil, coded(lang, errs.TooLarge, "record.bulk_too_large", MaxBulk)
	}
	if len(ops) == 0 {
		if p == nil {
			return nil, access.ErrUnauthenticated
		}
		return []BulkResult{}, nil
	}
	// Rights first, per kind of operation: a caller holding none of them
	// is refused as a whole, before learning whether the form exists.
	decisions := map[access.Right]*access.Decision{}
	denied := map[access.Right]error{}
	var firstDenial error
	for _, op := range ops {
		right, ok := bulkRights[op.Op]
		if !ok || decisions[right] != nil || denied[right] != nil {
			continue
		}
		d, err := r.decide(ctx, p, app, form, right)
		if err != nil {
			if errs.ClassOf(err) != errs.Forbidden {
				return nil, err
			}
			denied[right] = err
			if firstDenial == nil {
				firstDenial = err
			}
			continue
		}
		decisions[right] = d
	}
	if len(decisions) == 0 && firstDenial != nil {
		return nil, firstDenial
	}
	f, err := r.Form(ctx, app, form)
	if err != nil {
		return nil, err
	}
	decision := func(right access.Right) (*access.Decision, error) {
		if d, ok := decisions[right]; ok {
			return d, nil
		}
		return nil, denied[right]
	}
	out := make([]BulkResult, len(ops))
	for i, op := range ops {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := BulkResult{Index: i, Op: op.Op, ID: op.ID}
		switch op.Op {
		case BulkCreate:
			var d *access.Decision
			if d, res.Err = decision(access.Create); res.Err == nil {
				io := o
				if o.IdempotencyKey != "" {
					io.IdempotencyKey = fmt.Sprintf("%s#%d", o.IdempotencyKey, i)
				}
				res.Record, res.Err = r.create(ctx, p, f, d, nonNilInput(op.Data), io)
			}
		case BulkUpdate, BulkDelete:
			if op.ID == "" {
				res.Err = &errs.Error{Class: errs.Invalid, Code: "record.bulk_id", Msg: recordMsg(lang, "record.bulk_id"),
					Fields: []errs.FieldError{fieldErr(lang, "id", "record.bulk_id")}}
				break
			}
			if op.Op == BulkUpdate {
				var d *access.Decision
				if d, res.Err = decision(access.Update); res.Err == nil {
					res.Record, res.Err = r.patch(ctx, p, f, d, op.ID, nonNilInput(op.Data), op.IfMatch, o, patchMode{op: OpUpdate})
				}
				break
			}
			var d *access.Decision
			if d, res.Err = decision(access.Delete); res.Err == nil {
				_, res.Err = r.setDeleted(ctx, p, f, d, op.ID, op.IfMatch, true, o)
			}
		default:
			res.Err = &errs.Error{Class: errs.Invalid, Code: "record.bulk_op", Msg: recordMsg(lang, "record.bulk_op", op.Op),
				Fields: []errs.FieldError{fieldErr(lang, "op", "record.bulk_op", op.Op)}}
		}
		if res.Record != nil {
			if id, ok := res.Record[SysID].(string); ok {
				res.ID = id
			}
		}
		out[i] = res
	}
	return out, nil
}

func nonNilInput(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
