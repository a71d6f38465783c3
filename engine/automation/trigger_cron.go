package automation

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// schedule.cron fires at each occurrence of a cron expression in a time
// zone (github.com/robfig/cron/v3, five fields or @daily-style
// descriptors), once across all server instances:
//
//	{"cron": "0 9 * * 1", "timezone": "Asia/Shanghai"}
//
// With forEach it runs once per record of a form that matches a filter at
// the occurrence, paging through the records (a million members are never
// in memory at once):
//
//	{"cron": "0 10 1 12 *", "forEach": {"form": "members", "filter": {"points": {"$gt": 0}}}}
type cronTrigger struct {
	sched   cron.Schedule
	catchUp time.Duration
}

type cronScanTrigger struct {
	cronTrigger
	form   string
	filter json.RawMessage
}

type cronConfig struct {
	Cron         string       `json:"cron"`
	Timezone     string       `json:"timezone,omitempty"`
	CatchUpHours int          `json:"catchUpHours,omitempty"`
	ForEach      *forEachSpec `json:"forEach,omitempty"`
}

type forEachSpec struct {
	Form   string          `json:"form"`
	Filter json.RawMessage `json:"filter,omitempty"`
}

// MaxCatchUpHours bounds how far back a trigger may catch up.
const MaxCatchUpHours = 24 * 31

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func (t *cronTrigger) Form() string                { return "" }
func (t *cronTrigger) Next(at time.Time) time.Time { return t.sched.Next(at) }
func (t *cronTrigger) CatchUp() time.Duration      { return t.catchUp }
func (t *cronScanTrigger) Form() string            { return t.form }

// Scan pages through the form's records matching the filter, by id.
func (t *cronScanTrigger) Scan(f *form.Form, _ time.Time) (*ScanQuery, error) {
	n, err := query.ParseFilter(t.filter, f.QFields, query.Options{Root: "forEach.filter"})
	if err != nil {
		return nil, err
	}
	return &ScanQuery{Filter: n, Order: []query.SortKey{{Field: query.IDField}}}, nil
}

// CheckForm parses the filter against the form.
func (t *cronScanTrigger) CheckForm(f *form.Form) []errs.FieldError {
	if _, err := t.Scan(f, time.Time{}); err != nil {
		return filterErrors(err, "forEach.filter")
	}
	return nil
}

// compileCron parses the expression in its zone and refuses one that
// never fires (30 February): robfig's Next gives up after five years.
func compileCron(expr, zone string, path string) (cron.Schedule, []errs.FieldError) {
	loc, fe := loadZone(zone, "timezone")
	if len(fe) > 0 {
		return nil, fe
	}
	if strings.HasPrefix(strings.TrimSpace(expr), "@every") {
		return nil, fieldErr(path, "automation.cron_every",
			"@every has no fixed times, so instances cannot agree on its occurrences; use a cron expression")
	}
	if strings.Contains(expr, "TZ=") {
		return nil, fieldErr(path, "automation.cron_tz", "set the time zone with timezone, not in the expression")
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return nil, fieldErr(path, "automation.bad_cron", "%s", err.Error())
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		spec.Location = loc
	}
	if sched.Next(time.Now()).IsZero() {
		return nil, fieldErr(path, "automation.cron_never_fires", "%q never fires (no occurrence in the next five years)", expr)
	}
	return sched, nil
}

// loadZone loads an IANA zone, default Asia/Shanghai.
func loadZone(name, path string) (*time.Location, []errs.FieldError) {
	if name == "" {
		return query.DefaultLocation, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fieldErr(path, "automation.bad_timezone", "unknown time zone %q (an IANA name such as Asia/Shanghai)", name)
	}
	return loc, nil
}

func catchUpOf(hours int) (time.Duration, []errs.FieldError) {
	if hours < 0 || hours > MaxCatchUpHours {
		return 0, fieldErr("catchUpHours", "automation.bad_catch_up", "between 0 and %d hours", MaxCatchUpHours)
	}
	return time.Duration(hours) * time.Hour, nil
}

func init() {
	RegisterTrigger(TriggerType{
		Spec: ext.Spec{Key: "schedule.cron", Version: 1, Group: "schedule",
			Title: map[string]string{"zh-CN": "定时", "en": "On a schedule"},
			Config: json.RawMessage(`{"type":"object","required":["cron"],"additionalProperties":false,"properties":{"cron":{"type":"string"},` +
				`"timezone":{"type":"string"},"catchUpHours":{"type":"integer"},"forEach":{"type":"object","required":["form"],"properties":{"form":{"type":"string"},"filter":{"type":"object"}}}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"cron":"0 9 * * 1","timezone":"Asia/Shanghai"}`)}},
		Compile: func(raw json.RawMessage) (Trigger, []errs.FieldError) {
			var c cronConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			sched, fe := compileCron(c.Cron, c.Timezone, "cron")
			catchUp, bad := catchUpOf(c.CatchUpHours)
			fe = append(fe, bad...)
			t := cronTrigger{sched: sched, catchUp: catchUp}
			if c.ForEach == nil {
				return &t, fe
			}
			if !meta.ValidKey(c.ForEach.Form) {
				fe = append(fe, fieldErr("forEach.form", "automation.form_required", "name the form whose records to run for")...)
			}
			if len(c.ForEach.Filter) > 0 && !isObject(c.ForEach.Filter) {
				fe = append(fe, fieldErr("forEach.filter", "automation.bad_filter", "a filter is an object")...)
			}
			return &cronScanTrigger{cronTrigger: t, form: c.ForEach.Form, filter: c.ForEach.Filter}, fe
		},
	})
}

// isObject reports whether raw is a JSON object.
func isObject(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil
}

// filterErrors turns a query parse error into field errors under path.
func filterErrors(err error, path string) []errs.FieldError {
	e, ok := errs.As(err)
	if !ok {
		return fieldErr(path, "automation.bad_filter", "%s", err.Error())
	}
	if len(e.Fields) == 0 {
		return fieldErr(path, e.Code, "%s", e.Msg)
	}
	out := make([]errs.FieldError, len(e.Fields))
	copy(out, e.Fields)
	return out
}
