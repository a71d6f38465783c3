package automation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/query"
)

// flow.wait pauses the run: for a while, or until a time a variable
// holds (a date means its midnight in Asia/Shanghai). The run leaves the
// runner and is taken up again, by any instance, when the time comes; a
// time already past goes straight on.
//
//	{"days": 3}
//	{"hours": 2, "minutes": 30}
//	{"until": "$record.appointmentAt"}
type flowWait struct {
	d     time.Duration
	until string
}

type waitConfig struct {
	Days    int    `json:"days,omitempty"`
	Hours   int    `json:"hours,omitempty"`
	Minutes int    `json:"minutes,omitempty"`
	Until   string `json:"until,omitempty"`
}

// MaxWait bounds a wait.
const MaxWait = 366 * 24 * time.Hour

var _ Waiter = (*flowWait)(nil)

// Run is not called for a Waiter (execute.go calls Until).
func (a *flowWait) Run(context.Context, *Exec) (any, error) { return nil, nil }

// Until is when the run goes on.
func (a *flowWait) Until(_ context.Context, x *Exec) (time.Time, error) {
	if a.until == "" {
		return x.Now.Add(a.d), nil
	}
	v := x.ExpandString(a.until)
	t, err := query.ParseTime(v, query.DefaultLocation)
	if err != nil {
		return time.Time{}, coded(x.Lang, errs.Unprocessable, "automation.wait_until", v)
	}
	return t, nil
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "flow.wait", Version: 1, Group: "flow",
			Title: map[string]string{"zh-CN": "等待", "en": "Wait"},
			Config: json.RawMessage(`{"type":"object","additionalProperties":false,"properties":{"days":{"type":"integer","minimum":0},` +
				`"hours":{"type":"integer","minimum":0},"minutes":{"type":"integer","minimum":0},"until":{"type":"string"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"days":3}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c waitConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			d := time.Duration(c.Days)*24*time.Hour + time.Duration(c.Hours)*time.Hour + time.Duration(c.Minutes)*time.Minute
			switch {
			case c.Days < 0 || c.Hours < 0 || c.Minutes < 0 || c.Days > 366 || c.Hours > 366*24 || c.Minutes > 366*24*60:
				return nil, fieldErr("days", "automation.bad_wait", "days, hours and minutes are positive and at most a year in all")
			case (d > 0) == (c.Until != ""):
				return nil, fieldErr("until", "automation.wait_required", "give a duration (days, hours, minutes) or until")
			case d > MaxWait:
				return nil, fieldErr("days", "automation.bad_wait", "at most a year")
			}
			return &flowWait{d: d, until: c.Until}, nil
		},
	})
}
