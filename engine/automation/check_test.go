package automation_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/meta"
)

// TestBadDefinitions: every mistake is refused on save with the path of
// the offending part, and nothing is stored.
func TestBadDefinitions(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name, spec string
		want       []string
	}{
		{"unknown trigger and action", `{"title": "x", "trigger": {"type": "record.exploded"}, "actions": [{"type": "coupon.burn"}]}`,
			[]string{"spec.actions[0].type automation.unknown_action", "spec.trigger.type automation.unknown_trigger"}},
		{"unknown settings", `{"title": "x", "trigger": {"type": "record.created", "config": {"form": "members", "feild": "x"}},
		  "actions": [{"type": "ledger.post", "config": {"kind": "points", "unit": "point", "amount": 1, "type": "gift", "amout": 2}}]}`,
			[]string{"spec.actions[0].config.amout automation.unknown_setting", "spec.trigger.config.feild automation.unknown_setting"}},
		{"wrong types", `{"title": "x", "trigger": {"type": "date.relative", "config": {"form": "members", "field": "birthday", "offsetDays": "seven"}}, "actions": []}`,
			[]string{"spec.trigger.config.offsetDays automation.config_type"}},
		{"bad values", `{"title": "x", "trigger": {"type": "date.relative", "config": {"form": "members", "field": "birthday", "offsetDays": 99999, "at": "25:00", "timezone": "Mars/Olympus"}},
		  "actions": [{"type": "ledger.post", "config": {"kind": "Points!", "unit": "yuan", "amount": 0, "type": "gift"}}]}`,
			[]string{"spec.actions[0].config.amount automation.bad_amount", "spec.actions[0].config.kind automation.bad_kind",
				"spec.actions[0].config.unit automation.bad_unit", "spec.trigger.config.at automation.bad_time",
				"spec.trigger.config.offsetDays automation.bad_offset", "spec.trigger.config.timezone automation.bad_timezone"}},
		{"nested", `{"title": "x", "trigger": {"type": "record.created", "config": {"form": "members"}}, "actions": [
		  {"id": "b", "type": "flow.branch", "config": {"value": "$record.tier", "test": {"$like": "g"}, "then": [
		    {"id": "b", "type": "message.send", "config": {"text": "x"}},
		    {"type": "http.call", "config": {"url": "ftp://x", "timeoutSeconds": 90}}]}}]}`,
			[]string{"spec.actions[0].config.test.$like automation.unknown_operator",
				"spec.actions[0].config.then[0].id automation.duplicate_id",
				"spec.actions[0].config.then[1].config.timeoutSeconds automation.bad_timeout",
				"spec.actions[0].config.then[1].config.url automation.bad_url"}},
		{"webhook", `{"title": "x", "trigger": {"type": "webhook.inbound", "config": {"secret": "short", "schema": {"$ref": "https://evil.example/s.json"}}}, "actions": []}`,
			[]string{"spec.trigger.config.schema.$ref automation.remote_ref", "spec.trigger.config.secret automation.weak_secret"}},
		{"condition without a form", `{"title": "x", "trigger": {"type": "schedule.cron", "config": {"cron": "0 9 * * *"}}, "condition": {"tier": "gold"}, "actions": []}`,
			[]string{"spec.condition automation.condition_without_form"}},
		{"against the form", `{"title": "x", "trigger": {"type": "date.relative", "config": {"form": "members", "field": "name", "filter": {"ghost": 1}}},
		  "condition": {"tier": {"$regex": "g"}, "nope": true},
		  "actions": [{"type": "record.update", "config": {"values": {"phantom": 1}}}]}`,
			[]string{"spec.actions[0].config.values.phantom automation.unknown_field", "spec.condition.nope query.unknown_field",
				"spec.condition.tier.$regex query.unknown_operator", "spec.trigger.config.field automation.date_field"}},
		{"unknown form", `{"title": "x", "trigger": {"type": "record.created", "config": {"form": "ghosts"}}, "actions": []}`,
			[]string{"spec.trigger.config.form automation.unknown_form"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.meta.Create(e.ctx, meta.Definition{Kind: meta.KindAutomation, App: "crm", Key: "bad", Spec: json.RawMessage(c.spec)}, "admin")
			got := paths(err)
			for _, w := range c.want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("missing %q in\n%s", w, strings.Join(got, "\n"))
				}
			}
			if len(got) == 0 {
				t.Fatalf("no error: %v", err)
			}
		})
	}
	if _, err := e.meta.Get(e.ctx, "crm", meta.KindAutomation, "bad"); err == nil {
		t.Error("a refused definition was stored")
	}
}

// TestExampleDefinition: the meta package's example automation (its
// documentation) passes this engine's checks too.
func TestExampleDefinition(t *testing.T) {
	e := newEnv(t)
	raw, err := os.ReadFile("../meta/testdata/valid/automation.json")
	e.must(err)
	_, err = e.meta.Create(e.ctx, meta.Definition{Kind: meta.KindAutomation, App: "crm", Key: "example", Spec: raw}, "admin")
	e.must(err)
}

// TestRegistriesDescribeThemselves: every extension has a zh-CN and an en
// title and a config schema, which the builder's palette renders.
func TestRegistriesDescribeThemselves(t *testing.T) {
	specs := append(append(automation.TriggerSpecs(), automation.ActionSpecs()...), automation.ChannelSpecs()...)
	if len(specs) < 25 {
		t.Errorf("%d extensions registered", len(specs))
	}
	for _, s := range specs {
		var schema map[string]any
		if s.Title["zh-CN"] == "" || s.Title["en"] == "" || json.Unmarshal(s.Config, &schema) != nil || s.Version < 1 {
			t.Errorf("%s: incomplete spec %+v", s.Key, s)
		}
	}
}
