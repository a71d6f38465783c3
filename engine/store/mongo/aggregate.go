package mongo

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Aggregate runs a group-by in MongoDB as one pipeline:
//
//	$match (filter) -> $group (keys, measures) -> $project (flat aliases)
//	-> $match (having) -> $sort (sort, then group keys) -> $limit
//
// lungo has no aggregation (its Collection.Aggregate panics), so there the
// call is refused with store.ErrUnsupported before touching lungo.
func (o ops) Aggregate(ctx context.Context, coll string, spec *query.Aggregate) (rows []store.Doc, err error) {
	return o.AggregateJoin(ctx, coll, nil, spec)
}

var _ store.JoinAggregator = ops{}

// AggregateJoin is Aggregate with lookups: each becomes a $lookup and an
// $unwind ahead of $group (see aggregate_join.go).
func (o ops) AggregateJoin(ctx context.Context, coll string, lookups []store.Lookup, spec *query.Aggregate) (rows []store.Doc, err error) {
	defer o.s.observe("aggregate", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return nil, err
	}
	if o.s.backend == BackendLungo {
		return nil, store.ErrUnsupported
	}
	pipeline, err := joinPipeline(coll, lookups, spec)
	if err != nil {
		return nil, err
	}
	var raw []bson.D
	if err := o.aggregateAll(ctx, coll, pipeline, &raw); err != nil {
		return nil, err
	}
	rows = make([]store.Doc, len(raw))
	for i, d := range raw {
		rows[i] = docFromBSON(d)
	}
	return rows, nil
}

// aliasRe mirrors the parser's rule for output names; checked again here
// because engine code may build specs directly and an alias becomes a
// field name in $group and $project.
var aliasRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// aggregatePipeline compiles a spec without lookups over coll.
func aggregatePipeline(coll string, spec *query.Aggregate) (mdb.Pipeline, error) {
	return joinPipeline(coll, nil, spec)
}

// joinPipeline compiles spec over the lookups. Inside $group the keys live
// under _id.k0, _id.k1... and measures under m0, m1..., so no alias can
// collide with _id or with an operator; $project then renames them to the
// aliases. Distinct counts with MinRows are $unionWith branches over coll
// (aggregate_minrows.go).
func joinPipeline(coll string, lookups []store.Lookup, spec *query.Aggregate) (mdb.Pipeline, error) {
	if spec == nil || len(spec.Measures) == 0 {
		return nil, store.Wrapf(store.ErrInvalid, nil, "an aggregation needs at least one measure")
	}
	loc := spec.Location
	if loc == nil {
		loc = query.DefaultLocation
	}
	tz := loc.String()
	if tz == "Local" || tz == "" {
		// MongoDB needs a zone name or offset; the process's local zone has
		// neither in portable form.
		return nil, store.Wrapf(store.ErrInvalid, nil, "the aggregation time zone must be a named zone")
	}
	seen := map[string]bool{}
	alias := func(as string) error {
		if !aliasRe.MatchString(as) || seen[as] {
			return store.Wrapf(store.ErrInvalid, nil, "invalid or repeated output name %q", as)
		}
		seen[as] = true
		return nil
	}

	pipe, spec, err := lookupStages(lookups, spec)
	if err != nil {
		return nil, err
	}

	var id any // null: one group over all matching documents
	var project bson.D
	var groupAliases []string
	hasIDAlias := false
	if len(spec.Group) > 0 {
		keys := bson.D{}
		for i, g := range spec.Group {
			if err := alias(g.As); err != nil {
				return nil, err
			}
			expr, err := groupKeyExpr(g, tz)
			if err != nil {
				return nil, err
			}
			k := fmt.Sprintf("k%d", i)
			keys = append(keys, bson.E{Key: k, Value: expr})
			project = append(project, bson.E{Key: g.As, Value: "$_id." + k})
			groupAliases = append(groupAliases, g.As)
			hasIDAlias = hasIDAlias || g.As == "_id"
		}
		id = keys
	}
	group := bson.D{{Key: "_id", Value: id}}
	prefix := slices.Clone(pipe)
	var unions mdb.Pipeline
	for i, m := range spec.Measures {
		if err := alias(m.As); err != nil {
			return nil, err
		}
		if m.MinRows != 0 {
			u, out, err := minRowsUnion(coll, prefix, id, m, fmt.Sprintf("m%d", i))
			if err != nil {
				return nil, err
			}
			unions = append(unions, u)
			project = append(project, bson.E{Key: m.As, Value: out})
			hasIDAlias = hasIDAlias || m.As == "_id"
			continue
		}
		acc, out, err := measureExprs(m, fmt.Sprintf("m%d", i))
		if err != nil {
			return nil, err
		}
		group = append(group, bson.E{Key: fmt.Sprintf("m%d", i), Value: acc})
		project = append(project, bson.E{Key: m.As, Value: out})
		hasIDAlias = hasIDAlias || m.As == "_id"
	}
	pipe = append(pipe, bson.D{{Key: "$group", Value: group}})
	pipe = append(pipe, mergeUnions(unions)...)
	if !hasIDAlias {
		project = append(bson.D{{Key: "_id", Value: int32(0)}}, project...)
	}
	pipe = append(pipe, bson.D{{Key: "$project", Value: project}})

	if spec.Having != nil {
		h, err := compileFilter(spec.Having)
		if err != nil {
			return nil, err
		}
		pipe = append(pipe, bson.D{{Key: "$match", Value: h}})
	}

	// Sort by the requested keys, then by the group keys ascending: rows
	// are unique per group key, so the order is total and stable.
	sort := bson.D{}
	used := map[string]bool{}
	for _, k := range spec.Sort {
		p := k.Field.Path
		if !seen[p] {
			return nil, store.Wrapf(store.ErrInvalid, nil, "sort names %q, which is not an output", p)
		}
		if used[p] {
			continue
		}
		used[p] = true
		dir := int32(1)
		if k.Desc {
			dir = -1
		}
		sort = append(sort, bson.E{Key: p, Value: dir})
	}
	for _, a := range groupAliases {
		if !used[a] {
			used[a] = true
			sort = append(sort, bson.E{Key: a, Value: int32(1)})
		}
	}
	if len(sort) > 0 {
		pipe = append(pipe, bson.D{{Key: "$sort", Value: sort}})
	}
	if spec.Limit < 0 {
		return nil, store.Wrapf(store.ErrInvalid, nil, "limit must not be negative")
	}
	if spec.Limit > 0 {
		pipe = append(pipe, bson.D{{Key: "$limit", Value: int64(spec.Limit)}})
	}
	return pipe, nil
}

