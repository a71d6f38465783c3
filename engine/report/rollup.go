package report

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Rollups (Spec.Rollup) make heavy reports fast: "sales by store × month
// over 10 million transactions" reads a summary of one document per day
// and grain (store, channel, status...) instead of every transaction —
// and a second, per-month level of the same summary when the run asks
// for months, quarters or years over whole months (500 stores × 24
// months is 12,000 documents; × 730 days it would be 365,000). A rollup
// document looks like a record of the form reduced to its grain — the
// date field holds the day (or the month's first day: a date, in the
// report's zone), grain fields keep their paths, so the report's filters,
// joins and dimensions run on it unchanged — plus the measures' parts:
//
//	_n            records in the cell
//	_s_<f>, _c_<f> sum and count of present values of f (sum, avg)
//	_min_<f>, _max_<f>
//
// Writes keep it current in their own transaction (OnWrite, called by the
// records write path); BuildRollup fills it from the records, one month
// per transaction. A run uses it only when the service is hooked, the
// rollup is ready and was built for the report's current definition, and
// every field the run's filters, dimensions and measures read is on the
// rollup (rollup_query.go); otherwise the run reads the records.

// Rollup levels: each has its own collection (rollupDef.coll). A rollup
// of a report grouping by hour of day keeps hours instead (levelHour, its
// only level; see rollupDef.Hours).
const (
	levelDay   = "day"
	levelMonth = "month"
	levelHour  = "hour"
)

var rollupLevels = []string{levelDay, levelMonth}

// levels are the levels the rollup keeps.
func (d *rollupDef) levels() []string {
	if d.Hours {
		return []string{levelHour}
	}
	return rollupLevels
}

// coll is the collection of one level.
func (d *rollupDef) coll(level string) string {
	if level == levelMonth {
		return d.Coll + "_m"
	}
	return d.Coll
}

// rollupDef is a rollup as stored in the registry: what OnWrite and the
// query rewrite need, without the report.
type rollupDef struct {
	Report    string   `json:"report"`
	Hash      string   `json:"hash"`
	Coll      string   `json:"coll"`
	DateField string   `json:"dateField"`
	DateKind  string   `json:"dateKind"` // time or date
	Zone      string   `json:"zone"`
	Grain     []string `json:"grain"`
	Kinds     []string `json:"kinds"` // of the grain fields, in order
	Sums      []string `json:"sums"`  // fields summed (and counted)
	Mins      []string `json:"mins"`
	Maxs      []string `json:"maxs"`
	Decimals  []string `json:"decimals"` // summed fields holding decimals
	State     string   `json:"state"`
	// Hours says the cells are hours, not days: the date field holds the
	// start of the hour (a time) in the rollup's zone, so hour of day,
	// weekday and every coarser bucket are read off it exactly — the
	// sales heat map's hour × weekday from 24 documents a day per grain
	// instead of every sale. Set for a report with an hour-of-day
	// dimension on a time date field and no minimum or maximum (whose
	// re-reads select a cell's records by day).
	Hours bool `json:"hours,omitempty"`
	// shared marks a rollup whose collection an earlier one of the
	// registry keeps already (one shape, several reports): its writes
	// are that one's, so onWrite leaves them to it.
	shared bool
}

// Rollup states.
const (
	rollupBuilding = "building"
	rollupReady    = "ready"
)

// collRollups is the registry: one document per form ("app:form") listing
// its rollups, read by OnWrite with one get.
const collRollups = "report_rollups"

// checkRollup validates Spec.Rollup against the dataset.
func (c *Compiled) checkRollup(p *problems) {
	r := c.Spec.Rollup
	fi := c.cat.info[r.DateField]
	if fi == nil || fi.join != "" || (fi.q.Kind != query.KindTime && fi.q.Kind != query.KindDate) || strings.Contains(r.DateField, ".") {
		p.add("rollup.dateField", "report.rollup", "the date field must be a date or time field of the dataset's form")
	}
	for i, g := range r.Grain {
		gi := c.cat.info[g]
		if gi == nil || gi.join != "" || gi.q.Array || strings.Contains(g, ".") || g == r.DateField || strings.HasPrefix(g, "_") {
			p.add(fmt.Sprintf("rollup.grain[%d]", i), "report.rollup", fmt.Sprintf("%q is not a single-valued field of the dataset's form", g))
		}
	}
	if len(r.Grain) > 12 {
		p.add("rollup.grain", "report.rollup", "at most 12 grain fields")
	}
}

