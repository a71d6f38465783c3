package automation

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/ext"
)

// outboxChannel keeps messages in the store and delivers nothing: the
// default channel, for trials, tests and sites without a provider. Its
// messages are listed by the messages API.
type outboxChannel struct{}

var _ Keeper = outboxChannel{}

// Send never runs: a Keeper's messages are done when stored.
func (outboxChannel) Send(context.Context, *Message) (Receipt, error) { return Receipt{}, nil }

// KeepsOnly marks the channel as a Keeper.
func (outboxChannel) KeepsOnly() {}

func init() {
	RegisterChannel(ChannelType{
		Spec: ext.Spec{Key: "outbox", Version: 1, Group: "builtin",
			Title:  map[string]string{"zh-CN": "站内发件箱（仅保存，不外发）", "en": "Outbox (stored for inspection, not sent)"},
			Config: json.RawMessage(`{"type":"object","additionalProperties":false}`)},
		Open: func(config json.RawMessage, _ ChannelEnv) (Channel, error) {
			var c struct{}
			if err := decodeStrict(config, &c); err != nil {
				return nil, err
			}
			return outboxChannel{}, nil
		},
	})
}
