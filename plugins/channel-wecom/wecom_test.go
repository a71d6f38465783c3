package wecom_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/automation"
	_ "github.com/tangram/tangram/plugins/channel-wecom"
)

// fakeWeCom answers gettoken and message/send like WeCom, revoking the
// first token after one message.
type fakeWeCom struct {
	mu     sync.Mutex
	tokens int
	sent   []map[string]any
	robot  []map[string]any
}

func (f *fakeWeCom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	switch r.URL.Path {
	case "/cgi-bin/gettoken":
		if r.URL.Query().Get("corpsecret") != "app-secret" {
			_, _ = w.Write([]byte(`{"errcode": 40001, "errmsg": "invalid credential"}`))
			return
		}
		f.tokens++
		_, _ = w.Write([]byte(`{"errcode": 0, "access_token": "tok` + string(rune('0'+f.tokens)) + `", "expires_in": 7200}`))
	case "/cgi-bin/message/send":
		if r.URL.Query().Get("access_token") != "tok"+string(rune('0'+f.tokens)) || len(f.sent) == 1 && f.tokens == 1 {
			_, _ = w.Write([]byte(`{"errcode": 42001, "errmsg": "access_token expired"}`))
			return
		}
		if m["touser"] == "ghost" {
			_, _ = w.Write([]byte(`{"errcode": 0, "invaliduser": "ghost"}`))
			return
		}
		f.sent = append(f.sent, m)
		_, _ = w.Write([]byte(`{"errcode": 0, "msgid": "M` + string(rune('0'+len(f.sent))) + `"}`))
	case "/cgi-bin/webhook/send":
		if r.URL.Query().Get("key") != "robot-key" {
			_, _ = w.Write([]byte(`{"errcode": 93000, "errmsg": "invalid webhook url"}`))
			return
		}
		f.robot = append(f.robot, m)
		_, _ = w.Write([]byte(`{"errcode": 0, "errmsg": "ok"}`))
	default:
		http.NotFound(w, r)
	}
}

func TestAppMessagesAndTokenRenewal(t *testing.T) {
	f := &fakeWeCom{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	t.Setenv("WECOM_SECRET", "app-secret")
	ch, err := automation.OpenChannel(automation.ChannelConfig{Type: "wecom", Config: json.RawMessage(
		`{"corpId": "ww1", "secretEnv": "WECOM_SECRET", "agentId": 1000002, "baseURL": "` + srv.URL + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, to := range []string{"zhangsan", "lisi"} {
		rec, err := ch.Send(ctx, &automation.Message{ID: "m", To: to, Text: "VIP 会员待回访"})
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if rec.ProviderID == "" {
			t.Errorf("message %d: no msgid", i)
		}
	}
	// The first token was revoked after one message: the channel took a
	// second one and sent the second message with it.
	if f.tokens != 2 || len(f.sent) != 2 || f.sent[1]["touser"] != "lisi" || f.sent[0]["text"].(map[string]any)["content"] != "VIP 会员待回访" {
		t.Errorf("tokens %d, sent %v", f.tokens, f.sent)
	}
	if _, err := ch.Send(ctx, &automation.Message{To: "ghost", Text: "x"}); err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("unknown user: %v", err)
	}
	t.Setenv("WECOM_SECRET", "wrong")
	bad, err := automation.OpenChannel(automation.ChannelConfig{Type: "wecom", Config: json.RawMessage(
		`{"corpId": "ww1", "secretEnv": "WECOM_SECRET", "agentId": 1000002, "baseURL": "` + srv.URL + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Send(ctx, &automation.Message{To: "zhangsan", Text: "x"}); err == nil || strings.Contains(err.Error(), "wrong") {
		t.Errorf("bad secret: %v (the secret must not appear in errors)", err)
	}
}

func TestRobotMode(t *testing.T) {
	f := &fakeWeCom{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	t.Setenv("WECOM_ROBOT", "robot-key")
	ch, err := automation.OpenChannel(automation.ChannelConfig{Type: "wecom", Config: json.RawMessage(
		`{"mode": "robot", "robotKeyEnv": "WECOM_ROBOT", "baseURL": "` + srv.URL + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Send(context.Background(), &automation.Message{To: "wangwu", Text: "今日任务已下发"}); err != nil {
		t.Fatal(err)
	}
	if len(f.robot) != 1 || f.robot[0]["text"].(map[string]any)["mentioned_list"].([]any)[0] != "wangwu" {
		t.Errorf("robot got %v", f.robot)
	}
	for name, conf := range map[string]string{
		"no corp":     `{"secretEnv": "WECOM_ROBOT", "agentId": 1}`,
		"no secret":   `{"corpId": "ww1", "secretEnv": "NOPE_NOT_SET", "agentId": 1}`,
		"bad mode":    `{"mode": "bot"}`,
		"no key":      `{"mode": "robot", "robotKeyEnv": "NOPE_NOT_SET"}`,
		"unknown":     `{"mode": "robot", "robotKeyEnv": "WECOM_ROBOT", "retries": 1}`,
		"bad baseURL": `{"mode": "robot", "robotKeyEnv": "WECOM_ROBOT", "baseURL": "ftp://x"}`,
	} {
		if _, err := automation.OpenChannel(automation.ChannelConfig{Type: "wecom", Config: json.RawMessage(conf)}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
