package report

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// RollupStatus reports a rollup after a build.
type RollupStatus struct {
	Report string `json:"report"`
	Coll   string `json:"collection"`
	State  string `json:"state"`
	Cells  int64  `json:"cells"`
	Slices int    `json:"slices"`
}

// BuildRollup (re)builds a report's rollup from the records. It needs the
// design right on the report and a hooked service: from the moment the
// registry names the rollup, every write keeps it current, and each month
// is then recomputed from the records in one transaction, replacing what
// those writes did to it, so the rollup is exact when the build ends even
// while sales keep coming in. Each month's transaction holds SQLite's
// writer while it reads that month (about a second per 400,000 records);
// the date field gets an index for those reads.
func (s *Service) BuildRollup(ctx context.Context, p *auth.Principal, app, key string) (*RollupStatus, error) {
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindReport, Key: key}, access.Design); err != nil {
		return nil, err
	}
	if !s.Hooked() {
		return nil, coded(form.LangOf(ctx), errs.Conflict, "report.rollup_unhooked")
	}
	c, err := s.compile(ctx, app, key, form.LangOf(ctx))
	if err != nil {
		return nil, err
	}
	if c.Spec.Rollup == nil {
		return nil, coded(form.LangOf(ctx), errs.Unprocessable, "report.rollup", "the report has no rollup")
	}
	return s.build(ctx, c)
}

// BuildRollups builds the rollup of every published report of app that
// declares one (the ones whose rollup is already ready for the current
// definition are left as they are): what to run once the write hook is
// installed, or after installing a template.
func (s *Service) BuildRollups(ctx context.Context, p *auth.Principal, app string) ([]RollupStatus, error) {
	defs, err := s.meta.List(ctx, app, meta.KindReport)
	if err != nil {
		return nil, err
	}
	out := []RollupStatus{}
	for _, d := range defs {
		if d.Status != meta.StatusPublished && d.Status != meta.StatusDraft {
			continue
		}
		spec, err := DecodeSpec(d.Spec)
		if err != nil || spec.Rollup == nil {
			continue
		}
		if _, err := s.meta.Published(ctx, app, meta.KindReport, d.Key); err != nil {
			continue // never published: nothing runs it
		}
		c, err := s.compile(ctx, app, d.Key, form.LangOf(ctx))
		if err != nil {
			return nil, err
		}
		if ready, err := s.rollupReady(ctx, c); err != nil {
			return nil, err
		} else if ready {
			out = append(out, RollupStatus{Report: d.Key, Coll: c.rollupDefOf().Coll, State: rollupReady})
			continue
		}
		st, err := s.BuildRollup(ctx, p, app, d.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, *st)
	}
	// The reports without a rollup get their covering indexes (cover.go)
	// here too: both are one-off work over every record, kept off runs.
	if err := s.ensureCoverIndexes(ctx, app); err != nil {
		return nil, err
	}
	return out, nil
}

// rollupReady reports whether c's rollup is ready for its definition, in
// the collection of its shape: one built before rollups of a shape shared
// their collection is rebuilt into it (runs still use the old one until
// then), so that writes move one set of cells per shape.
func (s *Service) rollupReady(ctx context.Context, c *Compiled) (bool, error) {
	want := c.rollupDefOf()
	defs, err := readRegistry(ctx, s.st, c.App, c.cat.forms[""].Key)
	for _, d := range defs {
		if d.Report == c.Key && d.Hash == want.Hash && d.Coll == want.Coll && d.State == rollupReady {
			return true, err
		}
	}
	return false, err
}

