package smtp_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/automation"
	_ "github.com/tangram/tangram/plugins/channel-smtp"
)

// fakeSMTP is a minimal SMTP server on loopback: it speaks enough of RFC
// 5321 (EHLO with AUTH PLAIN, MAIL, RCPT, DATA, QUIT) to receive one mail
// per connection, and refuses recipients at "blocked.example".
type fakeSMTP struct {
	ln    net.Listener
	mu    sync.Mutex
	mails []string
	auth  []string
}

func newFake(t *testing.T) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			say("250-fake")
			say("250 AUTH PLAIN")
		case strings.HasPrefix(cmd, "AUTH PLAIN"):
			raw, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(line[len("AUTH PLAIN "):]))
			f.mu.Lock()
			f.auth = append(f.auth, strings.ReplaceAll(string(raw), "\x00", "|"))
			f.mu.Unlock()
			say("235 ok")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			if strings.Contains(cmd, "BLOCKED.EXAMPLE") {
				say("550 no such user")
			} else {
				say("250 ok")
			}
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil || l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			f.mu.Lock()
			f.mails = append(f.mails, b.String())
			f.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

func TestSendsUTF8Mail(t *testing.T) {
	f := newFake(t)
	t.Setenv("SMTP_PASSWORD", "s3cret")
	port := f.ln.Addr().(*net.TCPAddr).Port
	ch, err := automation.OpenChannel(automation.ChannelConfig{Type: "smtp", Config: json.RawMessage(`{"host": "127.0.0.1", "port": ` +
		strconv.Itoa(port) + `, "security": "none", "username": "crm@example.com", "passwordEnv": "SMTP_PASSWORD",
	  "from": "crm@example.com", "fromName": "示例超市", "defaultSubject": "会员通知"}`)})
	if err != nil {
		t.Fatal(err)
	}
	m := &automation.Message{ID: "run~a/mail#0", To: "li.lei@example.com", Text: "李雷，生日快乐！" + strings.Repeat("礼", 40)}
	rec, err := ch.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.mails) != 1 || len(f.auth) != 1 || f.auth[0] != "|crm@example.com|s3cret" {
		t.Fatalf("mails %d, auth %v", len(f.mails), f.auth)
	}
	msg, err := mail.ReadMessage(strings.NewReader(f.mails[0]))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	from, _ := mail.ParseAddress(msg.Header.Get("From"))
	body, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(mustRead(msg), "\r\n", ""))
	if subject != "会员通知" || from.Name != "示例超市" || string(body) != m.Text || msg.Header.Get("Message-ID") != rec.ProviderID {
		t.Errorf("subject %q, from %v, body %q, id %q/%q", subject, from, body, msg.Header.Get("Message-ID"), rec.ProviderID)
	}
	m.To = "ghost@blocked.example"
	if _, err := ch.Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), "RCPT") {
		t.Errorf("refused recipient: %v", err)
	}
	m.To = "not an address"
	if _, err := ch.Send(context.Background(), m); err == nil {
		t.Error("a bad address was sent")
	}
}

func mustRead(m *mail.Message) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := m.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for name, conf := range map[string]string{
		"no host":      `{"from": "a@example.com"}`,
		"bad from":     `{"host": "smtp.example.com", "from": "nobody"}`,
		"bad security": `{"host": "smtp.example.com", "from": "a@example.com", "security": "ssl3"}`,
		"no password":  `{"host": "smtp.example.com", "from": "a@example.com", "username": "a", "passwordEnv": "NOPE_NOT_SET"}`,
		"unknown":      `{"host": "smtp.example.com", "from": "a@example.com", "pool": 3}`,
	} {
		if _, err := automation.OpenChannel(automation.ChannelConfig{Type: "smtp", Config: json.RawMessage(conf)}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
