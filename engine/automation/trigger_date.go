package automation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// date.relative fires once a day, at a time of day in a zone, for each
// record whose date (or datetime) field lies offsetDays before that day:
//
//	7 days before the birthday, every year:
//	{"form": "members", "field": "birthday", "offsetDays": -7, "yearly": true, "at": "09:00"}
//	90 days after the last purchase:
//	{"form": "members", "field": "lastPurchaseAt", "offsetDays": 90, "at": "10:00"}
//
// On day D it runs for the records whose field falls on D − offsetDays
// (in the zone); yearly matches month and day in any year, a 29 February
// counting as 28 February in other years. The records are found by an
// indexed query on the field (the engine creates the index), page by page.
type dateTrigger struct {
	form, field string
	offset      int
	yearly      bool
	hour, min   int
	loc         *time.Location
	catchUp     time.Duration
	filter      json.RawMessage
}

type dateConfig struct {
	Form         string          `json:"form"`
	Field        string          `json:"field"`
	OffsetDays   int             `json:"offsetDays"`
	Yearly       bool            `json:"yearly,omitempty"`
	At           string          `json:"at,omitempty"`
	Timezone     string          `json:"timezone,omitempty"`
	CatchUpHours int             `json:"catchUpHours,omitempty"`
	Filter       json.RawMessage `json:"filter,omitempty"`
}

// MaxOffsetDays bounds offsetDays both ways.
const MaxOffsetDays = 3660

// yearsBack is how many past years a yearly match covers.
const yearsBack = 130

var clockRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])$`)

func (t *dateTrigger) Form() string           { return t.form }
func (t *dateTrigger) CatchUp() time.Duration { return t.catchUp }

// Next is the next day's time of day after at, in the zone.
func (t *dateTrigger) Next(at time.Time) time.Time {
	l := at.In(t.loc)
	c := time.Date(l.Year(), l.Month(), l.Day(), t.hour, t.min, 0, 0, t.loc)
	for !c.After(at) {
		l = l.AddDate(0, 0, 1)
		c = time.Date(l.Year(), l.Month(), l.Day(), t.hour, t.min, 0, 0, t.loc)
	}
	return c
}

// Scan finds the records of the occurrence at.
func (t *dateTrigger) Scan(f *form.Form, at time.Time) (*ScanQuery, error) {
	fd, ok := f.QFields[t.field]
	if !ok || fd.Kind != query.KindDate && fd.Kind != query.KindTime {
		return nil, errs.New(errs.Unprocessable, "automation.date_field", "field %q of form %q is not a date or datetime field", t.field, f.Key)
	}
	extra, err := query.ParseFilter(t.filter, f.QFields, query.Options{Root: "filter"})
	if err != nil {
		return nil, err
	}
	l := at.In(t.loc)
	target := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, t.loc).AddDate(0, 0, -t.offset)
	var days []time.Time
	if !t.yearly {
		days = []time.Time{target}
	} else {
		for y := l.Year() + 1; y >= l.Year()-yearsBack; y-- {
			days = append(days, anniversaries(target, y)...)
		}
	}
	var match *query.Node
	if fd.Kind == query.KindDate {
		vals := make([]query.Value, len(days))
		for i, d := range days {
			vals[i] = query.DateV(d.Format("2006-01-02"))
		}
		match = &query.Node{Op: query.OpIn, Field: fd, Values: vals}
		if len(vals) == 1 {
			match = query.Eq(fd, vals[0])
		}
	} else {
		ranges := make([]*query.Node, len(days))
		for i, d := range days {
			ranges[i] = query.And(query.Cmp(fd, query.OpGte, query.TimeV(query.FormatTime(d))),
				query.Cmp(fd, query.OpLt, query.TimeV(query.FormatTime(d.AddDate(0, 0, 1)))))
		}
		match = query.Or(ranges...)
	}
	return &ScanQuery{Filter: query.And(match, extra), Order: []query.SortKey{{Field: fd}, {Field: query.IDField}},
		Index: []string{t.field, "_id"}}, nil
}

// anniversaries are the days in year y with target's month and day (28
// February also takes 29 February when y is not a leap year, and a 29
// February target is 28 February then).
func anniversaries(target time.Time, y int) []time.Time {
	m, d := target.Month(), target.Day()
	leap := time.Date(y, 2, 29, 0, 0, 0, 0, target.Location()).Day() == 29
	switch {
	case m == 2 && d == 29 && !leap:
		return nil // no such day this year; its people celebrate on the 28th
	case m == 2 && d == 28 && !isLeap(target.Year()) && leap:
		// target year has no 29th: those born on one celebrate today
		return []time.Time{time.Date(y, 2, 28, 0, 0, 0, 0, target.Location()), time.Date(y, 2, 29, 0, 0, 0, 0, target.Location())}
	}
	return []time.Time{time.Date(y, m, d, 0, 0, 0, 0, target.Location())}
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// CheckForm requires a date or datetime field and a filter over the form.
func (t *dateTrigger) CheckForm(f *form.Form) []errs.FieldError {
	fd, ok := f.QFields[t.field]
	switch {
	case !ok:
		return fieldErr("field", "automation.unknown_field", "form %q has no field %q", f.Key, t.field)
	case fd.Kind != query.KindDate && fd.Kind != query.KindTime:
		return fieldErr("field", "automation.date_field", "field %q is not a date or datetime field", t.field)
	}
	if _, err := query.ParseFilter(t.filter, f.QFields, query.Options{Root: "filter"}); err != nil {
		return filterErrors(err, "filter")
	}
	return nil
}

func init() {
	RegisterTrigger(TriggerType{
		Spec: ext.Spec{Key: "date.relative", Version: 1, Group: "schedule",
			Title: map[string]string{"zh-CN": "按日期字段（如生日前 7 天）", "en": "Relative to a date field"},
			Config: json.RawMessage(`{"type":"object","required":["form","field"],"additionalProperties":false,"properties":{` +
				`"form":{"type":"string"},"field":{"type":"string"},"offsetDays":{"type":"integer"},"yearly":{"type":"boolean"},` +
				`"at":{"type":"string","pattern":"^\\d\\d:\\d\\d$"},"timezone":{"type":"string"},"catchUpHours":{"type":"integer"},"filter":{"type":"object"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"form":"members","field":"birthday","offsetDays":-7,"yearly":true,"at":"09:00"}`)}},
		Compile: func(raw json.RawMessage) (Trigger, []errs.FieldError) {
			var c dateConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if !meta.ValidKey(c.Form) {
				fe = append(fe, fieldErr("form", "automation.form_required", "name the form")...)
			}
			if !stateRe.MatchString(c.Field) {
				fe = append(fe, fieldErr("field", "automation.field_required", "name a date or datetime field of the form")...)
			}
			if c.OffsetDays < -MaxOffsetDays || c.OffsetDays > MaxOffsetDays {
				fe = append(fe, fieldErr("offsetDays", "automation.bad_offset", "between %d and %d days", -MaxOffsetDays, MaxOffsetDays)...)
			}
			if c.At == "" {
				c.At = "09:00"
			}
			m := clockRe.FindStringSubmatch(c.At)
			if m == nil {
				fe = append(fe, fieldErr("at", "automation.bad_time", "a time of day such as 09:00")...)
				m = []string{"", "9", "0"}
			}
			hour, _ := strconv.Atoi(m[1])
			minute, _ := strconv.Atoi(m[2])
			loc, bad := loadZone(c.Timezone, "timezone")
			fe = append(fe, bad...)
			catchUp, bad := catchUpOf(c.CatchUpHours)
			fe = append(fe, bad...)
			if len(c.Filter) > 0 && !isObject(c.Filter) {
				fe = append(fe, fieldErr("filter", "automation.bad_filter", "a filter is an object")...)
			}
			if loc == nil {
				loc = query.DefaultLocation
			}
			return &dateTrigger{form: c.Form, field: c.Field, offset: c.OffsetDays, yearly: c.Yearly, hour: hour, min: minute,
				loc: loc, catchUp: catchUp, filter: c.Filter}, fe
		},
	})
}

// occurrenceKey names an occurrence in ids: its time, UTC.
func occurrenceKey(t time.Time) string { return fmt.Sprint(t.UTC().Format("20060102T1504Z")) }
