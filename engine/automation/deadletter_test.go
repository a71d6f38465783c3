package automation_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
)

// erp is a test endpoint that fails until told otherwise and remembers
// the idempotency keys it saw.
type erp struct {
	srv  *httptest.Server
	up   atomic.Bool
	mu   sync.Mutex
	keys map[string]int
}

func newERP(t *testing.T) *erp {
	s := &erp{keys: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !s.up.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		s.mu.Lock()
		s.keys[r.Header.Get("Idempotency-Key")]++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok": true, "echo": ` + string(body) + `}`))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func TestDeadLetterAndReplay(t *testing.T) {
	e := newEnv(t)
	e.opt.HTTP.AllowPrivate = true // the test server is on loopback
	e.svc = e.newService()
	api := newERP(t)
	e.define(meta.KindAutomation, "sync", `{"title": "同步到 ERP",
	  "trigger": {"type": "record.created", "config": {"form": "members"}},
	  "retry": {"maxAttempts": 3, "backoffSeconds": 60},
	  "actions": [
	    {"id": "points", "type": "ledger.post", "config": {"kind": "points", "unit": "point", "amount": 5, "type": "gift"}},
	    {"id": "erp", "type": "http.call", "config": {"url": "`+api.srv.URL+`/members", "body": {"id": "$record._id", "name": "$record.name"}, "retries": 1}},
	    {"id": "done", "type": "record.update", "config": {"values": {"note": "synced {{steps.erp.body.ok}}"}}}
	  ]}`)
	m := e.create("members", map[string]any{"name": "周杰"})
	e.created("members", m)
	e.drain()
	runs := e.runs("sync")
	if len(runs) != 1 || runs[0].Status != automation.RunRetry || runs[0].Attempts != 1 {
		t.Fatalf("after the first failure: %+v", runs[0])
	}
	r := runs[0]
	if r.Steps["points"].Status != automation.StepOK || r.Steps["erp"].Status != automation.StepFailed || r.Error.Code != "automation.http_status" {
		t.Fatalf("steps %+v, error %+v", r.Steps, r.Error)
	}
	// Nothing happens before the backoff ends; then two more failures.
	e.clk.Add(30 * time.Second)
	if res := e.drain(); res.Executed != 0 {
		t.Fatalf("retried before its backoff: %+v", res)
	}
	e.clk.Add(40 * time.Second) // first backoff: 60 s (+ up to 10%)
	e.drain()
	e.clk.Add(3 * time.Minute) // second: 120 s
	e.drain()
	dead, err := e.svc.DeadLetters(e.ctx, system(), "crm", automation.RunQuery{})
	e.must(err)
	if len(dead.Runs) != 1 || dead.Runs[0].Attempts != 3 || dead.Runs[0].Error.Step != "erp" {
		t.Fatalf("dead letters %+v", dead.Runs)
	}
	// A dead run stays dead.
	e.clk.Add(24 * time.Hour)
	if res := e.drain(); res.Executed != 0 {
		t.Fatalf("a dead run ran: %+v", res)
	}
	// Replay once the endpoint is back: the ledger entry is not posted
	// again, the call and the last action go through.
	api.up.Store(true)
	_, err = e.svc.Replay(e.ctx, system(), "crm", r.ID)
	e.must(err)
	_, err = e.svc.Replay(e.ctx, system(), "crm", r.ID)
	wantCode(t, err, "automation.not_dead")
	e.drain()
	got, err := e.svc.GetRun(e.ctx, system(), "crm", r.ID)
	e.must(err)
	if got.Status != automation.RunDone || got.Error != nil {
		t.Fatalf("after replay: %+v", got)
	}
	if n := e.count(ledger.CollEntries); n != 1 {
		t.Errorf("%d ledger entries, want the one of the first attempt", n)
	}
	if api.keys[r.ID+"/erp"] != 1 || len(api.keys) != 1 {
		t.Errorf("the endpoint saw %v", api.keys)
	}
	rec, err := e.rec.Get(e.ctx, system(), "crm", "members", m["_id"].(string))
	e.must(err)
	if rec["note"] != "synced true" {
		t.Errorf("note %v", rec["note"])
	}
	// Replaying a run of another app, or one that does not exist: 404.
	_, err = e.svc.Replay(e.ctx, system(), "other", r.ID)
	wantCode(t, err, "automation.run_not_found")
}

func TestHTTPCallRefusesPrivateAddresses(t *testing.T) {
	e := newEnv(t)
	api := newERP(t)
	api.up.Store(true)
	e.define(meta.KindAutomation, "leak", `{"title": "内网",
	  "trigger": {"type": "record.created", "config": {"form": "members"}},
	  "retry": {"maxAttempts": 1},
	  "actions": [{"id": "call", "type": "http.call", "config": {"url": "`+api.srv.URL+`/x", "retries": 0}}]}`)
	e.created("members", e.create("members", map[string]any{"name": "甲"}))
	e.drain()
	r := e.runs("leak")[0]
	if r.Status != automation.RunDead || r.Error.Code != "automation.http_blocked" {
		t.Fatalf("run %+v", r)
	}
	if len(api.keys) != 0 {
		t.Errorf("the private endpoint was called: %v", api.keys)
	}
	if !strings.Contains(r.Error.Message, "127.0.0.1") {
		t.Errorf("message %q", r.Error.Message)
	}
}

func TestWebhookChannelSignsAndRetries(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	var fail atomic.Bool
	fail.Store(true)
	secret := "channel-secret-0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts := r.Header.Get(automation.HeaderTimestamp)
		var n int64
		_ = json.Unmarshal([]byte(ts), &n)
		if r.Header.Get(automation.HeaderSignature) != automation.Sign([]byte(secret), n, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if fail.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		m["delivery"] = r.Header.Get(automation.HeaderDelivery)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer srv.Close()
	e := newEnv(t)
	e.opt.HTTP.AllowPrivate = true
	e.opt.Channels = map[string]automation.ChannelConfig{"im": {Type: "webhook", Config: json.RawMessage(`{"url": "` + srv.URL + `", "secret": "` + secret + `"}`)}}
	e.svc = e.newService()
	e.define(meta.KindAutomation, "notify", `{"title": "通知",
	  "trigger": {"type": "record.created", "config": {"form": "members"}},
	  "actions": [
	    {"id": "im", "type": "message.send", "config": {"channel": "im", "to": "$record.phone", "text": "hi {{record.name}}"}},
	    {"id": "points", "type": "ledger.post", "config": {"kind": "points", "unit": "point", "amount": 1, "type": "gift"}}
	  ]}`)
	e.created("members", e.create("members", map[string]any{"name": "乙", "phone": "13700000000"}))
	e.drain()
	// The channel is down: the run is done all the same (its ledger entry
	// posted), and the message waits for its retry.
	if r := e.runs("notify")[0]; r.Status != automation.RunDone {
		t.Fatalf("run %+v", r)
	}
	if n := e.count(ledger.CollEntries); n != 1 {
		t.Fatalf("%d ledger entries", n)
	}
	msgs, err := e.svc.Messages(e.ctx, system(), "crm", automation.MessageQuery{Channel: "im"})
	e.must(err)
	if len(msgs.Messages) != 1 || msgs.Messages[0]["status"] != automation.MessagePending || msgs.Messages[0]["error"] == nil {
		t.Fatalf("message %+v", msgs.Messages)
	}
	fail.Store(false)
	e.drain()
	if len(got) != 0 {
		t.Fatalf("retried before its backoff: %v", got)
	}
	e.clk.Add(time.Minute)
	e.drain()
	if len(got) != 1 || got[0]["text"] != "hi 乙" || got[0]["to"] != "13700000000" || got[0]["delivery"] != got[0]["id"] {
		t.Fatalf("received %v", got)
	}
	msgs, err = e.svc.Messages(e.ctx, system(), "crm", automation.MessageQuery{Channel: "im", Status: automation.MessageSent})
	e.must(err)
	if len(msgs.Messages) != 1 {
		t.Errorf("sent messages %v", msgs.Messages)
	}
	_, err = e.st.Get(e.ctx, automation.CollMessages, got[0]["id"].(string))
	if err != nil {
		t.Error(err)
	}
}
