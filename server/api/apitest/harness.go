// Package apitest starts a real Tangram HTTP server on a loopback port over a
// fresh SQLite store, and offers a small client for scenario tests.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite" // the embedded store
	"github.com/tangram/tangram/server/api"
)

// AdminPassword is the bootstrap admin's password in tests.
const AdminPassword = "Test-Admin-Pa55word!"

// Harness is one running server. Requests carry Token (the bootstrap
// admin's session, unless changed) as a bearer token.
type Harness struct {
	T      *testing.T
	URL    string
	Store  store.Store
	Meta   *meta.Service
	Auth   *auth.Service
	Server *api.Server
	// DataDir holds the uploaded files (under files/).
	DataDir string
	Token   string
	client  *http.Client
}

// Options tune the server under test.
type Options struct {
	BodyLimit int
}

// New starts a server; it stops when the test ends.
func New(t *testing.T, opt ...Options) *Harness {
	t.Helper()
	var o Options
	if len(opt) > 0 {
		o = opt[0]
	}
	ctx := context.Background()
	metrics := api.NewMetrics()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "t.db")), store.Options{Observer: metrics.StoreObserver()})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	dataDir := t.TempDir()
	srv, svc, err := api.Wire(ctx, st, api.WireOptions{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Metrics: metrics,
		Auth:    auth.Config{Hash: auth.HashParams{Time: 1, Memory: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}},
		DataDir: dataDir, BodyLimit: o.BodyLimit, Version: "test"})
	if err != nil {
		t.Fatalf("wire: %v", err)
	}
	t.Cleanup(svc.Close)
	ms, as := svc.Meta, svc.Auth
	if _, _, err := as.EnsureAdmin(ctx, AdminPassword); err != nil {
		t.Fatalf("bootstrap admin: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	go func() { _ = srv.App.Listener(ln) }()
	t.Cleanup(func() {
		_ = srv.App.ShutdownWithTimeout(5 * time.Second)
		_ = st.Close()
	})
	h := &Harness{T: t, URL: "http://" + ln.Addr().String(), Store: st, Meta: ms, Auth: as, Server: srv, DataDir: dataDir,
		client: &http.Client{Timeout: 30 * time.Second}}
	h.Token = h.Login("admin", AdminPassword)
	return h
}

// Login signs in and returns the session token (failing the test otherwise).
func (h *Harness) Login(username, password string) string {
	h.T.Helper()
	r := h.Do("POST", "/api/auth/login", map[string]any{"username": username, "password": password}, "Authorization:")
	if r.Status != 200 {
		h.T.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	tok, _ := r.Map()["token"].(string)
	return tok
}

// As returns a copy of the harness whose requests carry token ("" for none).
func (h *Harness) As(token string) *Harness {
	c := *h
	c.Token = token
	return &c
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value (numbers as json.Number).
func (r Response) JSON() any {
	var v any
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.UseNumber()
	_ = d.Decode(&v)
	return v
}

// Map decodes an object body.
func (r Response) Map() map[string]any {
	m, _ := r.JSON().(map[string]any)
	return m
}

// Do sends a request. body may be nil, a string/[]byte (sent as is) or any
// value (sent as JSON). headers are "Name: value" pairs.
func (h *Harness) Do(method, path string, body any, headers ...string) Response {
	h.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.T.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, h.URL+path, rd)
	if err != nil {
		h.T.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ":")
		if v = strings.TrimSpace(v); v == "" {
			req.Header.Del(strings.TrimSpace(k))
			continue
		}
		req.Header.Set(strings.TrimSpace(k), v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Expect fails the test unless the response has the status; for 4xx/5xx it
// also checks the problem+json content type and code.
func (h *Harness) Expect(r Response, status int, code string) map[string]any {
	h.T.Helper()
	if r.Status != status {
		h.T.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	m := r.Map()
	if status >= 400 {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			h.T.Fatalf("content type %q, want application/problem+json; body: %s", ct, r.Body)
		}
		if code != "" && m["code"] != code {
			h.T.Fatalf("problem code %v, want %s; body: %s", m["code"], code, r.Body)
		}
	}
	return m
}
