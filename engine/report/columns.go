package report

import (
	"context"
	"fmt"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// columns describes the result's keys: dimensions (or the segment that
// replaces some), measures, and per comparison each measure's compared
// value and change.
func (ex *execution) columns(ctx context.Context, r *Result) []Column {
	c, lang := ex.c, ex.lang
	var cols []Column
	for _, d := range c.dims {
		if c.segments != nil && c.segments.dims[d.as] {
			continue
		}
		col := Column{Key: d.as, Label: text(d.label, lang, d.fi.label(lang)), Role: RoleDimension,
			Type: string(d.kind()), Field: d.fi.q.Path, Bucket: string(d.bucket)}
		switch {
		case d.plain():
			col.Labels = d.fi.options(lang)
			if col.Labels == nil && d.fi.typ() == "relation" {
				col.Labels = ex.titles(ctx, d, r.Rows)
			}
		case d.bins != nil:
			col.Labels = binLabels(d.bins)
		}
		cols = append(cols, col)
	}
	if sp := c.segments; sp != nil {
		col := Column{Key: sp.as, Label: text(sp.label, lang, sp.as), Role: RoleDimension, Type: string(query.KindString), Labels: map[string]string{}}
		for _, rule := range append(append([]*segRule{}, sp.rules...), sp.other) {
			if rule != nil {
				col.Labels[rule.key] = text(rule.label, lang, rule.key)
			}
		}
		cols = append(cols, col)
	}
	for _, m := range c.measures {
		cols = append(cols, Column{Key: m.as, Label: m.title(lang), Role: RoleMeasure, Type: string(m.kind()),
			Format: m.format, Field: fieldPath(m.fi)})
	}
	for _, cmp := range c.compare {
		if r.Periods == nil {
			break
		}
		for _, m := range c.measures {
			cols = append(cols,
				Column{Key: compareKey(m.as, cmp), Label: m.title(lang) + compareSuffix(cmp, lang), Role: RoleCompare,
					Type: string(m.kind()), Format: m.format, Of: m.as, Compare: cmp},
				Column{Key: changeKey(m.as, cmp), Label: m.title(lang) + changeSuffix(cmp, lang), Role: RoleChange,
					Type: string(query.KindDecimal), Format: FormatPercent, Of: m.as, Compare: cmp})
		}
	}
	return cols
}

func fieldPath(fi *fieldInfo) string {
	if fi == nil {
		return ""
	}
	return fi.q.Path
}

// title is the measure's label, or one made of its operation and field.
func (m *measurePlan) title(lang string) string {
	if len(m.label) > 0 {
		return text(m.label, lang, m.as)
	}
	ops := map[string][2]string{"count": {"记录数", "Count"}, "sum": {"合计", "Sum"}, "avg": {"平均", "Average"},
		"min": {"最小", "Min"}, "max": {"最大", "Max"}, "countDistinct": {"去重数", "Distinct"}}
	name, ok := ops[m.op]
	if !ok {
		return m.as
	}
	op := name[0]
	if isEnglish(lang) {
		op = name[1]
	}
	if m.fi == nil {
		return op
	}
	return op + " · " + m.fi.label(lang)
}

func compareSuffix(cmp, lang string) string {
	switch {
	case cmp == compareLastYear && isEnglish(lang):
		return " (last year)"
	case cmp == compareLastYear:
		return "（去年同期）"
	case isEnglish(lang):
		return " (previous period)"
	}
	return "（上期）"
}

func changeSuffix(cmp, lang string) string {
	switch {
	case cmp == compareLastYear && isEnglish(lang):
		return " YoY"
	case cmp == compareLastYear:
		return "同比"
	case isEnglish(lang):
		return " vs previous"
	}
	return "环比"
}

// binLabels names each bin index by its range: "< 100", "100–500", "≥ 500".
func binLabels(bins []query.Value) map[string]string {
	out := map[string]string{}
	for i := 0; i <= len(bins); i++ {
		switch {
		case i == 0:
			out["0"] = "< " + bins[0].String()
		case i == len(bins):
			out[fmt.Sprint(i)] = "≥ " + bins[i-1].String()
		default:
			out[fmt.Sprint(i)] = bins[i-1].String() + "–" + bins[i].String()
		}
	}
	return out
}

// titles reads the titles of the related records a relation dimension
// shows (its ids in the rows), under the caller's scope on that form: a
// record the caller may not read keeps its id.
func (ex *execution) titles(ctx context.Context, d *dimPlan, rows []map[string]any) map[string]string {
	target, _, _ := relationTarget(d.fi.field)
	f, err := ex.s.records.Form(ctx, ex.c.App, target)
	if err != nil || f.TitleField == "" {
		return nil
	}
	dec, err := ex.s.guard.Decide(ctx, ex.p, access.Target{App: ex.c.App, Kind: meta.KindForm, Key: target}, access.Read)
	if err != nil || !dec.Readable(f.TitleField) {
		return nil
	}
	scope, err := dec.Filter(f.QFields)
	if err != nil {
		return nil
	}
	in := &query.Node{Op: query.OpIn, Field: query.IDField}
	for _, row := range rows {
		if id, ok := row[d.as].(string); ok && len(in.Values) < store.MaxLimit {
			in.Values = append(in.Values, query.Str(id))
		}
	}
	if len(in.Values) == 0 {
		return nil
	}
	docs, err := ex.s.st.Find(ctx, f.Coll, store.Query{Filter: query.And(in, alive, scope), Limit: len(in.Values), Fields: []string{f.TitleField}})
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, doc := range docs {
		if t, ok := doc[f.TitleField]; ok && t != nil {
			out[fmt.Sprint(doc["_id"])] = fmt.Sprint(t)
		}
	}
	return out
}
