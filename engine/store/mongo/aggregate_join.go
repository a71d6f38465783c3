package mongo

import (
	"strconv"

	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Lookups (store.JoinAggregator) compile to one $lookup and one $unwind
// each, between the base filter and $group:
//
//	{$lookup: {from: "stores", localField: "store", foreignField: "_id",
//	           pipeline: [{$match: scope}], as: "__j0"}}
//	{$unwind: {path: "$__j0", preserveNullAndEmptyArrays: true}}
//
// The joined document lands under an internal name, never under the
// lookup's alias: with the alias "store", $lookup would overwrite the
// reference "store" itself, and a row whose store failed the scope would
// lose its store id. Paths of the spec are renamed accordingly
// ("store.region" -> "__j0.region") on a copy. The concise localField /
// pipeline form needs MongoDB 5.0; the equality on _id uses its index.
//
// The filter's conjuncts that read only base fields run as a $match before
// the lookups (using the collection's indexes and joining fewer rows); the
// rest after them.

// joinedPrefix starts the internal names of joined documents; field keys
// of records start with a letter and system keys with one underscore.
const joinedPrefix = "__j"

// lookupStages returns the stages ahead of $group and the spec with its
// paths renamed to the joined documents' internal names.
func lookupStages(lookups []store.Lookup, spec *query.Aggregate) (mdb.Pipeline, *query.Aggregate, error) {
	if err := store.CheckLookups(lookups); err != nil {
		return nil, nil, err
	}
	aliases := map[string]bool{}
	names := map[string]string{}
	rename := func(p string) string {
		if a, rest := store.SplitJoined(p, aliases); a != "" {
			return names[a] + "." + rest
		}
		return p
	}
	var joins mdb.Pipeline
	for i, l := range lookups {
		stage := bson.D{
			{Key: "from", Value: l.Coll},
			{Key: "localField", Value: rename(l.From)},
			{Key: "foreignField", Value: "_id"},
		}
		if l.Filter != nil {
			f, err := compileFilter(l.Filter)
			if err != nil {
				return nil, nil, err
			}
			stage = append(stage, bson.E{Key: "pipeline", Value: bson.A{bson.D{{Key: "$match", Value: f}}}})
		}
		name := joinedPrefix + strconv.Itoa(i)
		stage = append(stage, bson.E{Key: "as", Value: name})
		joins = append(joins,
			bson.D{{Key: "$lookup", Value: stage}},
			bson.D{{Key: "$unwind", Value: bson.D{{Key: "path", Value: "$" + name}, {Key: "preserveNullAndEmptyArrays", Value: true}}}})
		aliases[l.As] = true
		names[l.As] = name
	}
	out := query.RenameAggregate(spec, rename)
	before, after := splitBase(out.Filter, len(lookups) > 0)
	var pipe mdb.Pipeline
	match := func(n *query.Node) error {
		if n == nil {
			return nil
		}
		f, err := compileFilter(n)
		if err == nil {
			pipe = append(pipe, bson.D{{Key: "$match", Value: f}})
		}
		return err
	}
	if err := match(before); err != nil {
		return nil, nil, err
	}
	pipe = append(pipe, joins...)
	if err := match(after); err != nil {
		return nil, nil, err
	}
	return pipe, out, nil
}

// splitBase splits a filter into the conjuncts that read only base paths
// and the rest (nil for none). Without lookups everything is "before".
func splitBase(n *query.Node, joined bool) (before, after *query.Node) {
	if n == nil {
		return nil, nil
	}
	if !joined {
		return n, nil
	}
	parts := []*query.Node{n}
	if n.Op == query.OpAnd {
		parts = n.Children
	}
	var b, a []*query.Node
	for _, p := range parts {
		if readsJoined(p) {
			a = append(a, p)
		} else {
			b = append(b, p)
		}
	}
	if len(b) > 0 {
		before = query.And(b...)
	}
	if len(a) > 0 {
		after = query.And(a...)
	}
	return before, after
}

func readsJoined(n *query.Node) bool {
	found := false
	query.Walk(n, func(x *query.Node) {
		if len(x.Field.Path) > len(joinedPrefix) && x.Field.Path[:len(joinedPrefix)] == joinedPrefix {
			found = true
		}
	})
	return found
}

// binsExpr is the bin index of a value (query.GroupKey.Bins): null for
// null, then the first bound the value is below, else len(Bins).
func binsExpr(g query.GroupKey) (bson.D, error) {
	switch g.Field.Kind {
	case query.KindInt, query.KindDecimal, query.KindDate, query.KindTime:
	default:
		return nil, store.Wrapf(store.ErrInvalid, nil, "bins apply to number, date and time fields, not %q", g.Field.Path)
	}
	v := fieldValue(g.Field.Path)
	branches := bson.A{bson.D{{Key: "case", Value: bson.D{{Key: "$eq", Value: bson.A{v, nil}}}}, {Key: "then", Value: nil}}}
	for i, b := range g.Bins {
		if b.Null {
			return nil, store.Wrapf(store.ErrInvalid, nil, "a bin bound cannot be null")
		}
		bv, err := filterValue(b)
		if err != nil {
			return nil, err
		}
		branches = append(branches, bson.D{
			{Key: "case", Value: bson.D{{Key: "$lt", Value: bson.A{v, bv}}}},
			{Key: "then", Value: int64(i)},
		})
	}
	return bson.D{{Key: "$switch", Value: bson.D{{Key: "branches", Value: branches}, {Key: "default", Value: int64(len(g.Bins))}}}}, nil
}
