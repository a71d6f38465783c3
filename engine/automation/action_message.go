package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/i18n"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// message.send sends a message through a channel (default "outbox"; a
// list names fallbacks: ["sms", "outbox"] uses sms where the server has it
// configured, else keeps the message in the outbox) to
// the addresses in to and/or to the staff holding a position in an org
// unit (by username: what WeCom and the like address people by). The text
// and subject are templates per language, "{{record.name}}" style; the
// message is in the record's or payload's "lang" when it has one, else
// Chinese. "{{record.tier|label}}" shows a choice field's label:
//
//	{"channel": "sms", "to": "$record.phone",
//	 "text": {"zh-CN": "{{record.name}}，生日快乐！送您一张生日券。", "en": "Happy birthday, {{record.name}}!"}}
//	{"channel": "wecom", "toStaff": {"unit": "$steps.store.orgUnit", "position": "store_clerk"},
//	 "text": "VIP 会员 {{record.name}} 已 60 天未到店，请回访。"}
//
// The action only writes the messages (one per recipient, ids made from
// the action's idempotency key) in the run's transaction: delivery is the
// channel's business and is retried on its own, so a channel that is down
// holds up nothing else. No recipient is not a failure: the output says
// so.
type messageSend struct {
	channels      []string
	to            any
	staff         *staffSpec
	subject, text map[string]string
	data          map[string]any
	lang          string
}

type staffSpec struct {
	Unit     string `json:"unit"`
	Position string `json:"position"`
}

type messageConfig struct {
	Channel any             `json:"channel,omitempty"`
	To      any             `json:"to,omitempty"`
	ToStaff *staffSpec      `json:"toStaff,omitempty"`
	Subject json.RawMessage `json:"subject,omitempty"`
	Text    json.RawMessage `json:"text"`
	Data    map[string]any  `json:"data,omitempty"`
	Lang    string          `json:"lang,omitempty"`
}

// MaxRecipients bounds the recipients of one message action.
const MaxRecipients = 200

var positionRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// Run writes the messages.
func (a *messageSend) Run(ctx context.Context, x *Exec) (any, error) {
	channel := ""
	for _, c := range a.channels {
		if _, ok := x.Svc.channels.get(c); ok {
			channel = c
			break
		}
	}
	if channel == "" {
		return nil, coded(x.Lang, errs.Unavailable, "automation.channel_unknown", strings.Join(a.channels, ", "))
	}
	lang := x.Lang
	if a.lang != "" {
		lang = x.ExpandString(a.lang)
	}
	to := stringList(x.Expand(a.to))
	if a.staff != nil {
		users, err := x.Svc.staff(ctx, x.ExpandString(a.staff.Unit), a.staff.Position)
		if err != nil {
			return nil, err
		}
		to = append(to, users...)
	}
	to = uniqueNonEmpty(to)
	if len(to) > MaxRecipients {
		to = to[:MaxRecipients]
	}
	if len(to) == 0 {
		return map[string]any{"messages": 0, "skipped": "no recipient"}, nil
	}
	x.labels = x.Svc.labeler(ctx, x, lang)
	subject, text := x.Text(localized(a.subject, lang)), x.Text(localized(a.text, lang))
	var data map[string]any
	if a.data != nil {
		data, _ = x.Expand(a.data).(map[string]any)
	}
	docs := make([]store.Doc, len(to))
	ids := make([]any, len(to))
	for i, addr := range to {
		m := &Message{ID: fmt.Sprintf("%s#%d", x.Key, i), App: x.Run.App, Channel: channel, To: addr, Subject: subject,
			Text: text, Data: data, Lang: lang, Automation: x.Run.Automation, Run: x.Run.ID}
		docs[i], ids[i] = x.Svc.newMessage(m, x.Step, x.Now), m.ID
	}
	if _, err := x.Tx.InsertMany(ctx, CollMessages, docs); err != nil {
		return nil, err
	}
	return map[string]any{"messages": len(docs), "ids": ids, "channel": channel}, nil
}

// staffMember is a user holding a position.
type staffMember struct{ ID, Username string }

// staff lists the usernames of the enabled users holding position in
// unit.
func (s *Service) staff(ctx context.Context, unit, position string) ([]string, error) {
	list, err := s.staffOf(ctx, unit, position)
	out := make([]string, len(list))
	for i, u := range list {
		out[i] = u.Username
	}
	return out, err
}

// staffOf lists the enabled users holding position in unit (the pair in
// one membership).
func (s *Service) staffOf(ctx context.Context, unit, position string) ([]staffMember, error) {
	if unit == "" || s.auth == nil {
		return nil, nil
	}
	fields := auth.UserFields()
	filter := query.And(query.Eq(fields["unitIds"], query.Str(unit)), query.Eq(fields["positions"], query.Str(position)),
		query.Cmp(fields["disabled"], query.OpNe, query.Bool(true)))
	page, err := s.auth.ListUsers(ctx, auth.System(), auth.UserList{Filter: filter, Limit: MaxRecipients})
	if err != nil {
		return nil, err
	}
	var out []staffMember
	for _, u := range page.Users {
		for _, m := range u.Memberships {
			if m.UnitID == unit && m.Position == position {
				out = append(out, staffMember{ID: u.ID, Username: u.Username})
				break
			}
		}
	}
	return out, nil
}

