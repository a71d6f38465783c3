// Package sms is the SMS message channel: a configurable HTTP SMS gateway.
// Chinese providers differ in URLs, field names and success codes, not in
// shape, so the gateway is described in the server's configuration (a
// request template and how to read the answer) instead of one plugin per
// provider:
//
//	TANGRAM_CHANNELS='{"sms": {"type": "sms", "config": {
//	  "url": "https://sms.example.com/v1/send",
//	  "headersEnv": {"Authorization": "SMS_AUTH"},
//	  "body": {"mobile": "{{to}}", "content": "【示例超市】{{text}}", "requestId": "{{id}}"},
//	  "success": {"path": "code", "equals": "0"}, "idPath": "data.msgId"}}}'
//
// Placeholders of the body and of headers: {{to}}, {{text}}, {{subject}},
// {{id}} (the message id: the same on every retry of a message, for
// gateways that drop repeats), {{lang}} and {{data.<key>}}. With form set,
// the body goes as application/x-www-form-urlencoded. With signature set,
// the raw body is signed (HMAC-SHA256, hex) into a header with a secret
// from the environment. A message is delivered when the answer is 2xx
// and, with success, when the JSON value at its path equals the given
// text.
package sms

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/query"
)

// Config is the gateway's description.
type Config struct {
	URL        string            `json:"url"`
	Method     string            `json:"method,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	HeadersEnv map[string]string `json:"headersEnv,omitempty"`
	Body       map[string]any    `json:"body"`
	Form       bool              `json:"form,omitempty"`
	Success    *Success          `json:"success,omitempty"`
	IDPath     string            `json:"idPath,omitempty"`
	Signature  *Signature        `json:"signature,omitempty"`
	// MaxLength cuts texts longer than this many characters (default 500:
	// gateways refuse or split longer ones).
	MaxLength int `json:"maxLength,omitempty"`
}

// Success says how a 2xx answer tells success from a refusal.
type Success struct {
	Path   string `json:"path"`
	Equals string `json:"equals"`
}

// Signature signs the body into a header.
type Signature struct {
	Header    string `json:"header"`
	SecretEnv string `json:"secretEnv"`
}

type channel struct {
	c       Config
	headers map[string]string
	secret  []byte
	http    *http.Client
}

var _ automation.Channel = (*channel)(nil)

// Send posts one message to the gateway.
func (ch *channel) Send(ctx context.Context, m *automation.Message) (automation.Receipt, error) {
	text := m.Text
	if utf8.RuneCountInString(text) > ch.c.MaxLength {
		text = string([]rune(text)[:ch.c.MaxLength])
	}
	vars := map[string]any{"to": m.To, "text": text, "subject": m.Subject, "id": m.ID, "lang": m.Lang, "data": m.Data}
	fill := func(v any) any { return fillAll(v, vars) }
	var body []byte
	var ctype string
	if ch.c.Form {
		vals := url.Values{}
		for k, v := range ch.c.Body {
			vals.Set(k, fmt.Sprint(fill(v)))
		}
		body, ctype = []byte(vals.Encode()), "application/x-www-form-urlencoded"
	} else {
		var err error
		if body, err = json.Marshal(fill(ch.c.Body)); err != nil {
			return automation.Receipt{}, err
		}
		ctype = "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, ch.c.Method, ch.c.URL, bytes.NewReader(body))
	if err != nil {
		return automation.Receipt{}, err
	}
	req.Header.Set("Content-Type", ctype)
	for k, v := range ch.headers {
		req.Header.Set(k, automation.Render(v, vars))
	}
	if ch.c.Signature != nil {
		mac := hmac.New(sha256.New, ch.secret)
		mac.Write(body)
		req.Header.Set(ch.c.Signature.Header, hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := ch.http.Do(req)
	if err != nil {
		return automation.Receipt{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return automation.Receipt{}, fmt.Errorf("sms gateway answered %d: %s", resp.StatusCode, snippet(raw))
	}
	var answer map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	_ = d.Decode(&answer)
	if s := ch.c.Success; s != nil {
		v, _ := query.Lookup(answer, s.Path)
		if fmt.Sprint(v) != s.Equals {
			return automation.Receipt{}, fmt.Errorf("sms gateway refused the message: %s", snippet(raw))
		}
	}
	var rec automation.Receipt
	if ch.c.IDPath != "" {
		if v, ok := query.Lookup(answer, ch.c.IDPath); ok && v != nil {
			rec.ProviderID = fmt.Sprint(v)
		}
	}
	return rec, nil
}

// fillAll renders the placeholders of every string in a JSON value.
func fillAll(v any, vars map[string]any) any {
	switch t := v.(type) {
	case string:
		return automation.Render(t, vars)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = fillAll(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fillAll(e, vars)
		}
		return out
	}
	return v
}

func snippet(b []byte) string {
	s := string(b)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// open checks a configuration and makes the channel.
func open(raw json.RawMessage, env automation.ChannelEnv) (automation.Channel, error) {
	var c Config
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("sms: url: an http(s) URL is required")
	}
	if c.Method == "" {
		c.Method = http.MethodPost
	}
	if c.Method != http.MethodPost && c.Method != http.MethodPut {
		return nil, fmt.Errorf("sms: method: POST or PUT")
	}
	if len(c.Body) == 0 {
		return nil, fmt.Errorf("sms: body: the request template is required")
	}
	if c.MaxLength <= 0 {
		c.MaxLength = 500
	}
	ch := &channel{c: c, headers: map[string]string{}, http: env.HTTP}
	for k, v := range c.Headers {
		ch.headers[k] = v
	}
	names := make([]string, 0, len(c.HeadersEnv))
	for k := range c.HeadersEnv {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := os.Getenv(c.HeadersEnv[k])
		if v == "" {
			return nil, fmt.Errorf("sms: headersEnv: %s is not set", c.HeadersEnv[k])
		}
		ch.headers[k] = v
	}
	if s := c.Signature; s != nil {
		ch.secret = []byte(os.Getenv(s.SecretEnv))
		if s.Header == "" || strings.ContainsAny(s.Header, " :") || len(ch.secret) < automation.MinSecretLength {
			return nil, fmt.Errorf("sms: signature: a header name and secretEnv naming a secret of at least %d characters", automation.MinSecretLength)
		}
	}
	return ch, nil
}

func init() {
	automation.RegisterChannel(automation.ChannelType{
		Spec: ext.Spec{Key: "sms", Version: 1, Group: "plugin",
			Title: map[string]string{"zh-CN": "短信（HTTP 短信网关）", "en": "SMS (HTTP gateway)"},
			Config: json.RawMessage(`{"type":"object","required":["url","body"],"additionalProperties":false,"properties":{` +
				`"url":{"type":"string","format":"uri"},"method":{"enum":["POST","PUT"]},"headers":{"type":"object"},"headersEnv":{"type":"object"},` +
				`"body":{"type":"object"},"form":{"type":"boolean"},"success":{"type":"object","properties":{"path":{"type":"string"},"equals":{"type":"string"}}},` +
				`"idPath":{"type":"string"},"signature":{"type":"object","properties":{"header":{"type":"string"},"secretEnv":{"type":"string"}}},` +
				`"maxLength":{"type":"integer","minimum":1}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"url":"https://sms.example.com/v1/send","headersEnv":{"Authorization":"SMS_AUTH"},` +
				`"body":{"mobile":"{{to}}","content":"【示例超市】{{text}}"},"success":{"path":"code","equals":"0"}}`)}},
		Open: open,
	})
}
