package store

import (
	"cmp"
	"context"
	"regexp"
	"slices"

	"github.com/tangram/tangram/engine/query"
)

// PairCounter is the optional ability to count, over the documents an
// aggregation would group (lookups and filter as in JoinAggregator), the
// unordered pairs of distinct values that occur together in one
// document's list of objects: the category pairs of a basket's lines
// ("market basket analysis"). A value repeated in one document counts
// once for it; only text values count. Adapters answer in the database
// (SQL json_each twice, a MongoDB $setUnion and $unwind twice), never by
// reading the documents out.
type PairCounter interface {
	CountPairs(ctx context.Context, coll string, lookups []Lookup, filter *query.Node, spec PairSpec) (*PairCounts, error)
}

// PairSpec names the list and the key of its objects to pair, and how
// many pairs to return.
type PairSpec struct {
	// List is the path of the list of objects ("lines").
	List string
	// Field is the key within each object ("category").
	Field string
	// Limit keeps the first pairs by Count descending, then A and B
	// ascending: 1 to MaxPairs.
	Limit int
}

// PairCounts is a pair count's answer.
type PairCounts struct {
	// Baskets is how many documents match the filter (with or without a
	// pair): the denominator of a pair's support.
	Baskets int64
	// Items counts, for every value of the returned pairs, the documents
	// holding it: the denominators of confidence and lift.
	Items map[string]int64
	// Pairs are the top pairs, A < B (bytewise).
	Pairs []PairCount
}

// PairCount is one pair and the documents holding both values.
type PairCount struct {
	A, B  string
	Count int64
}

// MaxPairs bounds the pairs of one answer.
const MaxPairs = query.MaxAggLimit + 1

var pairKeyRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// CheckPairSpec validates a spec for adapters: a plain path for the list,
// an identifier for the key, a limit in range.
func CheckPairSpec(spec PairSpec) error {
	if !query.ValidPath(spec.List) || spec.List[0] == '_' {
		return Wrapf(ErrInvalid, nil, "invalid list path %q", spec.List)
	}
	if !pairKeyRe.MatchString(spec.Field) {
		return Wrapf(ErrInvalid, nil, "invalid list key %q", spec.Field)
	}
	if spec.Limit < 1 || spec.Limit > MaxPairs {
		return Wrapf(ErrInvalid, nil, "pairs take a limit from 1 to %d", MaxPairs)
	}
	return nil
}

// SortPairs orders pairs as PairCounts does: Count descending, then A and
// B ascending (bytewise, as SQLite and MongoDB compare text).
func SortPairs(ps []PairCount) {
	slices.SortFunc(ps, func(x, y PairCount) int {
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
}
