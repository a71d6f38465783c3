package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/server/api"
)

// benchServer is a real server on a loopback port over a fresh SQLite
// file, as apitest.Harness starts one (which needs a *testing.T), with a
// client pooling enough connections for the benchmark's callers.
type benchServer struct {
	b      *testing.B
	url    string
	token  string
	st     store.Store
	client *http.Client
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(b.TempDir(), "bench.db")), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		b.Fatal(err)
	}
	as := auth.New(st, auth.Config{Hash: auth.HashParams{Time: 1, Memory: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err := as.Init(ctx); err != nil {
		b.Fatal(err)
	}
	const password = "Bench-Admin-Pa55word!"
	if _, _, err := as.EnsureAdmin(ctx, password); err != nil {
		b.Fatal(err)
	}
	guard := access.NewGuard(ms)
	scripts := script.New(script.Options{})
	records := form.NewRecords(st, ms, guard, as.Audit, scripts)
	srv := api.New(api.Deps{Store: st, Meta: ms, Auth: as, Guard: guard, Records: records,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Version: "bench"})
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}
	s := &benchServer{b: b, st: st, url: serveBench(b, srv, scripts.Close, func() { _ = st.Close() }), client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	s.signIn(password)
	return s
}

// serveBench serves srv on a loopback port until the benchmark ends, then
// shuts it down and runs closers in order; it returns the server's URL.
func serveBench(b *testing.B, srv *api.Server, closers ...func()) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.App.Listener(ln) }()
	b.Cleanup(func() {
		_ = srv.App.ShutdownWithTimeout(5 * time.Second)
		for _, c := range closers {
			c()
		}
	})
	return "http://" + ln.Addr().String()
}

// signIn signs the administrator in and keeps the session token.
func (s *benchServer) signIn(password string) {
	var login struct {
		Token string `json:"token"`
	}
	s.call("POST", "/api/auth/login", map[string]any{"username": "admin", "password": password}, 200, &login)
	s.token = login.Token
}

// call sends one request and fails unless it answers status; out, when
// not nil, receives the decoded body.
func (s *benchServer) call(method, path string, body any, status int, out any) {
	raw, _ := json.Marshal(body)
	if body == nil {
		raw = nil
	}
	got, resp := s.send(method, path, raw)
	if got != status {
		s.b.Fatalf("%s %s: %d, want %d: %s", method, path, got, status, resp)
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			s.b.Fatal(err)
		}
	}
}

// send is one request with the admin's token; it returns the status and
// body, and is safe for concurrent use.
func (s *benchServer) send(method, path string, body []byte) (int, []byte) {
	req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// benchOrderForm has ten client-written fields and two formulas.
var benchOrderForm = map[string]any{"spec": map[string]any{"title": "订单", "fields": []any{
	map[string]any{"key": "customer", "type": "text", "label": "客户", "required": true, "maxLength": 40},
	map[string]any{"key": "phone", "type": "phone", "label": "手机号"},
	map[string]any{"key": "email", "type": "email", "label": "邮箱"},
	map[string]any{"key": "channel", "type": "select", "label": "渠道", "options": []any{
		map[string]any{"value": "store", "label": "门店"}, map[string]any{"value": "online", "label": "线上"}}},
	map[string]any{"key": "price", "type": "money", "label": "单价", "min": 0},
	map[string]any{"key": "qty", "type": "number", "label": "数量", "min": 1},
	map[string]any{"key": "discount", "type": "percent", "label": "折扣", "max": 100},
	map[string]any{"key": "orderedOn", "type": "date", "label": "下单日期"},
	map[string]any{"key": "note", "type": "textarea", "label": "备注"},
	map[string]any{"key": "storeId", "type": "text", "label": "门店"},
	map[string]any{"key": "amount", "type": "formula", "label": "金额", "expression": "price * qty", "resultType": "money"},
	map[string]any{"key": "points", "type": "formula", "label": "积分", "expression": "qty * 10", "resultType": "number"},
}}}

// BenchmarkCreateHTTP measures record creates through the HTTP API (JSON
// decoding, authentication, the access decision, validation of ten
// fields, two formulas, the durable transaction with history and audit,
// the JSON response) by 32 concurrent clients over loopback. Target:
// 5,000 creates/s on the embedded store with 2 cores (shared/DESIGN.md).
// Run with go test ./server/api -run '^$' -bench CreateHTTP -benchtime 5s.
func BenchmarkCreateHTTP(b *testing.B) {
	s := newBenchServer(b)
	s.call("POST", "/api/apps/crm/meta/app/crm", appSpec, 201, nil)
	s.call("POST", "/api/apps/crm/meta/form/orders", benchOrderForm, 201, nil)
	s.call("POST", "/api/apps/crm/meta/form/orders/publish", nil, 200, nil)
	const path = "/api/apps/crm/forms/orders/records"
	body := func(i int64) []byte {
		return fmt.Appendf(nil, `{"customer": "客户%d", "phone": "139%08d", "email": "c%d@example.com", "channel": "store", `+
			`"price": "12.50", "qty": %d, "discount": "5", "orderedOn": "2026-11-23", "note": "bench", "storeId": "s%d"}`,
			i, i%100000000, i, i%5+1, i%10)
	}
	var check struct {
		Amount json.Number `json:"amount"`
		Points json.Number `json:"points"`
	}
	s.call("POST", path, json.RawMessage(body(1)), 201, &check)
	if check.Amount != "2500" || check.Points != "20" {
		b.Fatalf("formulas: %+v", check)
	}
	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 clients
	var n atomic.Int64
	ws, _ := s.st.(interface{ WriterStats() (int64, int64) })
	var c0, r0 int64
	if ws != nil {
		c0, r0 = ws.WriterStats()
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if status, resp := s.send("POST", path, body(n.Add(1))); status != 201 {
				b.Errorf("create: %d %s", status, resp)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
	if ws != nil {
		if c, r := ws.WriterStats(); c > c0 {
			b.ReportMetric(float64(r-r0)/float64(c-c0), "req/commit")
		}
	}
}
