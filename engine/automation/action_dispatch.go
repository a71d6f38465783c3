package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// task.dispatch is HQ → store task dispatch (任务下发): one task record
// per target store, all in the run's transaction (all or nothing, once),
// with a due date and, when the task form has the fields, the store's org
// unit (storeUnit: by which store and region managers see their tasks) and
// the users holding the assignee position there (assignees). With notify,
// those users also get a message.
//
//	{"targets": {"regions": ["east", "north"]}, "title": "国庆陈列检查", "dueInDays": 7,
//	 "assigneePosition": "store_manager", "values": {"campaign": "$record._id"},
//	 "notify": {"channel": "wecom", "text": "新任务：{{payload.title}}"}}
//
// targets: all stores (all), stores of regions (regions), a list of store
// codes or ids (stores), or a filter on the stores form (filter); closed
// stores are left out unless includeClosed. Progress per store and region
// is read with Service.Progress (GET .../store-tasks/progress).
type taskDispatch struct {
	c taskDispatchConfig
}

type taskDispatchConfig struct {
	Form             string          `json:"form,omitempty"`
	StoreForm        string          `json:"storeForm,omitempty"`
	Targets          dispatchTargets `json:"targets"`
	Title            string          `json:"title"`
	DueAt            string          `json:"dueAt,omitempty"`
	DueInDays        int             `json:"dueInDays,omitempty"`
	AssigneePosition string          `json:"assigneePosition,omitempty"`
	Values           map[string]any  `json:"values,omitempty"`
	Notify           *dispatchNotify `json:"notify,omitempty"`
}

type dispatchTargets struct {
	All           bool            `json:"all,omitempty"`
	Regions       any             `json:"regions,omitempty"`
	Stores        any             `json:"stores,omitempty"`
	Filter        json.RawMessage `json:"filter,omitempty"`
	IncludeClosed bool            `json:"includeClosed,omitempty"`
}

type dispatchNotify struct {
	Channel string          `json:"channel,omitempty"`
	Text    json.RawMessage `json:"text"`
}

// MaxDispatch bounds the stores of one dispatch.
const MaxDispatch = 5000

