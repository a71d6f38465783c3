package automation

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// ScanQuery is how an occurrence finds its records.
type ScanQuery struct {
	// Filter selects the records (the automation's condition and the
	// exclusion of deleted records are added to it).
	Filter *query.Node
	// Order is the keyset order of the pages; it must end with _id.
	Order []query.SortKey
	// Index, when set, is an index on the records collection the query
	// needs (the date field and _id): ensured before the first page.
	Index []string
}

var fDeleted = query.Field{Path: form.SysDeleted, Kind: query.KindBool}

// maxPagesPerTick bounds the pages one occurrence scans in one tick, so a
// runner also gets to its other work; the scan resumes at the next tick.
const maxPagesPerTick = 40

// scan creates the runs of a scanned occurrence, page by page, and says
// how many it created and whether the scan is finished.
func (s *Service) scan(ctx context.Context, a *Automation, sc Scanned, l *occLease, at time.Time) (int, bool, error) {
	f, err := s.records.Form(ctx, a.App, sc.Form())
	if err != nil {
		return 0, false, err
	}
	q, err := sc.Scan(f, at)
	if err != nil {
		return 0, false, err
	}
	if err := s.ensureScanIndex(ctx, f, q.Index); err != nil {
		return 0, false, err
	}
	cond := (*query.Node)(nil)
	if len(a.Condition) > 0 && string(a.Condition) != "null" {
		if cond, err = s.condition(a, f, at); err != nil {
			return 0, false, err
		}
	}
	base := query.And(q.Filter, cond, query.Cmp(fDeleted, query.OpNe, query.Bool(true)))
	fields := make([]string, 0, len(q.Order))
	for _, k := range q.Order {
		fields = append(fields, k.Field.Path)
	}
	id := l.id
	total := 0
	for page := 0; page < maxPagesPerTick; page++ {
		filter := base
		if l.cursor != "" {
			after, err := query.DecodeCursor(l.cursor, q.Order)
			if err != nil {
				return total, false, errs.Wrap(err, errs.Internal, "automation.cursor", "occurrence %s: bad cursor", id)
			}
			filter = query.And(base, after)
		}
		docs, err := s.st.Find(ctx, f.Coll, store.Query{Filter: filter, Sort: q.Order, Limit: s.opt.ScanPage, Fields: fields})
		if err != nil {
			return total, false, err
		}
		stamp := query.FormatTime(s.now())
		runs := make([]store.Doc, len(docs))
		for i, d := range docs {
			rid, _ := d["_id"].(string)
			runs[i] = scheduledRun(a, id, rid, at, stamp)
		}
		last := len(docs) < s.opt.ScanPage
		cursor := l.cursor
		if len(docs) > 0 {
			cursor = query.CursorOf(docs[len(docs)-1], q.Order).Encode()
		}
		err = s.st.Tx(ctx, func(tx store.Ops) error {
			if len(runs) > 0 {
				if _, err := tx.InsertMany(ctx, CollRuns, runs); err != nil {
					return err
				}
			}
			if last {
				return l.finishAt(ctx, tx, cursor, len(runs))
			}
			return l.advance(ctx, tx, cursor, len(runs))
		})
		if errs.HasCode(err, store.ErrConditionFailed.Code) {
			return total, false, nil // the lease went to another runner
		}
		if err != nil {
			return total, false, err
		}
		total += len(runs)
		if last {
			return total, true, nil
		}
	}
	return total, false, nil
}

// finishAt records the last page and marks the occurrence done.
func (l *occLease) finishAt(ctx context.Context, tx store.Ops, cursor string, n int) error {
	if cursor != l.cursor {
		if err := l.advance(ctx, tx, cursor, 0); err != nil {
			return err
		}
	}
	return l.finish(ctx, tx, n)
}

// ensureScanIndex creates the index a scan wants on a records collection,
// once per process (creating an existing index is a no-op, so other
// processes doing the same is harmless).
func (s *Service) ensureScanIndex(ctx context.Context, f *form.Form, fields []string) error {
	if len(fields) == 0 {
		return nil
	}
	h := fnv.New32a()
	h.Write([]byte(strings.Join(fields, ",")))
	name := fmt.Sprintf("auto_%08x", h.Sum32())
	ck := f.Coll + "/" + name
	if _, ok := s.indexed.Load(ck); ok {
		return nil
	}
	if err := s.st.EnsureIndexes(ctx, f.Coll, []store.Index{{Name: name, Fields: fields}}); err != nil {
		return err
	}
	s.indexed.Store(ck, struct{}{})
	return nil
}
