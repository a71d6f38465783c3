package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

var _ store.PairCounter = ops{}

// CountPairs (store.PairCounter) runs two pipelines over the same base
// (lookups, filter, then each document's set of text values of the list
// objects' key, by $setUnion so a value repeated over lines counts once):
// a $facet counting the baskets and the top pairs ($unwind the set twice,
// keep a < b, $group by pair, sort, limit), then the baskets of each value
// of those pairs. lungo runs no aggregation; storetest.RunReport (Pairs)
// runs this against a real MongoDB.
func (o ops) CountPairs(ctx context.Context, coll string, lookups []store.Lookup, filter *query.Node, spec store.PairSpec) (out *store.PairCounts, err error) {
	defer o.s.observe("aggregate", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return nil, err
	}
	if o.s.backend == BackendLungo {
		return nil, store.ErrUnsupported
	}
	base, err := pairBase(lookups, filter, spec)
	if err != nil {
		return nil, err
	}
	var raw []bson.D
	if err := o.aggregateAll(ctx, coll, pairsPipeline(base, spec.Limit), &raw); err != nil {
		return nil, err
	}
	out = &store.PairCounts{Items: map[string]int64{}}
	if len(raw) == 1 {
		out.Baskets, out.Pairs = readPairFacet(docFromBSON(raw[0]))
	}
	if len(out.Pairs) == 0 {
		return out, nil
	}
	var values []string
	for _, p := range out.Pairs {
		for _, v := range []string{p.A, p.B} {
			if _, ok := out.Items[v]; !ok {
				out.Items[v] = 0
				values = append(values, v)
			}
		}
	}
	raw = nil
	if err := o.aggregateAll(ctx, coll, itemsPipeline(base, values), &raw); err != nil {
		return nil, err
	}
	for _, d := range raw {
		doc := docFromBSON(d)
		v, _ := doc["_id"].(string)
		n, _ := query.ToInt(doc["n"])
		out.Items[v] = n
	}
	return out, nil
}

// pairBase is the lookups and filter, then one document per basket
// holding only v, the set of its values.
func pairBase(lookups []store.Lookup, filter *query.Node, spec store.PairSpec) (mdb.Pipeline, error) {
	if err := store.CheckPairSpec(spec); err != nil {
		return nil, err
	}
	pre, _, err := lookupStages(lookups, &query.Aggregate{Filter: filter})
	if err != nil {
		return nil, err
	}
	list := "$" + spec.List
	values := bson.D{{Key: "$filter", Value: bson.D{
		{Key: "input", Value: bson.D{{Key: "$map", Value: bson.D{
			{Key: "input", Value: bson.D{{Key: "$cond", Value: bson.A{bson.D{{Key: "$isArray", Value: list}}, list, bson.A{}}}}},
			{Key: "in", Value: "$$this." + spec.Field},
		}}}},
		{Key: "cond", Value: bson.D{{Key: "$eq", Value: bson.A{bson.D{{Key: "$type", Value: "$$this"}}, "string"}}}},
	}}}
	return append(pre, bson.D{{Key: "$project", Value: bson.D{
		{Key: "_id", Value: int32(0)},
		{Key: "v", Value: bson.D{{Key: "$setUnion", Value: bson.A{values}}}},
	}}}), nil
}

// pairsPipeline counts the baskets and the top pairs in one $facet.
func pairsPipeline(base mdb.Pipeline, limit int) mdb.Pipeline {
	pairs := bson.A{
		bson.D{{Key: "$project", Value: bson.D{{Key: "a", Value: "$v"}, {Key: "b", Value: "$v"}}}},
		bson.D{{Key: "$unwind", Value: "$a"}},
		bson.D{{Key: "$unwind", Value: "$b"}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "$expr", Value: bson.D{{Key: "$lt", Value: bson.A{"$a", "$b"}}}}}}},
		bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: bson.D{{Key: "a", Value: "$a"}, {Key: "b", Value: "$b"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: int32(1)}}},
		}}},
		bson.D{{Key: "$sort", Value: bson.D{{Key: "n", Value: int32(-1)}, {Key: "_id.a", Value: int32(1)}, {Key: "_id.b", Value: int32(1)}}}},
		bson.D{{Key: "$limit", Value: int64(limit)}},
	}
	return append(append(mdb.Pipeline{}, base...), bson.D{{Key: "$facet", Value: bson.D{
		{Key: "baskets", Value: bson.A{bson.D{{Key: "$count", Value: "n"}}}},
		{Key: "pairs", Value: pairs},
	}}})
}

// itemsPipeline counts the baskets holding each of values.
func itemsPipeline(base mdb.Pipeline, values []string) mdb.Pipeline {
	in := make(bson.A, len(values))
	for i, v := range values {
		in[i] = v
	}
	return append(append(mdb.Pipeline{}, base...),
		bson.D{{Key: "$unwind", Value: "$v"}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "v", Value: bson.D{{Key: "$in", Value: in}}}}}},
		bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$v"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: int32(1)}}}}}})
}

// readPairFacet reads the $facet's document.
func readPairFacet(doc store.Doc) (baskets int64, pairs []store.PairCount) {
	if bs, _ := doc["baskets"].([]any); len(bs) == 1 {
		if m, ok := bs[0].(map[string]any); ok {
			baskets, _ = query.ToInt(m["n"])
		}
	}
	ps, _ := doc["pairs"].([]any)
	for _, x := range ps {
		m, _ := x.(map[string]any)
		id, _ := m["_id"].(map[string]any)
		a, _ := id["a"].(string)
		b, _ := id["b"].(string)
		n, _ := query.ToInt(m["n"])
		pairs = append(pairs, store.PairCount{A: a, B: b, Count: n})
	}
	store.SortPairs(pairs)
	return baskets, pairs
}
