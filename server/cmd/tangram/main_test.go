package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeEndToEnd builds the real binary, starts `tangram serve` on the
// embedded store, uses it over HTTP, stops it with SIGTERM (graceful: exit
// code 0), starts it again on the same data dir and finds the data kept.
// It then serves the same API on the MongoDB adapter over lungo.
func TestServeEndToEnd(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tangram")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	const pw = "E2e-Admin-Passw0rd!"

	srv := start(t, bin, "-data", data)
	tok := login(t, srv.url, pw)
	call(t, srv.url, tok, "POST", "/api/apps/shop/meta/app/shop", `{"spec":{"title":"门店"}}`, 201)
	call(t, srv.url, tok, "POST", "/api/apps/shop/meta/app/shop/publish", ``, 200)
	srv.stop(t)

	srv = start(t, bin, "-data", data)
	tok = login(t, srv.url, pw)
	body := call(t, srv.url, tok, "GET", "/api/apps/shop/meta/app/shop?status=published", "", 200)
	if !strings.Contains(body, `"门店"`) {
		t.Fatalf("data not kept across restart: %s", body)
	}
	call(t, srv.url, "", "GET", "/readyz", "", 200)
	srv.stop(t)

	// The same server on the MongoDB adapter (lungo, in memory).
	srv = start(t, bin, "-mongo", "lungo://memory")
	tok = login(t, srv.url, pw)
	call(t, srv.url, tok, "POST", "/api/apps/shop/meta/app/shop", `{"spec":{"title":"门店"}}`, 201)
	if b := call(t, srv.url, "", "GET", "/readyz", "", 200); !strings.Contains(b, `"lungo"`) {
		t.Fatalf("readyz on lungo: %s", b)
	}
	srv.stop(t)
}

type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

func start(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, append([]string{"serve", "-addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), "TANGRAM_ADMIN_PASSWORD=E2e-Admin-Passw0rd!")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, stderr: &stderr}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(s.url + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s", stderr.String())
	return nil
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no graceful exit within 20 s")
	}
	if !strings.Contains(s.stderr.String(), `"msg":"stopped"`) {
		t.Fatalf("no JSON shutdown log line:\n%s", s.stderr.String())
	}
}

func login(t *testing.T, url, pw string) string {
	t.Helper()
	body := call(t, url, "", "POST", "/api/auth/login", fmt.Sprintf(`{"username":"admin","password":%q}`, pw), 200)
	var r struct{ Token string }
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Token == "" {
		t.Fatalf("login: %s", body)
	}
	return r.Token
}

func call(t *testing.T, url, tok, method, path, body string, want int) string {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return string(b)
}
