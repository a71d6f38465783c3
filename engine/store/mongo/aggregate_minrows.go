package mongo

import (
	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Distinct counts over values having several rows (query.Measure.MinRows:
// members with two or more orders) are a $group twice, in a $unionWith
// branch that repeats the stages ahead of the main $group:
//
//	{$unionWith: {coll: "sales", pipeline: [<filter, lookups>,
//	    {$match: <measure filter>},
//	    {$group: {_id: {k0: <month>, v: "$member"}, c: {$sum: 1}}},
//	    {$match: {"_id.v": {$ne: null}, c: {$gte: 2}}},
//	    {$group: {_id: {k0: "$_id.k0"}, m1: {$sum: 1}}}]}}
//
// after which one more $group merges each group's documents (the main
// one and one per branch; their fields differ but _id) by _id. Every
// branch group is a main group (its rows are a subset), so none appears
// on its own; a group without such values reads 0.

// minRowsUnion returns the $unionWith stage of m, whose count lands in
// name, and the $project expression that reads it back. prefix is the
// stages ahead of the main $group, id its group key (nil: one group).
func minRowsUnion(coll string, prefix mdb.Pipeline, id any, m query.Measure, name string) (bson.D, any, error) {
	if m.Fn != query.FnCountDistinct || m.MinRows < 1 {
		return nil, nil, store.Wrapf(store.ErrInvalid, nil, "minRows applies to countDistinct measures and is at least 1 (%q)", m.As)
	}
	p := m.Field.Path
	if !query.ValidPath(p) || m.Field.Array {
		return nil, nil, store.Wrapf(store.ErrInvalid, nil, "invalid measure path %q", p)
	}
	sub := append(mdb.Pipeline{}, prefix...)
	if m.Filter != nil {
		f, err := compileFilter(m.Filter)
		if err != nil {
			return nil, nil, err
		}
		sub = append(sub, bson.D{{Key: "$match", Value: f}})
	}
	inner := bson.D{}
	var outer any // the keys again, read from the inner group's _id
	if keys, ok := id.(bson.D); ok {
		inner = append(inner, keys...)
		back := bson.D{}
		for _, k := range keys {
			back = append(back, bson.E{Key: k.Key, Value: "$_id." + k.Key})
		}
		outer = back
	}
	inner = append(inner, bson.E{Key: "v", Value: bson.D{{Key: "$ifNull", Value: bson.A{"$" + p, nil}}}})
	sub = append(sub,
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: inner}, {Key: "c", Value: bson.D{{Key: "$sum", Value: int32(1)}}}}}},
		bson.D{{Key: "$match", Value: bson.D{
			{Key: "_id.v", Value: bson.D{{Key: "$ne", Value: nil}}},
			{Key: "c", Value: bson.D{{Key: "$gte", Value: int64(m.MinRows)}}},
		}}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: outer}, {Key: name, Value: bson.D{{Key: "$sum", Value: int32(1)}}}}}},
	)
	union := bson.D{{Key: "$unionWith", Value: bson.D{{Key: "coll", Value: coll}, {Key: "pipeline", Value: sub}}}}
	out := bson.D{{Key: "$ifNull", Value: bson.A{"$" + name, int32(0)}}}
	return union, out, nil
}

// mergeUnions returns the union stages followed by the merge of each
// group's documents, or nothing without unions.
func mergeUnions(unions mdb.Pipeline) mdb.Pipeline {
	if len(unions) == 0 {
		return nil
	}
	return append(unions,
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$_id"}, {Key: "d", Value: bson.D{{Key: "$mergeObjects", Value: "$$ROOT"}}}}}},
		bson.D{{Key: "$replaceWith", Value: "$d"}},
	)
}
