// Package wecom is the WeCom (企业微信) message channel, configured in the
// server's TANGRAM_CHANNELS in one of two modes:
//
//	app: messages from a self-built app to staff by their WeCom userid
//	  {"wecom": {"type": "wecom", "config": {"corpId": "ww123", "secretEnv": "WECOM_SECRET", "agentId": 1000002}}}
//	robot: a group robot's webhook; the recipients are @-mentioned
//	  {"wecom": {"type": "wecom", "config": {"mode": "robot", "robotKeyEnv": "WECOM_ROBOT_KEY"}}}
//
// App mode takes an access token (gettoken) and keeps it until shortly
// before it expires, taking a new one when WeCom says it is no longer
// valid. baseURL (default https://qyapi.weixin.qq.com) is for private
// deployments and tests. A message's "to" is the staff member's userid
// (the automation engine addresses staff by username, which a deployment
// keeps equal to the WeCom userid).
package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/ext"
)

// Config is the WeCom app or robot.
type Config struct {
	Mode        string `json:"mode,omitempty"` // app (default) or robot
	CorpID      string `json:"corpId,omitempty"`
	SecretEnv   string `json:"secretEnv,omitempty"`
	AgentID     int64  `json:"agentId,omitempty"`
	RobotKeyEnv string `json:"robotKeyEnv,omitempty"`
	BaseURL     string `json:"baseURL,omitempty"`
}

type channel struct {
	c      Config
	secret string
	robot  string
	http   *http.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

var _ automation.Channel = (*channel)(nil)

// answer is the part of WeCom's JSON answers the channel reads.
type answer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
	MsgID       string `json:"msgid"`
	Invalid     string `json:"invaliduser"`
}

// Token errors: invalid, expired, missing.
func tokenError(code int) bool { return code == 40014 || code == 42001 || code == 41001 }

// Send sends one text message.
func (ch *channel) Send(ctx context.Context, m *automation.Message) (automation.Receipt, error) {
	if ch.c.Mode == "robot" {
		body := map[string]any{"msgtype": "text", "text": map[string]any{"content": m.Text, "mentioned_list": []string{m.To}}}
		a, err := ch.post(ctx, ch.c.BaseURL+"/cgi-bin/webhook/send?key="+url.QueryEscape(ch.robot), body)
		if err != nil {
			return automation.Receipt{}, err
		}
		if a.ErrCode != 0 {
			return automation.Receipt{}, fmt.Errorf("wecom robot: %d %s", a.ErrCode, a.ErrMsg)
		}
		return automation.Receipt{}, nil
	}
	body := map[string]any{"touser": m.To, "msgtype": "text", "agentid": ch.c.AgentID, "text": map[string]any{"content": m.Text}}
	for attempt := 0; ; attempt++ {
		tok, err := ch.accessToken(ctx, attempt > 0)
		if err != nil {
			return automation.Receipt{}, err
		}
		a, err := ch.post(ctx, ch.c.BaseURL+"/cgi-bin/message/send?access_token="+url.QueryEscape(tok), body)
		if err != nil {
			return automation.Receipt{}, err
		}
		switch {
		case a.ErrCode == 0 && a.Invalid != "":
			return automation.Receipt{}, fmt.Errorf("wecom: unknown userid %s", a.Invalid)
		case a.ErrCode == 0:
			return automation.Receipt{ProviderID: a.MsgID}, nil
		case tokenError(a.ErrCode) && attempt == 0:
			continue // the token was revoked or expired early: take a new one once
		}
		return automation.Receipt{}, fmt.Errorf("wecom: %d %s", a.ErrCode, a.ErrMsg)
	}
}

// accessToken returns the cached token, or a new one when it is near its
// end or fresh is set.
func (ch *channel) accessToken(ctx context.Context, fresh bool) (string, error) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if !fresh && ch.token != "" && time.Now().Before(ch.expires) {
		return ch.token, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ch.c.BaseURL+"/cgi-bin/gettoken?corpid="+url.QueryEscape(ch.c.CorpID)+
		"&corpsecret="+url.QueryEscape(ch.secret), nil)
	if err != nil {
		return "", err
	}
	a, err := ch.do(req)
	if err != nil {
		return "", err
	}
	if a.ErrCode != 0 || a.AccessToken == "" {
		return "", fmt.Errorf("wecom gettoken: %d %s", a.ErrCode, a.ErrMsg)
	}
	ch.token = a.AccessToken
	// Renew five minutes early: WeCom tokens last 7200 s.
	ch.expires = time.Now().Add(time.Duration(max(a.ExpiresIn-300, 60)) * time.Second)
	return ch.token, nil
}

func (ch *channel) post(ctx context.Context, u string, body any) (*answer, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return ch.do(req)
}

func (ch *channel) do(req *http.Request) (*answer, error) {
	resp, err := ch.http.Do(req)
	if err != nil {
		// The URL holds the secret or token: report the error without it.
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("wecom: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("wecom: HTTP %d", resp.StatusCode)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("wecom: unreadable answer")
	}
	return &a, nil
}

func open(raw json.RawMessage, env automation.ChannelEnv) (automation.Channel, error) {
	var c Config
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("wecom: %w", err)
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://qyapi.weixin.qq.com"
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("wecom: baseURL: an http(s) URL")
	}
	ch := &channel{c: c, http: env.HTTP}
	switch c.Mode {
	case "", "app":
		ch.c.Mode = "app"
		ch.secret = os.Getenv(c.SecretEnv)
		if c.CorpID == "" || c.AgentID <= 0 || ch.secret == "" {
			return nil, fmt.Errorf("wecom: app mode needs corpId, agentId and secretEnv naming a set environment variable")
		}
	case "robot":
		ch.robot = os.Getenv(c.RobotKeyEnv)
		if ch.robot == "" {
			return nil, fmt.Errorf("wecom: robot mode needs robotKeyEnv naming a set environment variable")
		}
	default:
		return nil, fmt.Errorf("wecom: mode: app or robot")
	}
	return ch, nil
}

func init() {
	automation.RegisterChannel(automation.ChannelType{
		Spec: ext.Spec{Key: "wecom", Version: 1, Group: "plugin",
			Title: map[string]string{"zh-CN": "企业微信", "en": "WeCom"},
			Config: json.RawMessage(`{"type":"object","additionalProperties":false,"properties":{"mode":{"enum":["app","robot"]},` +
				`"corpId":{"type":"string"},"secretEnv":{"type":"string"},"agentId":{"type":"integer"},"robotKeyEnv":{"type":"string"},` +
				`"baseURL":{"type":"string","format":"uri"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"corpId":"ww0123456789","secretEnv":"WECOM_SECRET","agentId":1000002}`)}},
		Open: open,
	})
}