// Run creates the tasks.
func (a *taskDispatch) Run(ctx context.Context, x *Exec) (any, error) {
	c := a.c
	recs := x.Records()
	tf, err := recs.Form(ctx, x.Run.App, c.Form)
	if err != nil {
		return nil, err
	}
	filter, err := a.storeFilter(ctx, x)
	if err != nil {
		return nil, err
	}
	title := x.ExpandString(c.Title)
	due := ""
	switch {
	case c.DueAt != "":
		t, err := query.ParseTime(x.ExpandString(c.DueAt), query.DefaultLocation)
		if err != nil {
			return nil, errs.New(errs.Unprocessable, "automation.dispatch_due", "dueAt is not a time: %v", err)
		}
		due = query.FormatTime(t)
	case c.DueInDays > 0:
		l := x.Now.In(query.DefaultLocation).AddDate(0, 0, c.DueInDays)
		due = query.FormatTime(time.Date(l.Year(), l.Month(), l.Day(), 23, 59, 59, 0, query.DefaultLocation))
	}
	values, _ := x.Expand(c.Values).(map[string]any)
	var text map[string]string
	if c.Notify != nil {
		text, _ = textMap(c.Notify.Text)
	}
	q := form.ListQuery{Filter: filter, Sort: "_id", Limit: form.MaxPageSize}
	n := 0
	var msgs []store.Doc
	for {
		page, err := recs.List(ctx, x.Principal(), x.Run.App, c.StoreForm, q)
		if err != nil {
			return nil, err
		}
		for _, st := range page.Items {
			if n++; n > MaxDispatch {
				return nil, coded(x.Lang, errs.Unprocessable, "automation.dispatch_too_many", MaxDispatch)
			}
			task := map[string]any{}
			for k, v := range values {
				task[k] = v
			}
			id, _ := st[form.SysID].(string)
			unit, _ := st["orgUnit"].(string)
			setIf(tf, task, "title", title)
			setIf(tf, task, "store", id)
			setIf(tf, task, "dueAt", due)
			setIf(tf, task, "status", "todo")
			setIf(tf, task, "progress", 0)
			if unit != "" {
				setIf(tf, task, "storeUnit", unit)
			}
			var staff []staffMember
			if c.AssigneePosition != "" && unit != "" {
				if staff, err = x.Svc.staffOf(ctx, unit, c.AssigneePosition); err != nil {
					return nil, err
				}
				if len(staff) > 0 {
					ids := make([]any, len(staff))
					for i, u := range staff {
						ids[i] = u.ID
					}
					setIf(tf, task, "assignees", ids)
				}
				setIf(tf, task, "assigneePosition", c.AssigneePosition)
			}
			if _, err := recs.Create(ctx, x.Principal(), x.Run.App, c.Form, task, form.WriteOptions{Lang: x.Lang}); err != nil {
				return nil, err
			}
			for _, u := range staff {
				if text == nil {
					break
				}
				m := &Message{ID: fmt.Sprintf("%s#%d", x.Key, len(msgs)), App: x.Run.App, Channel: c.Notify.Channel, To: u.Username,
					Text: x.Text(localized(text, x.Lang)), Lang: x.Lang, Automation: x.Run.Automation, Run: x.Run.ID,
					Data: map[string]any{"store": id, "title": title, "dueAt": due}}
				msgs = append(msgs, x.Svc.newMessage(m, x.Step, x.Now))
			}
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if n == 0 {
		return nil, coded(x.Lang, errs.Unprocessable, "automation.dispatch_no_targets")
	}
	if len(msgs) > 0 {
		if _, ok := x.Svc.channels.get(c.Notify.Channel); !ok {
			return nil, coded(x.Lang, errs.Unavailable, "automation.channel_unknown", c.Notify.Channel)
		}
		if _, err := x.Tx.InsertMany(ctx, CollMessages, msgs); err != nil {
			return nil, err
		}
	}
	return map[string]any{"tasks": n, "title": title, "dueAt": due, "messages": len(msgs)}, nil
}

// storeFilter is the filter on the stores form the targets make.
func (a *taskDispatch) storeFilter(ctx context.Context, x *Exec) ([]byte, error) {
	t := a.c.Targets
	var parts []any
	if !t.IncludeClosed {
		sf, err := x.Records().Form(ctx, x.Run.App, a.c.StoreForm)
		if err != nil {
			return nil, err
		}
		if _, ok := sf.Field("status"); ok {
			parts = append(parts, map[string]any{"status": map[string]any{"$ne": "closed"}})
		}
	}
	if t.Regions != nil {
		parts = append(parts, map[string]any{"region": map[string]any{"$in": toAnyList(stringList(x.Expand(t.Regions)))}})
	}
	if t.Stores != nil {
		list := toAnyList(stringList(x.Expand(t.Stores)))
		parts = append(parts, map[string]any{"$or": []any{
			map[string]any{"code": map[string]any{"$in": list}}, map[string]any{"_id": map[string]any{"$in": list}}}})
	}
	if len(t.Filter) > 0 {
		var f any
		if err := json.Unmarshal(t.Filter, &f); err != nil {
			return nil, err
		}
		parts = append(parts, x.Expand(f))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return json.Marshal(map[string]any{"$and": parts})
}

// setIf sets a task field the task form has.
func setIf(f *form.Form, task map[string]any, key string, v any) {
	if _, ok := f.Field(key); ok {
		if _, given := task[key]; !given && v != "" {
			task[key] = v
		}
	}
}

func toAnyList(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "task.dispatch", Version: 1, Group: "collaboration",
			Title: map[string]string{"zh-CN": "下发门店任务", "en": "Dispatch store tasks"},
			Config: json.RawMessage(`{"type":"object","required":["targets","title"],"additionalProperties":false,"properties":{` +
				`"form":{"type":"string"},"storeForm":{"type":"string"},"targets":{"type":"object","properties":{"all":{"type":"boolean"},` +
				`"regions":{},"stores":{},"filter":{"type":"object"},"includeClosed":{"type":"boolean"}}},"title":{"type":"string"},` +
				`"dueAt":{"type":"string"},"dueInDays":{"type":"integer","minimum":1},"assigneePosition":{"type":"string"},"values":{"type":"object"},` +
				`"notify":{"type":"object","required":["text"],"properties":{"channel":{"type":"string"},"text":{}}}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"targets":{"regions":["east"]},"title":"国庆陈列检查","dueInDays":7,"assigneePosition":"store_manager"}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c taskDispatchConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			if c.Form == "" {
				c.Form = "store-tasks"
			}
			if c.StoreForm == "" {
				c.StoreForm = "stores"
			}
			var fe []errs.FieldError
			if !meta.ValidKey(c.Form) || !meta.ValidKey(c.StoreForm) {
				fe = append(fe, fieldErr("form", "automation.bad_form", "form and storeForm are form keys")...)
			}
			tg := c.Targets
			n := 0
			for _, given := range []bool{tg.All, tg.Regions != nil, tg.Stores != nil, len(tg.Filter) > 0} {
				if given {
					n++
				}
			}
			if n != 1 {
				fe = append(fe, fieldErr("targets", "automation.dispatch_targets", "give exactly one of all, regions, stores, filter")...)
			}
			if c.Title == "" {
				fe = append(fe, fieldErr("title", "automation.title_required", "the task's title")...)
			}
			if c.DueAt != "" && c.DueInDays != 0 || c.DueInDays < 0 || c.DueInDays > 366 {
				fe = append(fe, fieldErr("dueInDays", "automation.dispatch_due", "dueAt or dueInDays (1 to 366), not both")...)
			}
			if c.AssigneePosition != "" && !positionRe.MatchString(c.AssigneePosition) {
				fe = append(fe, fieldErr("assigneePosition", "automation.bad_position", "a position key such as store_manager")...)
			}
			if c.Notify != nil {
				if c.Notify.Channel == "" {
					c.Notify.Channel = DefaultChannel
				}
				if t, ok := textMap(c.Notify.Text); !ok || len(t) == 0 {
					fe = append(fe, fieldErr("notify.text", "automation.text_required", "the message text")...)
				}
				if c.AssigneePosition == "" {
					fe = append(fe, fieldErr("notify", "automation.notify_position", "notify goes to the assignee position's holders: give assigneePosition")...)
				}
			}
			return &taskDispatch{c: c}, fe
		},
	})
}
