package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// paramPlan is one declared parameter.
type paramPlan struct {
	key, typ string
	fi       *fieldInfo
	required bool
	def      json.RawMessage
	label    json.RawMessage
}

// Period is a date range: whole days from From to To inclusive, in the
// report's zone.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// days is the number of days the period covers.
func (p Period) days() int {
	f, _ := time.Parse(dateLayout, p.From)
	t, _ := time.Parse(dateLayout, p.To)
	return int(t.Sub(f).Hours()/24) + 1
}

const dateLayout = "2006-01-02"

// bound is a parameter's value as a run uses it.
type bound struct {
	plan   *paramPlan
	period *Period // dateRange
	value  any     // value: the decoded JSON (scalar or list)
}

// MaxParamsBytes bounds the parameters of one run.
const MaxParamsBytes = 64 << 10

func (c *Compiled) compileParams(p *problems) {
	seen := map[string]bool{}
	for i, pr := range c.Spec.Parameters {
		at := fmt.Sprintf("parameters[%d]", i)
		if !outputRe.MatchString(pr.Key) || seen[pr.Key] {
			p.add(at+".key", "report.name", pr.Key)
		}
		seen[pr.Key] = true
		fi := c.field(pr.Field, at+".field", p)
		if fi == nil {
			continue
		}
		pp := &paramPlan{key: pr.Key, typ: pr.Type, fi: fi, required: pr.Required, def: pr.Default, label: pr.Label}
		switch pr.Type {
		case ParamDateRange:
			if fi.q.Kind != query.KindTime && fi.q.Kind != query.KindDate {
				p.add(at+".field", "report.param", pr.Key, "a date range filters a date or time field")
				continue
			}
			if c.period == nil {
				c.period = pp
			}
		case ParamValue:
		default:
			p.addf(at+".type", "report.invalid", "unknown parameter type %q (dateRange, value)", pr.Type)
			continue
		}
		if len(pr.Default) > 0 && string(pr.Default) != "null" {
			if _, err := pp.bind(pr.Default, time.Now(), c.loc, "en"); err != nil {
				p.add(at+".default", "report.param", pr.Key, errText(err))
			}
		}
		c.params = append(c.params, pp)
	}
}

// errText is an error's client message with its field details.
func errText(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return err.Error()
	}
	if len(e.Fields) > 0 {
		return e.Fields[0].Message
	}
	return e.Msg
}

