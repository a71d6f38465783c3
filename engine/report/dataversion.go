package report

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// The data version of a form's records is what result cache keys use to
// notice writes. It has two parts:
//
//   - a write counter kept by OnWrite in the writing transaction (eight
//     shard documents per form, picked by record id, so concurrent writes
//     on MongoDB rarely touch the same counter document);
//   - the newest change stamp: the largest _updatedAt (read through the
//     records' updated_at index) and how many records carry it, so a
//     second write within that millisecond still changes it. (Reading the
//     newest record with a sort would not do: the sort's _id tie-break
//     sorts every record of the newest millisecond, and an import stamps
//     thousands with one.)
//
// Every write of the records service sets _updatedAt, and records are only
// ever soft-deleted, so the stamp alone catches creates, changes, deletes
// and restores; the counter adds what sets no stamp (rollup fields a
// child's write recomputes) and does not depend on the servers' clocks.

// collVersions holds the write counters.
const collVersions = "report_versions"

const versionShards = 8

var fUpdatedAt = query.Field{Path: "_updatedAt", Kind: query.KindTime}

// DataVersion returns the data version of a form's records (coll is its
// records collection).
func (s *Service) DataVersion(ctx context.Context, app, form, coll string) (string, error) {
	var count int64
	prefix := query.Cmp(query.IDField, query.OpStartsWith, query.Str(app+":"+form+":"))
	docs, err := s.st.Find(ctx, collVersions, store.Query{Filter: prefix, Limit: versionShards})
	if err != nil {
		return "", err
	}
	for _, d := range docs {
		n, _ := query.ToInt(d["n"])
		count += n
	}
	newest, err := s.st.Aggregate(ctx, coll, &query.Aggregate{Measures: []query.Measure{{Fn: query.FnMax, Field: fUpdatedAt, As: "m"}}})
	if err != nil || len(newest) == 0 || newest[0]["m"] == nil {
		return fmt.Sprintf("%d|", count), err
	}
	stamp, _ := newest[0]["m"].(string)
	same, err := s.st.Count(ctx, coll, query.Eq(fUpdatedAt, query.TimeV(stamp)))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d|%s|%d", count, stamp, same), nil
}

// bumpVersion adds one to a form's write counter inside the writer's
// transaction.
func bumpVersion(ctx context.Context, tx store.Ops, app, form, recordID string) error {
	h := fnv.New32a()
	h.Write([]byte(recordID))
	id := fmt.Sprintf("%s:%s:%d", app, form, h.Sum32()%versionShards)
	_, err := tx.Update(ctx, collVersions, id, store.Patch{Inc: map[string]int64{"n": 1}}, nil)
	if errors.Is(err, store.ErrNotFound) {
		_, err = tx.Insert(ctx, collVersions, store.Doc{"_id": id, "n": int64(1)})
	}
	return err
}
