package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var _ store.Quantiler = ops{}

// Quantiles (store.Quantiler) counts the non-null values, then reads the
// value at each rank ceil(k*N/n) with $sort, $skip and $limit: n pipelines,
// each served by an index on the field when one exists. MongoDB 7's
// $percentile would be one pass but approximate, and the thresholds must
// be the same values SQLite finds.
func (o ops) Quantiles(ctx context.Context, coll string, lookups []store.Lookup, filter *query.Node, asks []store.QuantileAsk) (out [][]any, err error) {
	defer o.s.observe("aggregate", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return nil, err
	}
	if o.s.backend == BackendLungo {
		return nil, store.ErrUnsupported
	}
	if len(asks) == 0 || len(asks) > 8 {
		return nil, store.Wrapf(store.ErrInvalid, nil, "ask for the quantiles of 1 to 8 fields")
	}
	for _, q := range asks {
		if q.N < 2 || q.N > store.MaxQuantiles {
			return nil, store.Wrapf(store.ErrInvalid, nil, "quantiles take n from 2 to %d", store.MaxQuantiles)
		}
		ts, err := o.quantiles(ctx, coll, lookups, filter, q.Field, q.N)
		if err != nil {
			return nil, err
		}
		out = append(out, ts)
	}
	return out, nil
}

// quantiles finds one field's thresholds.
func (o ops) quantiles(ctx context.Context, coll string, lookups []store.Lookup, filter *query.Node, field query.Field, n int) (out []any, err error) {
	pipes, err := quantilePipelines(lookups, filter, field)
	if err != nil {
		return nil, err
	}
	var counted []bson.D
	if err := o.aggregateAll(ctx, coll, pipes[0], &counted); err != nil || len(counted) == 0 {
		return nil, err
	}
	total, _ := query.ToInt(docFromBSON(counted[0])["n"])
	for k := 1; k < n; k++ {
		r := (int64(k)*total + int64(n) - 1) / int64(n)
		pipe := append(append(mdb.Pipeline{}, pipes[1]...), bson.D{{Key: "$skip", Value: r - 1}}, bson.D{{Key: "$limit", Value: int64(1)}})
		var one []bson.D
		if err := o.aggregateAll(ctx, coll, pipe, &one); err != nil {
			return nil, err
		}
		if len(one) == 1 {
			out = append(out, docFromBSON(one[0])["v"])
		}
	}
	return out, nil
}

// quantilePipelines returns the counting pipeline and the sorted one
// (without $skip/$limit) over the non-null values of field.
func quantilePipelines(lookups []store.Lookup, filter *query.Node, field query.Field) ([2]mdb.Pipeline, error) {
	if field.Array {
		return [2]mdb.Pipeline{}, store.Wrapf(store.ErrInvalid, nil, "cannot take quantiles of the list field %q", field.Path)
	}
	present := query.Cmp(field, query.OpExists, query.Bool(true))
	spec := &query.Aggregate{Filter: query.And(filter, present), Group: []query.GroupKey{{Field: field, As: "v"}}}
	pre, spec, err := lookupStages(lookups, spec)
	if err != nil {
		return [2]mdb.Pipeline{}, err
	}
	path := "$" + spec.Group[0].Field.Path
	count := append(append(mdb.Pipeline{}, pre...), bson.D{{Key: "$count", Value: "n"}})
	sorted := append(append(mdb.Pipeline{}, pre...),
		bson.D{{Key: "$project", Value: bson.D{{Key: "_id", Value: int32(0)}, {Key: "v", Value: path}}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "v", Value: int32(1)}}}})
	return [2]mdb.Pipeline{count, sorted}, nil
}

// aggregateAll runs a pipeline and decodes every result.
func (o ops) aggregateAll(ctx context.Context, coll string, pipe mdb.Pipeline, into *[]bson.D) error {
	err := o.run(ctx, func(ctx context.Context) error {
		cur, err := o.coll(coll).Aggregate(ctx, pipe, options.Aggregate().SetAllowDiskUse(true))
		if err != nil {
			return err
		}
		return cur.All(ctx, into)
	})
	if err != nil {
		return mapErr("aggregate", err)
	}
	return nil
}
