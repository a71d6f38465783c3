package automation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/tangram/tangram/engine/ext"
)

// webhookChannel posts each message as JSON to a URL, signed like inbound
// webhooks: X-Tangram-Timestamp (Unix seconds) and X-Tangram-Signature =
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)), with the
// message id in X-Tangram-Delivery so the receiver can drop repeats. Any
// 2xx answer is a delivery.
//
//	{"type": "webhook", "config": {"url": "https://im.example.com/tangram", "secretEnv": "IM_HOOK_SECRET"}}
type webhookChannel struct {
	url    string
	secret []byte
	http   *http.Client
}

type webhookChannelConfig struct {
	URL            string `json:"url"`
	Secret         string `json:"secret,omitempty"`
	SecretEnv      string `json:"secretEnv,omitempty"`
	TimeoutSeconds int    `json:"timeoutSeconds,omitempty"`
}

// Send posts the message.
func (c *webhookChannel) Send(ctx context.Context, m *Message) (Receipt, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return Receipt{}, err
	}
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return Receipt{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(c.secret, ts, body))
	req.Header.Set(HeaderDelivery, m.ID)
	resp, err := c.http.Do(req)
	if err != nil {
		return Receipt{}, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Receipt{}, fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return Receipt{}, nil
}

func init() {
	RegisterChannel(ChannelType{
		Spec: ext.Spec{Key: "webhook", Version: 1, Group: "builtin",
			Title: map[string]string{"zh-CN": "Webhook（HMAC-SHA256 签名）", "en": "Webhook (HMAC-SHA256 signed)"},
			Config: json.RawMessage(`{"type":"object","required":["url"],"additionalProperties":false,"properties":{"url":{"type":"string","format":"uri"},` +
				`"secret":{"type":"string","minLength":16},"secretEnv":{"type":"string"},"timeoutSeconds":{"type":"integer","minimum":1,"maximum":60}}}`)},
		Open: func(config json.RawMessage, env ChannelEnv) (Channel, error) {
			var c webhookChannelConfig
			if err := decodeStrict(config, &c); err != nil {
				return nil, err
			}
			u, err := url.Parse(c.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return nil, fmt.Errorf("url: an http(s) URL is required")
			}
			secret := c.Secret
			if c.SecretEnv != "" {
				secret = os.Getenv(c.SecretEnv)
			}
			if len(secret) < MinSecretLength {
				return nil, fmt.Errorf("secret: at least %d characters (secret or secretEnv)", MinSecretLength)
			}
			client := env.HTTP
			if c.TimeoutSeconds > 0 {
				client = &http.Client{Transport: env.HTTP.Transport, CheckRedirect: env.HTTP.CheckRedirect,
					Timeout: time.Duration(min(c.TimeoutSeconds, 60)) * time.Second}
			}
			return &webhookChannel{url: c.URL, secret: []byte(secret), http: client}, nil
		},
	})
}
