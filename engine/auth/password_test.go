package auth_test

import (
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
)

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("Correct-Horse-9", auth.DefaultHashParams)
	must(t, err)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	if !auth.VerifyPassword("Correct-Horse-9", h) {
		t.Fatal("right password refused")
	}
	if auth.VerifyPassword("Correct-Horse-8", h) || auth.VerifyPassword("", h) {
		t.Fatal("wrong password accepted")
	}
	h2, _ := auth.HashPassword("Correct-Horse-9", auth.DefaultHashParams)
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if auth.NeedsRehash(h, auth.DefaultHashParams) {
		t.Fatal("fresh hash reported outdated")
	}
	if !auth.NeedsRehash(h, auth.HashParams{Memory: 65536, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}) {
		t.Fatal("hash with other parameters not reported outdated")
	}
	parts := strings.Split(h, "$")
	for name, bad := range map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuv",
		"version":      strings.Replace(h, "v=19", "v=16", 1),
		"params tail":  strings.Replace(h, "p=1$", "p=1x$", 1),
		"huge memory":  strings.Replace(h, "m=19456", "m=99999999", 1),
		"salt garbage": strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"short key":    strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
	} {
		if auth.VerifyPassword("Correct-Horse-9", bad) {
			t.Errorf("%s: malformed hash matched", name)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pw, user string
		want     []string // field-error codes, in any order
	}{
		{"Abcdefgh1!", "li", nil},
		{"abcdefgh12", "li", []string{auth.PwClasses}},
		{"abcdefgh1!", "li", nil},                  // lower, digit, symbol
		{"ABCDEFGH1!", "li", nil},                  // upper, digit, symbol
		{"门店店长密码abc12", "li", nil},                 // CJK counts as a symbol class
		{"Abc1!", "li", []string{auth.PwTooShort}}, // short but varied
		{"abcdefghij", "li", []string{auth.PwClasses}},
		{"short", "li", []string{auth.PwTooShort, auth.PwClasses}},
		{"Li.Wei.2026", "li.wei.2026", []string{auth.PwSameAsUser}},
		{"Password123", "li", []string{auth.PwCommon}},
		{"P@ssw0rd123", "li", []string{auth.PwCommon}},
		{strings.Repeat("Aa1!", 70), "li", []string{auth.PwTooLong}},
	}
	for _, c := range cases {
		err := auth.CheckPassword(c.pw, c.user, "password")
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%q: want ok, got %v", c.pw, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || e.Code != "auth.weak_password" || e.Class != errs.Unprocessable {
			t.Errorf("%q: want auth.weak_password, got %v", c.pw, err)
			continue
		}
		got := map[string]bool{}
		for _, f := range e.Fields {
			if f.Path != "password" {
				t.Errorf("%q: field error path %q", c.pw, f.Path)
			}
			got[f.Code] = true
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: want %v, got %v", c.pw, c.want, e.Fields)
		}
		for _, w := range c.want {
			if !got[w] {
				t.Errorf("%q: missing %s in %v", c.pw, w, e.Fields)
			}
		}
	}
}

func TestGeneratePasswordPassesPolicy(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		pw, err := auth.GeneratePassword(20)
		must(t, err)
		if len(pw) != 20 || seen[pw] {
			t.Fatalf("bad or repeated password %q", pw)
		}
		seen[pw] = true
		if err := auth.CheckPassword(pw, "admin", "password"); err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
	}
}
