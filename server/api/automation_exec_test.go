package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/automation"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
	"github.com/tangram/tangram/server/api/apitest"
)

// server is one `tangram serve` process of the test.
type server struct {
	cmd *exec.Cmd
	url string
	log *bytes.Buffer
}

// TestExactlyOnceAcrossProcesses: three `tangram serve` processes on one
// embedded store receive 10,000 signed webhooks between them; one is
// killed (SIGKILL) while it has work claimed. Every event's ledger entry
// and message exists exactly once.
func TestExactlyOnceAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers; skipped with -short")
	}
	const events = 10000
	dir := t.TempDir()
	bin := filepath.Join(dir, "tangram")
	build := exec.Command("go", "build", "-o", bin, "../cmd/tangram")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	start := func() *server {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		s := &server{url: "http://" + addr, log: &bytes.Buffer{}}
		s.cmd = exec.Command(bin, "serve")
		s.cmd.Env = append(os.Environ(), "TANGRAM_ADDR="+addr, "TANGRAM_DATA_DIR="+data, "TANGRAM_ADMIN_PASSWORD="+apitest.AdminPassword,
			"TANGRAM_LOG_LEVEL=warn", "TANGRAM_AUTOMATION_EVERY=50ms", "TANGRAM_AUTOMATION_LEASE=3s", "TANGRAM_AUTOMATION_RUNNER=on")
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if s.cmd.ProcessState == nil {
				_ = s.cmd.Process.Signal(syscall.SIGTERM)
				_ = s.cmd.Wait()
			}
		})
		for i := 0; ; i++ {
			resp, err := http.Get(s.url + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return s
				}
			}
			if i > 600 {
				t.Fatalf("server %s did not start:\n%s", addr, s.log)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	servers := []*server{start()}
	call := func(s *server, method, path, token string, body any, headers ...string) (int, map[string]any) {
		var raw []byte
		switch b := body.(type) {
		case nil:
		case []byte:
			raw = b
		default:
			raw, _ = json.Marshal(b)
		}
		req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, map[string]any{"error": err.Error()}
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	_, login := call(servers[0], "POST", "/api/auth/login", "", map[string]any{"username": "admin", "password": apitest.AdminPassword})
	token, _ := login["token"].(string)
	for _, d := range []struct {
		path string
		spec any
	}{
		{"app/crm", map[string]any{"title": "CRM"}},
		{"automation/pos", map[string]any{"title": "POS", "trigger": map[string]any{"type": "webhook.inbound", "config": map[string]any{"secret": hookKey}},
			"actions": []any{
				map[string]any{"id": "points", "type": "ledger.post", "config": map[string]any{"owner": "$payload.member", "kind": "points", "unit": "point", "amount": 10, "type": "gift"}},
				map[string]any{"id": "msg", "type": "message.send", "config": map[string]any{"to": "$payload.member", "text": "+10"}}}}},
	} {
		if st, m := call(servers[0], "POST", "/api/apps/crm/meta/"+d.path, token, map[string]any{"spec": d.spec}); st != 201 {
			t.Fatalf("create %s: %d %v", d.path, st, m)
		}
		if st, m := call(servers[0], "POST", "/api/apps/crm/meta/"+d.path+"/publish", token, nil); st != 200 {
			t.Fatalf("publish %s: %d %v", d.path, st, m)
		}
	}
	servers = append(servers, start(), start())

	st, err := store.Open(context.Background(), "sqlite://"+filepath.ToSlash(filepath.Join(data, "tangram.db")), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func(coll string, kv ...string) int64 {
		var f *query.Node
		if len(kv) == 2 {
			f = query.Eq(query.Field{Path: kv[0], Kind: query.KindString}, query.Str(kv[1]))
		}
		n, err := st.Count(context.Background(), coll, f)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// 10,000 webhooks over the three servers from 24 clients; server 2 is
	// killed once a fifth of the runs are done.
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	killed := make(chan struct{})
	for c := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= events {
					return
				}
				body := []byte(fmt.Sprintf(`{"member": "m%05d"}`, i))
				ts := time.Now().Unix()
				for attempt := 0; ; attempt++ {
					s := servers[(int(i)+c+attempt)%3]
					if s == servers[1] {
						select {
						case <-killed:
							s = servers[(int(i)+c+attempt+1)%3]
							if s == servers[1] {
								s = servers[0]
							}
						default:
						}
					}
					code, _ := call(s, "POST", "/api/hooks/crm/pos", "", body, automation.HeaderTimestamp, strconv.FormatInt(ts, 10),
						automation.HeaderSignature, automation.Sign([]byte(hookKey), ts, body), automation.HeaderDelivery, fmt.Sprintf("d%05d", i))
					if code == 202 || code == 200 {
						break
					}
					if attempt > 20 {
						failed.Add(1)
						break
					}
				}
			}
		}()
	}
	for count(automation.CollRuns, "status", automation.RunDone) < events/5 {
		time.Sleep(20 * time.Millisecond)
	}
	_ = servers[1].cmd.Process.Kill()
	_ = servers[1].cmd.Wait()
	close(killed)
	held := count(automation.CollRuns, "status", automation.RunRunning)
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d webhooks were never accepted", failed.Load())
	}
	deadline := time.Now().Add(5 * time.Minute)
	for count(automation.CollRuns, "status", automation.RunDone) < events {
		if time.Now().After(deadline) {
			t.Fatalf("runs done %d of %d; logs:\n%s\n%s", count(automation.CollRuns, "status", automation.RunDone), events,
				servers[0].log, servers[2].log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := count(ledger.CollEntries); n != events {
		t.Errorf("%d ledger entries for %d events", n, events)
	}
	if n := count(automation.CollMessages); n != events {
		t.Errorf("%d messages for %d events", n, events)
	}
	if n := count(automation.CollRuns); n != events {
		t.Errorf("%d runs for %d events", n, events)
	}
	t.Logf("%d events over 3 processes; %d runs were running when one was killed", events, held)
}