// groupKeyExpr is the value a document is grouped by. $ifNull turns a
// missing field into null: $group would otherwise put {k0: missing} and
// {k0: null} in two different groups, and the port treats them as one.
func groupKeyExpr(g query.GroupKey, tz string) (any, error) {
	p := g.Field.Path
	if !query.ValidPath(p) {
		return nil, store.Wrapf(store.ErrInvalid, nil, "invalid group path %q", p)
	}
	if len(g.Bins) > 0 {
		if g.Bucket != query.BucketNone {
			return nil, store.Wrapf(store.ErrInvalid, nil, "group key %q has both bins and a bucket", g.As)
		}
		return binsExpr(g)
	}
	if g.Bucket == query.BucketNone {
		return bson.D{{Key: "$ifNull", Value: bson.A{"$" + p, nil}}}, nil
	}
	if query.ValidBucket(g.Bucket) && !query.BucketFits(g.Bucket, g.Field.Kind) {
		return nil, store.Wrapf(store.ErrInvalid, nil, "the %s bucket does not apply to %q (%s)", g.Bucket, p, g.Field.Kind)
	}
	date, zone, err := parseDateExpr(g.Field, tz)
	if err != nil {
		return nil, err
	}
	b, err := bucketExpr("$$d", g.Bucket, zone)
	if err != nil {
		return nil, err
	}
	// $let computes the parsed date once for buckets that use it twice.
	return bson.D{{Key: "$let", Value: bson.D{
		{Key: "vars", Value: bson.D{{Key: "d", Value: date}}},
		{Key: "in", Value: b},
	}}}, nil
}

// parseDateExpr turns a stored date or time string into a BSON date and
// names the zone its buckets are computed in. Times are canonical UTC
// instants ("2026-11-23T16:30:00.000Z"), bucketed in the report's zone.
// Dates ("2026-11-23") are calendar days, not instants: read as UTC
// midnight and bucketed in UTC they keep their own day, which is what
// query.BucketKey gives for a date taken as midnight in any zone.
// Unparseable or missing values become null and form the null group.
func parseDateExpr(f query.Field, tz string) (bson.D, string, error) {
	src := bson.D{
		{Key: "dateString", Value: "$" + f.Path},
		{Key: "onError", Value: nil},
		{Key: "onNull", Value: nil},
	}
	switch f.Kind {
	case query.KindTime:
		return bson.D{{Key: "$dateFromString", Value: src}}, tz, nil
	case query.KindDate:
		src = append(src[:1], append(bson.D{{Key: "format", Value: "%Y-%m-%d"}}, src[1:]...)...)
		return bson.D{{Key: "$dateFromString", Value: src}}, "UTC", nil
	}
	return nil, "", store.Wrapf(store.ErrInvalid, nil, "date buckets apply to date and time fields, not %q", f.Path)
}

