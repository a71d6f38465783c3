package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTemplateCommands: `tangram template list` names the shipped
// templates; `tangram template install` installs one into the store with
// demo data, and again changes nothing; `tangram serve -template
// -demo-members` starts a newcomer's server with the CRM and its data, and
// a restart neither reinstalls nor duplicates the data.
func TestTemplateCommands(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tangram")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command(bin, args...).CombinedOutput()
		return string(out), err
	}
	if out, err := run("template", "list"); err != nil || !strings.Contains(out, "crm-retail") || !strings.Contains(out, "零售会员 CRM / Retail CRM") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	data := t.TempDir()
	out, err := run("template", "install", "crm-retail", "-data", data, "-demo-members", "20", "-seed", "7")
	if err != nil || !strings.Contains(out, `installed crm-retail into app "crm"`) || !strings.Contains(out, "20 members") {
		t.Fatalf("install: %v\n%s", err, out)
	}
	if out, err := run("template", "install", "-data", data, "crm-retail"); err != nil || !strings.Contains(out, "0 created, 0 updated") {
		t.Fatalf("reinstall: %v\n%s", err, out)
	}
	if out, err := run("template", "install", "crm-retail", "-data", data, "-demo-members", "5"); err == nil || !strings.Contains(out, "already has stores") {
		t.Fatalf("demo data over data: %v\n%s", err, out)
	}
	if out, err := run("template", "install", "nosuch", "-data", data); err == nil || !strings.Contains(out, "no template") {
		t.Fatalf("unknown template: %v\n%s", err, out)
	}
	if out, err := run("template"); err == nil || !strings.Contains(out, "usage") {
		t.Fatalf("no subcommand: %v\n%s", err, out)
	}

	// A newcomer's start: the CRM with data at once, and on restart the
	// same data.
	fresh := t.TempDir()
	srv := start(t, bin, "-data", fresh, "-template", "crm-retail", "-demo-members", "10")
	tok := login(t, srv.url, "E2e-Admin-Passw0rd!")
	members := count(t, call(t, srv.url, tok, "GET", "/api/apps/crm/forms/members/records?limit=100", "", 200))
	if members != 10 {
		t.Fatalf("%d demo members", members)
	}
	call(t, srv.url, tok, "GET", "/api/apps/crm/meta/action/checkout?status=published", "", 200)
	srv.stop(t)
	srv = start(t, bin, "-data", fresh, "-template", "crm-retail", "-demo-members", "10")
	tok = login(t, srv.url, "E2e-Admin-Passw0rd!")
	if n := count(t, call(t, srv.url, tok, "GET", "/api/apps/crm/forms/members/records?limit=100", "", 200)); n != members {
		t.Fatalf("after a restart %d members, want %d", n, members)
	}
	srv.stop(t)
}

// count is the number of items of a records page.
func count(t *testing.T, body string) int {
	t.Helper()
	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatalf("page: %v\n%s", err, body)
	}
	return len(page.Items)
}