// rollupDefOf derives the stored definition from a compiled report.
func (c *Compiled) rollupDefOf() *rollupDef {
	r := c.Spec.Rollup
	d := &rollupDef{Report: c.Key, DateField: r.DateField, DateKind: string(c.cat.fields[r.DateField].Kind),
		Zone: c.loc.String(), Grain: slices.Clone(r.Grain), State: rollupBuilding}
	slices.Sort(d.Grain)
	for _, g := range d.Grain {
		d.Kinds = append(d.Kinds, string(c.cat.fields[g].Kind))
	}
	add := func(list *[]string, f string) {
		if !slices.Contains(*list, f) {
			*list = append(*list, f)
		}
	}
	for _, m := range c.measures {
		if m.fi == nil || m.fi.join != "" || strings.Contains(m.fi.q.Path, ".") {
			continue
		}
		f := m.fi.q.Path
		switch m.op {
		case "sum", "avg":
			add(&d.Sums, f)
			if m.fi.q.Kind == query.KindDecimal {
				add(&d.Decimals, f)
			}
		case "min":
			add(&d.Mins, f)
		case "max":
			add(&d.Maxs, f)
		}
	}
	for _, l := range [][]string{d.Sums, d.Mins, d.Maxs, d.Decimals} {
		slices.Sort(l)
	}
	d.Hours = c.hourly() && d.DateKind == string(query.KindTime) && len(d.Mins)+len(d.Maxs) == 0
	hours := "" // absent from the hashes of day rollups, which stay as they were
	if d.Hours {
		hours = "|hours"
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%v|%v|%v|%v|%s%s", c.App, d.Report, d.DateField, d.Grain, d.Sums, d.Mins, d.Maxs, d.Zone, hours)
	d.Hash = hex.EncodeToString(h.Sum(nil)[:12])
	// The cells depend only on the form and the rollup's shape, not on
	// the report: reports of one shape (the CRM's sales by region, by
	// province, by store and month, the trend and the AOV all count and
	// sum paid by store, unit, status and channel) share one collection,
	// so a sale moves two cells per shape instead of two per report.
	// (Rollups built before this kept one collection per report; their
	// registry entries still name it, so they go on working.)
	h = sha256.New()
	fmt.Fprintf(h, "shape|%s|%s|%s|%s|%s|%v|%v|%v|%v|%v|%v%s", c.App, c.cat.forms[""].Key, d.DateField, d.DateKind, d.Zone,
		d.Grain, d.Kinds, d.Sums, d.Mins, d.Maxs, d.Decimals, hours)
	d.Coll = "report_rollup_" + hex.EncodeToString(h.Sum(nil)[:12])
	return d
}

// hourly reports whether a dimension groups the rollup's date field by
// hour of day.
func (c *Compiled) hourly() bool {
	for _, d := range c.dims {
		if d.fi.q.Path == c.Spec.Rollup.DateField && d.bucket == query.BucketHourOfDay {
			return true
		}
	}
	return false
}

// hourStart is the start of t's hour in loc, as stored: the cell of an
// hour rollup. A repeated hour at a DST change is one cell, as it is one
// (day, hour of day) group.
func hourStart(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	return query.FormatTime(time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, loc))
}

// loc is the rollup's zone.
func (d *rollupDef) loc() *time.Location { return zoneOf(d.Zone) }

// zones caches time.LoadLocation, which reads the zone's tzdata file on
// every call: the write hook needs a rollup's zone for every cell.
var zones sync.Map // name -> *time.Location

// zoneOf is the named zone (the default one when unknown).
func zoneOf(name string) *time.Location {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = query.DefaultLocation
	}
	zones.Store(name, l)
	return l
}

// The registry document changes only when a rollup is built (or its
// state moves), and every write reads it: decoding it each time was a
// tenth of the write hook. writeRegistry stamps it with a fresh random
// "rev", and the decoded rollups are kept by rev (random, so two stores
// in one process never share an entry); a registry written before revs
// is decoded every time until its next build. The decoded rollups are
// shared: nobody changes a rollupDef read from the registry.
var registries = struct {
	sync.Mutex
	m map[string][]*rollupDef
}{m: map[string][]*rollupDef{}}

// maxRegistries bounds the cache: past it, it starts over.
const maxRegistries = 512

// readRegistry reads the rollups of a form (none when the form has
// none). The slice is the caller's; its rollups are shared.
func readRegistry(ctx context.Context, ops store.Ops, app, form string) ([]*rollupDef, error) {
	doc, err := ops.Get(ctx, collRollups, app+":"+form)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rev, _ := doc["rev"].(string)
	if rev != "" {
		registries.Lock()
		defs, ok := registries.m[rev]
		registries.Unlock()
		if ok {
			return slices.Clone(defs), nil
		}
	}
	raw, _ := json.Marshal(doc["rollups"])
	var defs []*rollupDef
	if err := json.Unmarshal(raw, &defs); err != nil {
		return nil, errs.Wrap(err, errs.Internal, "report.rollup", "the rollup registry of %s/%s cannot be read", app, form)
	}
	seen := map[string]bool{}
	for _, d := range defs {
		d.shared = seen[d.Coll]
		seen[d.Coll] = true
	}
	if rev != "" {
		registries.Lock()
		if len(registries.m) >= maxRegistries {
			clear(registries.m)
		}
		registries.m[rev] = defs
		registries.Unlock()
	}
	return slices.Clone(defs), nil
}

// writeRegistry replaces the form's registry entry for def.Report.
func writeRegistry(ctx context.Context, ops store.Ops, app, form string, def *rollupDef) error {
	defs, err := readRegistry(ctx, ops, app, form)
	if err != nil {
		return err
	}
	defs = slices.DeleteFunc(defs, func(d *rollupDef) bool { return d.Report == def.Report })
	if def.State != "" {
		defs = append(defs, def)
	}
	var list []any
	raw, _ := json.Marshal(defs)
	_ = json.Unmarshal(raw, &list)
	if list == nil {
		list = []any{}
	}
	id := app + ":" + form
	rev := store.NewID()
	_, err = ops.Update(ctx, collRollups, id, store.Patch{Set: map[string]any{"rollups": list, "rev": rev}}, nil)
	if errors.Is(err, store.ErrNotFound) {
		_, err = ops.Insert(ctx, collRollups, store.Doc{"_id": id, "rollups": list, "rev": rev})
	}
	return err
}
