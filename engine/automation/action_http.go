package automation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
)

// http.call calls an HTTP endpoint and hands its answer to later actions
// ("$steps.<id>.status", "$steps.<id>.body"):
//
//	{"method": "POST", "url": "https://erp.example.com/api/members", "body": {"id": "$record._id", "phone": "$record.phone"},
//	 "timeoutSeconds": 10, "retries": 2}
//
// The request carries Idempotency-Key: the action's key, the same on every
// retry, so a receiver that honours it applies the call once even when a
// run is retried after the call went through. Network errors, 429 and 5xx
// are retried within the action (retries, with a short backoff), then the
// run retries with its own backoff; another status outside expect
// (default: any 2xx) fails at once. Addresses outside the public internet
// (loopback, private, link-local) are refused unless the server allows
// them (HTTPOptions.AllowPrivate).
type httpCall struct {
	method  string
	url     string
	headers map[string]string
	body    any
	timeout time.Duration
	retries int
	expect  []int
}

type httpConfig struct {
	Method         string            `json:"method,omitempty"`
	URL            string            `json:"url"`
	Headers        map[string]string `json:"headers,omitempty"`
	Body           any               `json:"body,omitempty"`
	TimeoutSeconds int               `json:"timeoutSeconds,omitempty"`
	Retries        *int              `json:"retries,omitempty"`
	Expect         []int             `json:"expect,omitempty"`
}

// Bounds of http.call.
const (
	MaxHTTPTimeout  = 30 * time.Second
	MaxHTTPRetries  = 5
	MaxHTTPResponse = 16 << 10
)

var _ Outside = (*httpCall)(nil)

// Outside marks the action as running outside the run's transaction.
func (*httpCall) Outside() {}

// Run makes the call.
func (a *httpCall) Run(ctx context.Context, x *Exec) (any, error) {
	target := x.ExpandString(a.url)
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, coded(x.Lang, errs.Unprocessable, "automation.http_failed", "bad URL")
	}
	var body []byte
	if a.body != nil {
		if body, err = json.Marshal(x.Expand(a.body)); err != nil {
			return nil, err
		}
	}
	client := x.Svc.httpc
	var last error
	for attempt := 0; attempt <= a.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(100<<attempt) * time.Millisecond):
			}
		}
		out, retry, err := a.once(ctx, client, target, body, x)
		if err == nil {
			return out, nil
		}
		last = err
		if !retry {
			break
		}
	}
	return nil, last
}

// once makes one request: its output, or an error and whether to retry.
func (a *httpCall) once(ctx context.Context, c *http.Client, target string, body []byte, x *Exec) (any, bool, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, a.method, target, rd)
	if err != nil {
		return nil, false, coded(x.Lang, errs.Unprocessable, "automation.http_failed", "bad request")
	}
	for k, v := range a.headers {
		req.Header.Set(k, x.Text(v))
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Idempotency-Key", x.Key)
	req.Header.Set("User-Agent", "Tangram-Automation/1")
	resp, err := c.Do(req)
	if err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			host := req.URL.Hostname()
			return nil, false, coded(x.Lang, errs.Forbidden, "automation.http_blocked", host)
		}
		return nil, true, coded(x.Lang, errs.Unavailable, "automation.http_failed", shortErr(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, MaxHTTPResponse+1))
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if len(a.expect) > 0 {
		ok = slices.Contains(a.expect, resp.StatusCode)
	}
	if !ok {
		retry := resp.StatusCode == 429 || resp.StatusCode >= 500
		return nil, retry, coded(x.Lang, errs.Unavailable, "automation.http_status", resp.StatusCode)
	}
	out := map[string]any{"status": resp.StatusCode}
	switch {
	case len(raw) > MaxHTTPResponse:
		out["truncated"] = true
	case strings.Contains(resp.Header.Get("Content-Type"), "json"):
		if v := keepable(json.RawMessage(raw)); v != nil {
			out["body"] = v
		}
	case len(raw) > 0:
		out["body"] = string(raw)
	}
	return out, false, nil
}

// shortErr is a network error without the URL (which may carry tokens).
func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "http.call", Version: 1, Group: "integration",
			Title: map[string]string{"zh-CN": "调用 HTTP 接口", "en": "Call an HTTP endpoint"},
			Config: json.RawMessage(`{"type":"object","required":["url"],"additionalProperties":false,"properties":{` +
				`"method":{"enum":["GET","POST","PUT","PATCH","DELETE"]},"url":{"type":"string"},"headers":{"type":"object"},"body":{},` +
				`"timeoutSeconds":{"type":"integer","minimum":1,"maximum":30},"retries":{"type":"integer","minimum":0,"maximum":5},` +
				`"expect":{"type":"array","items":{"type":"integer"}}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"method":"POST","url":"https://erp.example.com/api/members","body":{"id":"$record._id"}}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c httpConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			a := &httpCall{method: strings.ToUpper(c.Method), url: c.URL, headers: c.Headers, body: c.Body, timeout: 10 * time.Second,
				retries: 2, expect: c.Expect}
			if a.method == "" {
				a.method = http.MethodPost
			}
			if !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE"}, a.method) {
				fe = append(fe, fieldErr("method", "automation.bad_method", "GET, POST, PUT, PATCH or DELETE")...)
			}
			if !strings.HasPrefix(c.URL, "$") && !strings.HasPrefix(c.URL, "{{") {
				if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					fe = append(fe, fieldErr("url", "automation.bad_url", "an http(s) URL")...)
				}
			}
			if c.TimeoutSeconds < 0 || time.Duration(c.TimeoutSeconds)*time.Second > MaxHTTPTimeout {
				fe = append(fe, fieldErr("timeoutSeconds", "automation.bad_timeout", "between 1 and %d seconds", int(MaxHTTPTimeout/time.Second))...)
			} else if c.TimeoutSeconds > 0 {
				a.timeout = time.Duration(c.TimeoutSeconds) * time.Second
			}
			if c.Retries != nil {
				if *c.Retries < 0 || *c.Retries > MaxHTTPRetries {
					fe = append(fe, fieldErr("retries", "automation.bad_retries", "between 0 and %d", MaxHTTPRetries)...)
				} else {
					a.retries = *c.Retries
				}
			}
			for i, st := range c.Expect {
				if st < 100 || st > 599 {
					fe = append(fe, fieldErr("expect["+itoa(i)+"]", "automation.bad_status", "an HTTP status")...)
				}
			}
			for k := range c.Headers {
				if strings.EqualFold(k, "Host") || strings.EqualFold(k, "Idempotency-Key") || strings.ContainsAny(k, " :\r\n") {
					fe = append(fe, fieldErr("headers."+k, "automation.bad_header", "this header cannot be set")...)
				}
			}
			return a, fe
		},
	})
}
