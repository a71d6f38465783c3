package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserCreate adds users with `tangram user create` (password from the
// environment and from stdin), refuses a weak password with the reason, and
// then signs in as the new user on a server started over the same data dir.
func TestUserCreate(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tangram")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	run := func(stdin string, env []string, args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"user", "create", "-data", data}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("", []string{"TANGRAM_USER_PASSWORD=Cli-Manager-Passw0rd!"}, "-username", "wang.manager", "-display", "王店长"); err != nil || !strings.Contains(out, `created user "wang.manager"`) {
		t.Fatalf("create from env: %v\n%s", err, out)
	}
	if out, err := run("Cli-Ops-Passw0rd!\n", nil, "-username", "ops", "-admin"); err != nil || !strings.Contains(out, "admin true") {
		t.Fatalf("create from stdin: %v\n%s", err, out)
	}
	out, err := run("short\n", nil, "-username", "weak")
	if err == nil || !strings.Contains(out, "password") {
		t.Fatalf("weak password accepted or unexplained: %v\n%s", err, out)
	}
	if out, err := run("", []string{"TANGRAM_USER_PASSWORD=Cli-Manager-Passw0rd!"}, "-username", "ops"); err == nil {
		t.Fatalf("duplicate username accepted:\n%s", out)
	}

	srv := start(t, bin, "-data", data)
	body := call(t, srv.url, "", "POST", "/api/auth/login", `{"username":"ops","password":"Cli-Ops-Passw0rd!"}`, 200)
	if !strings.Contains(body, `"admin":true`) {
		t.Fatalf("ops is not an admin: %s", body)
	}
	call(t, srv.url, "", "POST", "/api/auth/login", `{"username":"wang.manager","password":"Cli-Manager-Passw0rd!"}`, 200)
	call(t, srv.url, "", "POST", "/api/auth/login", `{"username":"weak","password":"short"}`, 401)
	srv.stop(t)
}