func (s *Service) build(ctx context.Context, c *Compiled) (*RollupStatus, error) {
	def := c.rollupDefOf()
	base := c.cat.forms[""]
	h := fnv.New32a()
	h.Write([]byte(def.DateField))
	if err := s.st.EnsureIndexes(ctx, base.Coll, []store.Index{{Name: fmt.Sprintf("rollup_date_%08x", h.Sum32()), Fields: []string{def.DateField}}}); err != nil {
		return nil, err
	}
	for _, level := range def.levels() {
		if err := s.st.EnsureIndexes(ctx, def.coll(level), []store.Index{{Name: "day", Fields: []string{def.DateField}}}); err != nil {
			return nil, err
		}
	}
	if err := s.st.Tx(ctx, func(tx store.Ops) error { return writeRegistry(ctx, tx, c.App, base.Key, def) }); err != nil {
		return nil, err
	}
	slices, err := s.rollupSlices(ctx, def, base.Coll)
	if err != nil {
		return nil, err
	}
	st := &RollupStatus{Report: c.Key, Coll: def.Coll, Slices: len(slices)}
	for _, sl := range slices {
		err := s.st.Tx(ctx, func(tx store.Ops) error {
			n, err := def.rebuildSlice(ctx, tx, base.Coll, sl)
			st.Cells += n
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	def.State = rollupReady
	if err := s.st.Tx(ctx, func(tx store.Ops) error { return writeRegistry(ctx, tx, c.App, base.Key, def) }); err != nil {
		return nil, err
	}
	st.State = def.State
	return st, nil
}

// slice is a range of days [from, to] to rebuild; null is the records
// without a date.
type slice struct {
	from, to string
	null     bool
}

// rollupSlices covers the records' dates month by month, plus the records
// without one.
func (s *Service) rollupSlices(ctx context.Context, def *rollupDef, raw string) ([]slice, error) {
	df := query.Field{Path: def.DateField, Kind: query.Kind(def.DateKind)}
	rows, err := s.st.Aggregate(ctx, raw, &query.Aggregate{Filter: alive, Location: def.loc(), Measures: []query.Measure{
		{Fn: query.FnMin, Field: df, As: "lo"}, {Fn: query.FnMax, Field: df, As: "hi"}}})
	if err != nil {
		return nil, err
	}
	out := []slice{{null: true}}
	if len(rows) == 0 || rows[0]["lo"] == nil {
		return out, nil
	}
	lo, _ := def.dayOf(rows[0]["lo"]).(string)
	hi, _ := def.dayOf(rows[0]["hi"]).(string)
	first, err1 := time.Parse(dateLayout, lo)
	last, err2 := time.Parse(dateLayout, hi)
	if err1 != nil || err2 != nil {
		return out, nil
	}
	for m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(last); m = m.AddDate(0, 1, 0) {
		out = append(out, slice{from: m.Format(dateLayout), to: m.AddDate(0, 1, -1).Format(dateLayout)})
	}
	return out, nil
}

// rebuildSlice replaces a slice's cells on every level with ones computed
// from the records, inside tx; it returns the cells written.
func (d *rollupDef) rebuildSlice(ctx context.Context, tx store.Ops, raw string, sl slice) (int64, error) {
	var n int64
	for _, level := range d.levels() {
		m, err := d.rebuildLevel(ctx, tx, raw, sl, level)
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

func (d *rollupDef) rebuildLevel(ctx context.Context, tx store.Ops, raw string, sl slice, level string) (int64, error) {
	coll := d.coll(level)
	day := query.Field{Path: d.DateField, Kind: query.KindDate}
	if level == levelHour {
		day.Kind = query.KindTime // the hours' starts: a slice is a period of them
	}
	df := query.Field{Path: d.DateField, Kind: query.Kind(d.DateKind)}
	var mine, theirs *query.Node
	switch {
	case sl.null:
		mine, theirs = query.Eq(day, query.Null(day.Kind)), query.Eq(df, query.Null(df.Kind))
	case level == levelHour:
		theirs = periodFilter(df, Period{From: sl.from, To: sl.to}, d.loc())
		mine = periodFilter(day, Period{From: sl.from, To: sl.to}, d.loc())
	default:
		mine = query.And(query.Cmp(day, query.OpGte, query.DateV(sl.from)), query.Cmp(day, query.OpLte, query.DateV(sl.to)))
		theirs = periodFilter(df, Period{From: sl.from, To: sl.to}, d.loc())
	}
	for {
		old, err := tx.Find(ctx, coll, store.Query{Filter: mine, Limit: store.MaxLimit, Fields: []string{"_id"}})
		if err != nil {
			return 0, err
		}
		for _, o := range old {
			if err := tx.Delete(ctx, coll, o["_id"].(string), nil); err != nil {
				return 0, err
			}
		}
		if len(old) < store.MaxLimit {
			break
		}
	}
	a := &query.Aggregate{Filter: query.And(alive, theirs), Location: d.loc()}
	switch {
	case level == levelHour:
		// Day and hour of day, which make the hour's start below: the
		// store has no "hour" bucket.
		a.Group = append(a.Group, query.GroupKey{Field: df, Bucket: query.BucketDay, As: d.DateField},
			query.GroupKey{Field: df, Bucket: query.BucketHourOfDay, As: hourKey})
	case level == levelMonth:
		a.Group = append(a.Group, query.GroupKey{Field: df, Bucket: query.BucketMonth, As: d.DateField})
	case d.DateKind == string(query.KindDate):
		a.Group = append(a.Group, query.GroupKey{Field: df, As: d.DateField})
	default:
		a.Group = append(a.Group, query.GroupKey{Field: df, Bucket: query.BucketDay, As: d.DateField})
	}
	for i, g := range d.Grain {
		a.Group = append(a.Group, query.GroupKey{Field: query.Field{Path: g, Kind: query.Kind(d.Kinds[i])}, As: g})
	}
	a.Measures = append(a.Measures, query.Measure{Fn: query.FnCount, As: "_n"})
	for _, f := range d.Sums {
		a.Measures = append(a.Measures,
			query.Measure{Fn: query.FnSum, Field: d.field(f), As: "_s_" + f},
			query.Measure{Fn: query.FnCount, Filter: query.Cmp(d.field(f), query.OpExists, query.Bool(true)), As: "_c_" + f})
	}
	for _, f := range d.Mins {
		a.Measures = append(a.Measures, query.Measure{Fn: query.FnMin, Field: d.field(f), As: "_min_" + f})
	}
	for _, f := range d.Maxs {
		a.Measures = append(a.Measures, query.Measure{Fn: query.FnMax, Field: d.field(f), As: "_max_" + f})
	}
	rows, err := tx.Aggregate(ctx, raw, a)
	if err != nil {
		return 0, err
	}
	for _, row := range rows {
		if m, ok := row[d.DateField].(string); ok && level == levelMonth {
			row[d.DateField] = m + "-01" // the month's cells are dated its first day
		}
		if level == levelHour {
			row[d.DateField] = d.hourCell(row[d.DateField], row[hourKey])
			delete(row, hourKey)
		}
		row["_id"] = d.cellID(row)
		if _, err := tx.Insert(ctx, coll, row); err != nil {
			return 0, err
		}
	}
	return int64(len(rows)), nil
}

// hourKey is the build's hour-of-day group of an hour rollup.
const hourKey = "_h"

// hourCell is the start of the hour of a day bucket ("2026-02-03") and an
// hour-of-day bucket ("14") in the rollup's zone, as cellOf dates a
// record's hour; nil for the records without a date.
func (d *rollupDef) hourCell(day, hour any) any {
	ds, _ := day.(string)
	t, err := time.Parse(dateLayout, ds)
	if err != nil {
		return nil
	}
	h, err := strconv.Atoi(fmt.Sprint(hour))
	if err != nil || h < 0 || h > 23 {
		return nil
	}
	return query.FormatTime(time.Date(t.Year(), t.Month(), t.Day(), h, 0, 0, 0, d.loc()))
}