// localized picks a text in lang (then Chinese, then English, then any).
func localized(t map[string]string, lang string) string {
	if len(t) == 0 {
		return ""
	}
	want := "zh-CN"
	if i18n.IsEnglish(lang) {
		want = "en"
	}
	for _, k := range []string{want, "zh-CN", "en", ""} {
		if v, ok := t[k]; ok {
			return v
		}
	}
	for _, v := range t {
		return v
	}
	return ""
}

// textMap reads a string or a {lang: text} object.
func textMap(raw json.RawMessage) (map[string]string, bool) {
	if len(raw) == 0 {
		return nil, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return map[string]string{"": s}, true
	}
	var m map[string]string
	if json.Unmarshal(raw, &m) == nil && len(m) > 0 {
		return m, true
	}
	return nil, false
}

// stringList reads one string or a list of strings (others are skipped).
func stringList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func uniqueNonEmpty(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "message.send", Version: 1, Group: "message",
			Title: map[string]string{"zh-CN": "发送消息", "en": "Send a message"},
			Config: json.RawMessage(`{"type":"object","required":["text"],"additionalProperties":false,"properties":{"channel":{"type":"string"},` +
				`"to":{},"toStaff":{"type":"object","required":["unit","position"],"properties":{"unit":{"type":"string"},"position":{"type":"string"}}},` +
				`"subject":{},"text":{},"data":{"type":"object"},"lang":{"type":"string"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"channel":"sms","to":"$record.phone","text":{"zh-CN":"{{record.name}}，生日快乐！","en":"Happy birthday, {{record.name}}!"}}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c messageConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			channels := stringList(c.Channel)
			if c.Channel == nil {
				channels = []string{DefaultChannel}
			}
			if len(channels) == 0 || len(channels) != len(stringList(c.Channel)) && c.Channel != nil {
				fe = append(fe, fieldErr("channel", "automation.bad_channel", "a channel name, or a list of them (the first configured is used)")...)
			}
			a := &messageSend{channels: channels, to: c.To, staff: c.ToStaff, data: c.Data, lang: c.Lang}
			var ok bool
			if a.text, ok = textMap(c.Text); !ok || len(a.text) == 0 {
				fe = append(fe, fieldErr("text", "automation.text_required", "a text, or texts by language {\"zh-CN\": ..., \"en\": ...}")...)
			}
			if a.subject, ok = textMap(c.Subject); !ok {
				fe = append(fe, fieldErr("subject", "automation.bad_text", "a text, or texts by language")...)
			}
			switch c.To.(type) {
			case nil, string, []any:
			default:
				fe = append(fe, fieldErr("to", "automation.bad_recipient", "an address, a list of them, or a variable such as $record.phone")...)
			}
			if c.To == nil && c.ToStaff == nil {
				fe = append(fe, fieldErr("to", "automation.recipient_required", "give to or toStaff")...)
			}
			if c.ToStaff != nil && (c.ToStaff.Unit == "" || !positionRe.MatchString(c.ToStaff.Position)) {
				fe = append(fe, fieldErr("toStaff", "automation.bad_staff", "unit (an org unit id or variable) and position (a position key such as store_clerk)")...)
			}
			return a, fe
		},
	})
}

// labeler renders choice values of the automation's form ("record.tier",
// "before.tier") as their option labels in lang; other values as text.
func (s *Service) labeler(ctx context.Context, x *Exec, lang string) func(string, any) string {
	key := ""
	if x.Auto != nil && x.Auto.Trigger != nil {
		key = x.Auto.Trigger.Form()
	}
	var f *form.Form
	if key != "" && x.Tx != nil {
		// Through the transaction: the records service outside it could
		// need the writer this goroutine holds (a form first compiled).
		f, _ = x.Records().Form(ctx, x.Run.App, key)
	}
	return func(name string, v any) string {
		_, field, _ := strings.Cut(name, ".")
		if f == nil || strings.Contains(field, ".") {
			return textOf(v)
		}
		fd, ok := f.Field(field)
		if !ok || len(fd.Options) == 0 {
			return textOf(v)
		}
		vals := stringList(v)
		out := make([]string, len(vals))
		for i, val := range vals {
			out[i] = val
			for _, o := range fd.Options {
				if o.Value == val {
					if t, ok := textMap(o.Label); ok {
						out[i] = localized(t, lang)
					}
				}
			}
		}
		return strings.Join(out, "、")
	}
}
