package sms_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/automation"
	_ "github.com/tangram/tangram/plugins/channel-sms"
)

func TestGatewayRequestAndAnswer(t *testing.T) {
	t.Setenv("SMS_AUTH", "Bearer t0ken")
	t.Setenv("SMS_SIGN", "sms-signing-secret-0123")
	var got map[string]any
	var sig, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &got)
		auth, sig = r.Header.Get("Authorization"), r.Header.Get("X-Sign")
		mac := hmac.New(sha256.New, []byte("sms-signing-secret-0123"))
		mac.Write(body)
		if sig != hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", 401)
			return
		}
		if got["mobile"] == "13800000000" {
			_, _ = w.Write([]byte(`{"code": 17, "msg": "blacklisted"}`))
			return
		}
		_, _ = w.Write([]byte(`{"code": 0, "data": {"msgId": 9001}}`))
	}))
	defer srv.Close()
	ch, err := automation.OpenChannel(automation.ChannelConfig{Type: "sms", Config: json.RawMessage(`{"url": "` + srv.URL + `",
	  "headersEnv": {"Authorization": "SMS_AUTH"}, "signature": {"header": "X-Sign", "secretEnv": "SMS_SIGN"},
	  "body": {"mobile": "{{to}}", "content": "【示例】{{text}}", "requestId": "{{id}}", "code": "{{data.code}}"},
	  "success": {"path": "code", "equals": "0"}, "idPath": "data.msgId", "maxLength": 10}`)})
	if err != nil {
		t.Fatal(err)
	}
	m := &automation.Message{ID: "run~x/hello#0", To: "13900000000", Text: "你好，这是一条很长很长的短信内容", Data: map[string]any{"code": "A7"}}
	rec, err := ch.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ProviderID != "9001" || auth != "Bearer t0ken" || got["content"] != "【示例】你好，这是一条很长很" || got["requestId"] != m.ID || got["code"] != "A7" {
		t.Errorf("receipt %+v, request %v, auth %q", rec, got, auth)
	}
	m.To = "13800000000"
	if _, err := ch.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "blacklisted") {
		t.Errorf("refusal: %v", err)
	}
}

func TestGatewayConfigErrors(t *testing.T) {
	for name, conf := range map[string]string{
		"no url":         `{"body": {"a": "{{to}}"}}`,
		"ftp":            `{"url": "ftp://x", "body": {"a": "{{to}}"}}`,
		"no body":        `{"url": "https://x.example"}`,
		"unknown field":  `{"url": "https://x.example", "body": {"a": 1}, "retries": 3}`,
		"missing env":    `{"url": "https://x.example", "body": {"a": 1}, "headersEnv": {"Authorization": "NOPE_NOT_SET"}}`,
		"weak signature": `{"url": "https://x.example", "body": {"a": 1}, "signature": {"header": "X-Sign", "secretEnv": "NOPE_NOT_SET"}}`,
	} {
		if _, err := automation.OpenChannel(automation.ChannelConfig{Type: "sms", Config: json.RawMessage(conf)}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
