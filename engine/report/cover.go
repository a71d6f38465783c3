package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Covering indexes for the reports that read records. A report without a
// rollup (distinct buyers by store, repeat buyers, the member KPIs over
// every member) reads each record in its period
// — on SQLite the document, whose JSON every measure and filter parses
// again (the cold HQ cockpit spent 90% of its time in json_extract). An
// index holding every field such a run reads lets the store answer from
// the index alone (SQLite uses an index on expressions as a covering
// index when the query's expressions are the indexed ones, which the
// adapter's field expressions are): the same rows and the same numbers,
// several times faster (docs/PERFORMANCE.md, "HQ cockpit cold").
//
// The published reports without a rollup get them (coverIndexes says
// which); they are built with the rollups (BuildRollups: at template
// install and server start with -template), never in a run, because
// indexing millions of rows holds the writer. The cost is one more index
// entry per record written, rewritten when the record changes. An
// aggregation with GROUP BY is not answered from the index alone by
// SQLite as the adapter writes it today (its plan reads the documents),
// so grouped passes gain less than totals and full scans.

// maxCoverFields is SQLite's bound on an index's fields in this store
// (engine/store/sqlite); a wider union gets no index.
const maxCoverFields = 16

// coverIndex is a planned covering index.
type coverIndex struct {
	coll   string
	form   string
	fields []string
}

// name is the index's name: its fields' hash, so a changed union makes a
// new index (the old one stays until dropped by hand: the store port has
// no drop).
func (ci coverIndex) name() string {
	h := sha256.Sum256([]byte(strings.Join(ci.fields, ",")))
	return "report_cover_" + hex.EncodeToString(h[:6])
}

// coverFields lists the dataset form's fields a run of c reads, the
// period field (if any) apart: filters, parameters, dimensions, measures
// and the relation fields joins go through, with "_deleted" (every run
// filters on it).
func (c *Compiled) coverFields() (period string, fields []string) {
	seen := map[string]bool{}
	var add func(path string)
	add = func(path string) {
		if path == "" || path == "_id" {
			return
		}
		for _, j := range c.joins {
			if topKey(path) == j.as && path != j.as {
				add(j.from) // a joined field: the relation it comes through
				return
			}
		}
		if !seen[path] {
			seen[path] = true
			fields = append(fields, path)
		}
	}
	walk := func(n *query.Node) { query.Walk(n, func(x *query.Node) { add(x.Field.Path) }) }
	add("_deleted")
	walk(c.filter)
	for _, p := range c.params {
		add(p.fi.q.Path)
	}
	for _, d := range c.dims {
		add(d.fi.q.Path)
	}
	for _, m := range c.measures {
		if m.fi != nil {
			add(m.fi.q.Path)
		}
		walk(m.filter)
	}
	if c.period != nil && c.period.fi.join == "" {
		period = c.period.fi.q.Path
		fields = slices.DeleteFunc(fields, func(f string) bool { return f == period })
	}
	slices.Sort(fields)
	return period, fields
}

// coverIndexes plans the covering indexes of app's published reports
// without a rollup. A report with a period reads a range of the period
// field: one index per dataset form and period field, over the union of
// their fields, serves them all (SQLite searches a range of a covering
// index whatever its width). A report without one reads every record:
// SQLite scans an index instead of the table only when it estimates its
// rows narrower than the table's (an index of 11 fields was passed over
// for the member KPIs, one of 6 taken), so each such report gets an index
// of its own fields, up to maxScanFields.
func (s *Service) coverIndexes(ctx context.Context, app string) ([]coverIndex, error) {
	defs, err := s.meta.List(ctx, app, meta.KindReport)
	if err != nil {
		return nil, err
	}
	type group struct{ form, coll, period string }
	union := map[group][]string{}
	var order []group
	var out []coverIndex
	for _, d := range defs {
		if _, err := s.meta.Published(ctx, app, meta.KindReport, d.Key); err != nil {
			continue // never published: nothing runs it
		}
		c, err := s.compile(ctx, app, d.Key, form.LangOf(ctx))
		if err != nil || c.Spec.Rollup != nil {
			continue // a report that does not compile reads nothing; one with a rollup reads it
		}
		if c.pairs != nil {
			continue // pairs read the sub-table's JSON, which no index holds (pairs.go)
		}
		period, fields := c.coverFields()
		f := c.cat.forms[""]
		if period == "" {
			if len(fields) <= maxScanFields && !coveredBy(fields, rfmIndexes(f)) {
				out = appendCover(out, coverIndex{coll: f.Coll, form: f.Key, fields: fields})
			}
			continue
		}
		g := group{form: f.Key, coll: f.Coll, period: period}
		if _, ok := union[g]; !ok {
			order = append(order, g)
		}
		for _, x := range fields {
			if !slices.Contains(union[g], x) {
				union[g] = append(union[g], x)
			}
		}
	}
	for _, g := range order {
		fields := slices.Sorted(slices.Values(union[g]))
		if len(fields) < maxCoverFields {
			out = appendCover(out, coverIndex{coll: g.coll, form: g.form, fields: append([]string{g.period}, fields...)})
		}
	}
	return out, nil
}

// maxScanFields bounds the index of a report without a period (see
// coverIndexes).
const maxScanFields = 8

// coveredBy reports whether one of the indexes the package keeps anyway
// (the RFM scores', rfm_score.go) holds every field.
func coveredBy(fields []string, have []store.Index) bool {
	for _, ix := range have {
		all := true
		for _, f := range fields {
			all = all && slices.Contains(ix.Fields, f)
		}
		if all {
			return true
		}
	}
	return false
}

// appendCover adds ci unless an index of the same fields is planned.
func appendCover(list []coverIndex, ci coverIndex) []coverIndex {
	for _, x := range list {
		if x.coll == ci.coll && slices.Equal(x.fields, ci.fields) {
			return list
		}
	}
	return append(list, ci)
}

// ensureCoverIndexes creates the covering indexes of app's reports that
// are missing (an existing one costs the store a no-op statement).
func (s *Service) ensureCoverIndexes(ctx context.Context, app string) error {
	plan, err := s.coverIndexes(ctx, app)
	if err != nil {
		return err
	}
	for _, ci := range plan {
		if err := s.st.EnsureIndexes(ctx, ci.coll, []store.Index{{Name: ci.name(), Fields: ci.fields}}); err != nil {
			return fmt.Errorf("covering index of %s (%s): %w", ci.form, strings.Join(ci.fields, ", "), err)
		}
	}
	return nil
}