// quarterSuffix maps month-1 to the quarter suffix of query.BucketKey.
var quarterSuffix = bson.A{"-Q1", "-Q1", "-Q1", "-Q2", "-Q2", "-Q2", "-Q3", "-Q3", "-Q3", "-Q4", "-Q4", "-Q4"}

// bucketExpr renders the date d as the bucket key query.BucketKey defines:
// day "2026-11-23", week "2026-11-23" (the Monday of its ISO week), month
// "2026-11", quarter "2026-Q4", year "2026", all in zone tz. Every operator
// used returns null for a null date, so the null group stays null.
func bucketExpr(d string, b query.Bucket, tz string) (bson.D, error) {
	format := func(layout string, date any) bson.D {
		return bson.D{{Key: "$dateToString", Value: bson.D{
			{Key: "format", Value: layout},
			{Key: "date", Value: date},
			{Key: "timezone", Value: tz},
		}}}
	}
	switch b {
	case query.BucketDay:
		return format("%Y-%m-%d", d), nil
	case query.BucketMonth:
		return format("%Y-%m", d), nil
	case query.BucketYear:
		return format("%Y", d), nil
	case query.BucketHourOfDay:
		return format("%H", d), nil
	case query.BucketDayOfWeek:
		return format("%u", d), nil // ISO: 1 (Monday) to 7 (Sunday)
	case query.BucketWeek:
		monday := bson.D{{Key: "$dateTrunc", Value: bson.D{
			{Key: "date", Value: d},
			{Key: "unit", Value: "week"},
			{Key: "timezone", Value: tz},
			{Key: "startOfWeek", Value: "monday"},
		}}}
		return format("%Y-%m-%d", monday), nil
	case query.BucketQuarter:
		month := bson.D{{Key: "$month", Value: bson.D{{Key: "date", Value: d}, {Key: "timezone", Value: tz}}}}
		return bson.D{{Key: "$concat", Value: bson.A{
			format("%Y", d),
			bson.D{{Key: "$arrayElemAt", Value: bson.A{
				quarterSuffix,
				bson.D{{Key: "$subtract", Value: bson.A{month, int32(1)}}},
			}}},
		}}}, nil
	}
	return nil, store.Wrapf(store.ErrInvalid, nil, "unknown date bucket %q", b)
}

// measureExprs returns the $group accumulator for m, stored under name,
// and the $project expression that reads it back. A conditional measure
// feeds its accumulator the value only where the filter holds (1 for
// count), and null or nothing elsewhere, which every accumulator skips.
func measureExprs(m query.Measure, name string) (acc bson.D, out any, err error) {
	ref := "$" + name
	var cond any
	if m.Filter != nil {
		if cond, err = exprFilter(m.Filter, 0); err != nil {
			return nil, nil, err
		}
	}
	when := func(v, otherwise any) any {
		if cond == nil {
			return v
		}
		return bson.D{{Key: "$cond", Value: bson.A{cond, v, otherwise}}}
	}
	if m.Fn == query.FnCount {
		return bson.D{{Key: "$sum", Value: when(int32(1), int32(0))}}, ref, nil
	}
	p := m.Field.Path
	if !query.ValidPath(p) {
		return nil, nil, store.Wrapf(store.ErrInvalid, nil, "invalid measure path %q", p)
	}
	var field any = "$" + p
	if m.Fn == query.FnCountDistinct {
		field = when(field, "$$REMOVE")
	} else {
		field = when(field, nil)
	}
	switch m.Fn {
	case query.FnSum, query.FnAvg, query.FnMin, query.FnMax:
		// $sum, $avg, $min and $max skip nulls and missing fields, like SQL.
		return bson.D{{Key: "$" + string(m.Fn), Value: field}}, ref, nil
	case query.FnCountDistinct:
		// $addToSet skips missing fields but keeps an explicit null, which
		// COUNT(DISTINCT) must not count, so nulls are filtered out here.
		size := bson.D{{Key: "$size", Value: bson.D{{Key: "$filter", Value: bson.D{
			{Key: "input", Value: ref},
			{Key: "cond", Value: bson.D{{Key: "$ne", Value: bson.A{"$$this", nil}}}},
		}}}}}
		return bson.D{{Key: "$addToSet", Value: field}}, size, nil
	}
	return nil, nil, store.Wrapf(store.ErrInvalid, nil, "unknown measure %q", m.Fn)
}
