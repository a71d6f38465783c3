package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/meta"
)

// Channel is the port messages leave through: SMS, e-mail, WeCom, a
// webhook, or the outbox channel that only keeps them for inspection.
// Send delivers one message to its one recipient; an error means "not
// delivered, try again later". Channels get the message id as an
// idempotency key to pass on where the provider takes one, since a
// message whose Send succeeded but whose success was not recorded (the
// server stopped in between) is sent again.
type Channel interface {
	Send(ctx context.Context, m *Message) (Receipt, error)
}

// Keeper is the ability of a channel that delivers nothing: its messages
// are done once stored (the outbox channel).
type Keeper interface {
	Channel
	KeepsOnly()
}

// Message is one message to one recipient.
type Message struct {
	ID         string         `json:"id"`
	App        string         `json:"app"`
	Channel    string         `json:"channel"`
	To         string         `json:"to"`
	Subject    string         `json:"subject,omitempty"`
	Text       string         `json:"text"`
	Data       map[string]any `json:"data,omitempty"`
	Lang       string         `json:"lang"`
	Automation string         `json:"automation"`
	Run        string         `json:"run"`
}

// Receipt is what the provider answered: its message id, when it gives
// one.
type Receipt struct {
	ProviderID string `json:"providerId,omitempty"`
}

// ChannelType is a registered kind of channel. A configured channel is a
// named instance of a type with its settings, given to the server
// (Options.Channels), not to apps: credentials belong to the deployment.
type ChannelType struct {
	Spec ext.Spec
	// Open checks config and makes the channel. env gives it what the
	// server provides (an HTTP client that honours the private-network
	// rule).
	Open func(config json.RawMessage, env ChannelEnv) (Channel, error)
}

// ChannelEnv is what the server gives channels.
type ChannelEnv struct {
	// HTTP is a client with a 30 s overall timeout. Channel endpoints come
	// from the server's configuration (the operator's, not an app
	// designer's), so unlike http.call it may reach the internal network:
	// an SMS gateway or mail relay often lives there.
	HTTP *http.Client
}

// ChannelConfig configures one named channel.
type ChannelConfig struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

// DefaultChannel is the channel messages go to unless they name one.
const DefaultChannel = "outbox"

var channelTypes = ext.NewRegistry[ChannelType]("message channels")

// RegisterChannel adds a channel type; a duplicate key panics.
func RegisterChannel(c ChannelType) { channelTypes.Register(c.Spec.Key, c) }

// ChannelSpecs lists the registered channel types' specs, by key.
func ChannelSpecs() []ext.Spec {
	return specsOf(channelTypes, func(c ChannelType) ext.Spec { return c.Spec })
}

// channelSet is the configured channels by name.
type channelSet struct {
	byName map[string]Channel
}

// openChannels opens the configured channels, plus "outbox".
func openChannels(conf map[string]ChannelConfig) (*channelSet, error) {
	env := ChannelEnv{HTTP: newHTTPClient(HTTPOptions{AllowPrivate: true}, 0)}
	cs := &channelSet{byName: map[string]Channel{}}
	names := make([]string, 0, len(conf))
	for n := range conf {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		c := conf[name]
		if !meta.ValidKey(name) {
			return nil, fmt.Errorf("automation: channel name %q: lowercase letters, digits, - and _", name)
		}
		t, ok := channelTypes.Get(c.Type)
		if !ok {
			return nil, fmt.Errorf("automation: channel %q: unknown type %q (known: %v)", name, c.Type, channelTypes.Keys())
		}
		ch, err := t.Open(c.Config, env)
		if err != nil {
			return nil, fmt.Errorf("automation: channel %q: %w", name, err)
		}
		cs.byName[name] = ch
	}
	if _, ok := cs.byName[DefaultChannel]; !ok {
		cs.byName[DefaultChannel] = outboxChannel{}
	}
	return cs, nil
}

// get returns a configured channel.
func (c *channelSet) get(name string) (Channel, bool) {
	ch, ok := c.byName[name]
	return ch, ok
}

// Channels lists the configured channel names.
func (s *Service) Channels() []string {
	out := make([]string, 0, len(s.channels.byName))
	for n := range s.channels.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// OpenChannel opens one channel from its configuration, as the server does
// at start-up: what plugins' tests and configuration checks use.
func OpenChannel(c ChannelConfig) (Channel, error) {
	t, ok := channelTypes.Get(c.Type)
	if !ok {
		return nil, fmt.Errorf("automation: unknown channel type %q (known: %v)", c.Type, channelTypes.Keys())
	}
	return t.Open(c.Config, ChannelEnv{HTTP: newHTTPClient(HTTPOptions{AllowPrivate: true}, 0)})
}
