package store

import (
	"context"
	"regexp"

	"github.com/tangram/tangram/engine/query"
)

// Lookup joins to each document of an aggregation at most one document of
// another collection, by id: the transaction's store, the member's tier.
// It is a left join: a document whose reference is null, dangling, or
// points at a document failing Filter still counts, and the joined fields
// read as null for it.
//
// Paths of the joined document are named As + "." + path ("store.region",
// "store._id") in the aggregation's filter, group keys and measures, and
// in the From of later lookups, which is how joins chain
// (transactions -> member -> homeStore).
type Lookup struct {
	// As names the joined document; an identifier, unique among the
	// lookups. It may equal the base path holding the reference
	// ("store"): the base path itself still names the reference, and
	// "store.<path>" the joined document's fields.
	As string
	// Coll is the joined collection.
	Coll string
	// From is the path holding the joined document's id: a path of the
	// base document, or As + "." + path of an earlier lookup. Its value
	// must be a single id (a string), not a list.
	From string
	// Filter restricts which documents may join, over the joined
	// collection's own paths (a row scope, live records only). Nil joins
	// any document with that id.
	Filter *query.Node
}

// JoinAggregator is the optional ability to run an aggregation over a
// collection with lookups joined in, in the database (SQL LEFT JOINs,
// MongoDB $lookup). The spec's paths may name joined fields; Lookups are
// applied in order. Adapters refuse lookups they cannot express with
// ErrInvalid and backends without aggregation with ErrUnsupported.
type JoinAggregator interface {
	AggregateJoin(ctx context.Context, coll string, lookups []Lookup, spec *query.Aggregate) ([]Doc, error)
}

// MaxLookups bounds the lookups of one aggregation.
const MaxLookups = 8

var lookupAliasRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// CheckLookups validates lookups for adapters: identifier aliases, unique,
// valid collections and From paths, each From on the base document or on
// an earlier lookup. It returns an ErrInvalid error naming the first
// problem.
func CheckLookups(lookups []Lookup) error {
	if len(lookups) > MaxLookups {
		return Wrapf(ErrInvalid, nil, "at most %d lookups", MaxLookups)
	}
	seen := map[string]bool{}
	for _, l := range lookups {
		if !lookupAliasRe.MatchString(l.As) || seen[l.As] {
			return Wrapf(ErrInvalid, nil, "lookup alias %q is not an identifier or is used twice", l.As)
		}
		if !ValidCollection(l.Coll) {
			return Wrapf(ErrInvalid, nil, "invalid lookup collection %q", l.Coll)
		}
		if !query.ValidPath(l.From) {
			return Wrapf(ErrInvalid, nil, "invalid lookup path %q", l.From)
		}
		seen[l.As] = true
	}
	return nil
}

// SplitJoined splits a path into the lookup alias it starts with and the
// rest ("store.region" -> "store", "region") when its first segment is one
// of aliases and a rest follows; otherwise alias is "" and rest the path,
// a path of the base document.
func SplitJoined(path string, aliases map[string]bool) (alias, rest string) {
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			if aliases[path[:i]] {
				return path[:i], path[i+1:]
			}
			break
		}
	}
	return "", path
}

// Quantiler is the optional ability to find the n-quantile thresholds of
// fields over the documents an aggregation would group (lookups and filter
// as in JoinAggregator): for each asked field, the values at ranks
// ceil(k*N/n), k = 1..n-1, of its N non-null values in ascending order
// (numbers as json.Number, text as string): none when N is 0, else
// exactly n-1, repeated where values repeat. n is 2..MaxQuantiles. The
// report engine's RFM scores are quintiles of three fields over a million
// members, so adapters answer all of them in one pass where they can.
type Quantiler interface {
	Quantiles(ctx context.Context, coll string, lookups []Lookup, filter *query.Node, asks []QuantileAsk) ([][]any, error)
}

// QuantileAsk is one field's quantiles.
type QuantileAsk struct {
	Field query.Field
	N     int
}

// MaxQuantiles is the largest n a Quantiler accepts.
const MaxQuantiles = 10