// bindParams reads the caller's parameter values (a JSON object), applying
// defaults; unknown keys, wrong types and missing required values are 400
// errors with paths "parameters.<key>".
func (c *Compiled) bindParams(raw map[string]json.RawMessage, now time.Time, lang string) ([]bound, error) {
	p := &problems{lang: lang}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if c.param(k) == nil {
			p.add("parameters."+k, "report.param_unknown", k)
		}
	}
	var out []bound
	for _, pp := range c.params {
		v, ok := raw[pp.key]
		if !ok || isNull(v) {
			v = pp.def
		}
		if isNull(v) {
			if pp.required {
				p.add("parameters."+pp.key, "report.param_required", pp.key)
			}
			continue
		}
		b, err := pp.bind(v, now, c.loc, lang)
		if err != nil {
			p.add("parameters."+pp.key, "report.param", pp.key, errText(err))
			continue
		}
		out = append(out, b)
	}
	if err := p.err(errs.Invalid, "report.param"); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Compiled) param(key string) *paramPlan {
	for _, pp := range c.params {
		if pp.key == key {
			return pp
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// bind checks one value: a period (object or preset name) for a date
// range, a value or list of values of the field's type otherwise.
func (pp *paramPlan) bind(raw json.RawMessage, now time.Time, loc *time.Location, lang string) (bound, error) {
	if pp.typ == ParamDateRange {
		per, err := parsePeriod(raw, now, loc)
		if err != nil {
			return bound{}, err
		}
		return bound{plan: pp, period: &per}, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return bound{}, fmt.Errorf("not valid JSON")
	}
	switch x := v.(type) {
	case map[string]any:
		return bound{}, fmt.Errorf("expected a value or a list of values, not an object")
	case []any:
		if len(x) > 1000 {
			return bound{}, fmt.Errorf("at most 1000 values")
		}
		for _, it := range x {
			if _, ok := it.([]any); ok {
				return bound{}, fmt.Errorf("expected a value or a list of values")
			}
			if _, ok := it.(map[string]any); ok {
				return bound{}, fmt.Errorf("expected a value or a list of values")
			}
		}
	}
	if _, err := pp.filter(bound{value: v}, loc); err != nil {
		return bound{}, err
	}
	return bound{plan: pp, value: v}, nil
}

// filter is the condition a bound parameter puts on the dataset.
func (pp *paramPlan) filter(b bound, loc *time.Location) (*query.Node, error) {
	fields := query.Fields{pp.fi.q.Path: pp.fi.q}
	if b.period != nil {
		return periodFilter(pp.fi.q, *b.period, loc), nil
	}
	cond := any(b.value)
	if list, ok := b.value.([]any); ok {
		cond = map[string]any{"$in": list}
	}
	return query.ParseFilterValue(map[string]any{pp.fi.q.Path: cond}, fields, query.Options{Root: "value", Location: loc})
}

// periodFilter selects the period's days on a date field, or its instants
// (from midnight of From to midnight after To, in loc) on a time field.
func periodFilter(f query.Field, per Period, loc *time.Location) *query.Node {
	if f.Kind == query.KindDate {
		return query.And(query.Cmp(f, query.OpGte, query.DateV(per.From)), query.Cmp(f, query.OpLte, query.DateV(per.To)))
	}
	from, _ := time.ParseInLocation(dateLayout, per.From, loc)
	to, _ := time.ParseInLocation(dateLayout, per.To, loc)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	return query.And(query.Cmp(f, query.OpGte, query.TimeV(query.FormatTime(from))), query.Cmp(f, query.OpLt, query.TimeV(query.FormatTime(end))))
}

// parsePeriod reads {"from": "2026-01-01", "to": "2026-01-31"} or a
// preset name.
func parsePeriod(raw json.RawMessage, now time.Time, loc *time.Location) (Period, error) {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		return preset(name, now, loc)
	}
	var per Period
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&per); err != nil {
		return Period{}, fmt.Errorf(`expected {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"} or a preset name`)
	}
	f, err1 := time.Parse(dateLayout, per.From)
	t, err2 := time.Parse(dateLayout, per.To)
	switch {
	case err1 != nil || err2 != nil:
		return Period{}, fmt.Errorf("from and to are dates (YYYY-MM-DD)")
	case t.Before(f):
		return Period{}, fmt.Errorf("to is before from")
	case t.Sub(f) > 20*366*24*time.Hour:
		return Period{}, fmt.Errorf("a period spans at most 20 years")
	}
	return per, nil
}

// The comparisons a report may add.
const (
	comparePrevious = "previousPeriod"
	compareLastYear = "lastYear"
)

// shifted is the period a comparison reads: as long and just before, or
// the same days a year earlier.
func shifted(per Period, cmp string) Period {
	f, _ := time.Parse(dateLayout, per.From)
	t, _ := time.Parse(dateLayout, per.To)
	if cmp == compareLastYear {
		return Period{From: f.AddDate(-1, 0, 0).Format(dateLayout), To: t.AddDate(-1, 0, 0).Format(dateLayout)}
	}
	if months := wholeMonths(f, t); months > 0 {
		// March against February, a quarter against the one before: the
		// same number of calendar months, not of days.
		return Period{From: f.AddDate(0, -months, 0).Format(dateLayout), To: f.AddDate(0, 0, -1).Format(dateLayout)}
	}
	if f.Day() == 1 && f.Year() == t.Year() && f.Month() == t.Month() {
		// Month to date against the same days of the month before (at
		// most to its end: March 1-31 is whole, so March 1-30 against
		// February 1-28).
		pf := f.AddDate(0, -1, 0)
		pt := pf.AddDate(0, 0, t.Day()-1)
		if pt.Month() != pf.Month() {
			pt = f.AddDate(0, 0, -1)
		}
		return Period{From: pf.Format(dateLayout), To: pt.Format(dateLayout)}
	}
	n := per.days()
	return Period{From: f.AddDate(0, 0, -n).Format(dateLayout), To: f.AddDate(0, 0, -1).Format(dateLayout)}
}

// wholeMonths is the number of calendar months from f to t when the
// period is exactly whole months, else 0.
func wholeMonths(f, t time.Time) int {
	next := t.AddDate(0, 0, 1)
	if f.Day() != 1 || next.Day() != 1 {
		return 0
	}
	return (next.Year()-f.Year())*12 + int(next.Month()) - int(f.Month())
}
