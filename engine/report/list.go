package report

import (
	"encoding/json"
	"fmt"

	"github.com/tangram/tangram/engine/access"
)

// Record lists ("list": true): each row is one record of the dataset —
// the members at risk of churning, with their name, phone, home store,
// tier, last purchase and spend — rather than a group. The report groups
// by the record's id as well as its dimensions (so a row is a record,
// joined fields included, since a join adds at most one record), its
// measures read the record's own values (a sum of spend12m over one
// record is its spend12m), and sort and limit give the top N. The id is
// the row's "_record" output, which drill-down takes as a cell to open
// the record.
//
// A list may show a field the caller reads only masked (a store manager
// sees 138****1234): the row holds the masked value. Such a field may not
// filter, sort or drill (the order of rows or a count would reveal what
// the mask hides), and the rows of such a run are not cached, since the
// result cache is shared by callers of the same row scope. Hidden fields
// are refused as in any report.

// recordOutput is the output holding a list row's record id.
const recordOutput = "_record"

var recordLabel = json.RawMessage(`{"zh-CN": "记录", "en": "Record"}`)

// compileList checks a list report and adds the record id dimension.
func (c *Compiled) compileList(p *problems) {
	if !c.Spec.List {
		return
	}
	s := c.Spec
	for _, o := range []struct {
		set  bool
		path string
	}{{s.Others, "others"}, {len(s.Compare) > 0, "compare"}, {s.Segments != nil, "segments"}, {s.Subtotals, "subtotals"},
		{s.Totals, "totals"}, {s.Rollup != nil, "rollup"}} {
		if o.set {
			p.addf(o.path, "report.list", "%s", "a record list cannot have "+o.path)
		}
	}
	for i, d := range c.dims {
		if !d.plain() {
			p.addf(fmt.Sprintf("dimensions[%d]", i), "report.list", "%s", "a record list shows field values: no bucket, bins or quantiles")
		}
	}
	id := c.cat.info["_id"]
	if id == nil {
		return
	}
	c.dims = append(c.dims, &dimPlan{as: recordOutput, fi: id, label: recordLabel})
}

// listMasks are the masks of a list's dimensions the caller reads only
// masked, by output; nil for other reports and callers.
func (ex *execution) listMasks() map[string]access.Mask {
	if !ex.c.Spec.List {
		return nil
	}
	var out map[string]access.Mask
	for _, d := range ex.c.dims {
		if d.fi.system() {
			continue
		}
		dec := ex.dec[d.fi.join]
		if dec == nil {
			continue
		}
		if r := dec.Field(d.fi.top); r.Rule == access.Masked && d.fi.rel == d.fi.top {
			if out == nil {
				out = map[string]access.Mask{}
			}
			out[d.as] = r.Mask
		}
	}
	return out
}

// listShowsMasked reports whether dimension i of a list is a field the
// caller reads masked and the report does not sort by: it may be shown
// (masked), so the field rules let it through.
func (ex *execution) listShowsMasked(i int) bool {
	d := ex.c.dims[i]
	if _, ok := ex.listMasks()[d.as]; !ok {
		return false
	}
	for _, k := range ex.c.sort {
		if k.name == d.as {
			return false
		}
	}
	return true
}

// maskList masks the masked fields of a list's rows in place.
func (ex *execution) maskList(rows []map[string]any) {
	masks := ex.listMasks()
	if len(masks) == 0 {
		return
	}
	for _, row := range rows {
		for as, m := range masks {
			if v := row[as]; v != nil {
				row[as] = m.Apply(fmt.Sprint(v))
			}
		}
	}
}
