// Package smtp is the e-mail message channel: plain-text UTF-8 mail through
// an SMTP server (a company relay, or a provider's submission port),
// configured in the server's TANGRAM_CHANNELS:
//
//	{"email": {"type": "smtp", "config": {"host": "smtp.exmail.qq.com", "port": 465, "security": "tls",
//	  "username": "crm@example.com", "passwordEnv": "SMTP_PASSWORD", "from": "crm@example.com", "fromName": "示例超市"}}}
//
// security: "tls" (implicit TLS, port 465), "starttls" (default; port
// 587 or 25, the connection must upgrade) or "none" (a relay on a trusted
// network only). The recipient is the message's "to"; the subject its
// subject (or defaultSubject). The message id is the mail's Message-ID, so
// a resend after a lost acknowledgement can be recognised by the receiver.
package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/ext"
)

// Config is the mail server and the sender.
type Config struct {
	Host           string `json:"host"`
	Port           int    `json:"port,omitempty"`
	Security       string `json:"security,omitempty"`
	Username       string `json:"username,omitempty"`
	PasswordEnv    string `json:"passwordEnv,omitempty"`
	From           string `json:"from"`
	FromName       string `json:"fromName,omitempty"`
	DefaultSubject string `json:"defaultSubject,omitempty"`
	TimeoutSeconds int    `json:"timeoutSeconds,omitempty"`
}

type channel struct {
	c        Config
	password string
	timeout  time.Duration
}

var _ automation.Channel = (*channel)(nil)

// Send delivers one message.
func (ch *channel) Send(ctx context.Context, m *automation.Message) (automation.Receipt, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return automation.Receipt{}, fmt.Errorf("smtp: recipient %q is not an e-mail address", m.To)
	}
	if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > ch.timeout {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ch.timeout)
		defer cancel()
	}
	addr := net.JoinHostPort(ch.c.Host, strconv.Itoa(ch.c.Port))
	d := &net.Dialer{}
	var conn net.Conn
	if ch.c.Security == "tls" {
		conn, err = (&tls.Dialer{NetDialer: d, Config: &tls.Config{ServerName: ch.c.Host, MinVersion: tls.VersionTLS12}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return automation.Receipt{}, fmt.Errorf("smtp: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, ch.c.Host)
	if err != nil {
		_ = conn.Close()
		return automation.Receipt{}, fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ch.c.Security == "starttls" {
		if err := c.StartTLS(&tls.Config{ServerName: ch.c.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return automation.Receipt{}, fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	}
	if ch.c.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", ch.c.Username, ch.password, ch.c.Host)); err != nil {
			return automation.Receipt{}, fmt.Errorf("smtp: auth: %w", err)
		}
	}
	if err := c.Mail(ch.c.From); err != nil {
		return automation.Receipt{}, fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return automation.Receipt{}, fmt.Errorf("smtp: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return automation.Receipt{}, fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(ch.compose(m, to)); err != nil {
		return automation.Receipt{}, fmt.Errorf("smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return automation.Receipt{}, fmt.Errorf("smtp: %w", err)
	}
	_ = c.Quit()
	return automation.Receipt{ProviderID: messageID(m.ID)}, nil
}

// compose builds the mail: UTF-8 headers in RFC 2047 encoding, the body
// in base64 (lines of 76) so no line length or 8-bit limit can bite.
func (ch *channel) compose(m *automation.Message, to *mail.Address) []byte {
	subject := m.Subject
	if subject == "" {
		subject = ch.c.DefaultSubject
	}
	from := mail.Address{Name: ch.c.FromName, Address: ch.c.From}
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from.String())
	h("To", to.String())
	h("Subject", mime.BEncoding.Encode("UTF-8", subject))
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Message-ID", messageID(m.ID))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(m.Text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// messageID makes a Message-ID from the message id (whose characters may
// not all be allowed there).
func messageID(id string) string {
	return "<" + base64.RawURLEncoding.EncodeToString([]byte(id)) + "@tangram.automation>"
}

func open(raw json.RawMessage, _ automation.ChannelEnv) (automation.Channel, error) {
	var c Config
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if c.Host == "" || strings.ContainsAny(c.Host, " /:") {
		return nil, fmt.Errorf("smtp: host: a host name")
	}
	if c.Security == "" {
		c.Security = "starttls"
	}
	switch c.Security {
	case "tls":
		if c.Port == 0 {
			c.Port = 465
		}
	case "starttls":
		if c.Port == 0 {
			c.Port = 587
		}
	case "none":
		if c.Port == 0 {
			c.Port = 25
		}
	default:
		return nil, fmt.Errorf("smtp: security: tls, starttls or none")
	}
	if c.Port < 1 || c.Port > 65535 {
		return nil, fmt.Errorf("smtp: port: 1 to 65535")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return nil, fmt.Errorf("smtp: from: an e-mail address")
	}
	ch := &channel{c: c, timeout: 30 * time.Second}
	if c.TimeoutSeconds > 0 {
		ch.timeout = time.Duration(min(c.TimeoutSeconds, 120)) * time.Second
	}
	if c.Username != "" {
		ch.password = os.Getenv(c.PasswordEnv)
		if c.PasswordEnv == "" || ch.password == "" {
			return nil, fmt.Errorf("smtp: passwordEnv: the environment variable holding the password is not set")
		}
	}
	return ch, nil
}

func init() {
	automation.RegisterChannel(automation.ChannelType{
		Spec: ext.Spec{Key: "smtp", Version: 1, Group: "plugin",
			Title: map[string]string{"zh-CN": "电子邮件（SMTP）", "en": "E-mail (SMTP)"},
			Config: json.RawMessage(`{"type":"object","required":["host","from"],"additionalProperties":false,"properties":{` +
				`"host":{"type":"string"},"port":{"type":"integer"},"security":{"enum":["tls","starttls","none"]},"username":{"type":"string"},` +
				`"passwordEnv":{"type":"string"},"from":{"type":"string","format":"email"},"fromName":{"type":"string"},` +
				`"defaultSubject":{"type":"string"},"timeoutSeconds":{"type":"integer","minimum":1,"maximum":120}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"host":"smtp.exmail.qq.com","port":465,"security":"tls","username":"crm@example.com",` +
				`"passwordEnv":"SMTP_PASSWORD","from":"crm@example.com","fromName":"示例超市"}`)}},
		Open: open,
	})
}
