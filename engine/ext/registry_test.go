package ext

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestRegistryRegisterGetKeys(t *testing.T) {
	r := NewRegistry[int]("numbers")
	r.Register("b.two", 2)
	r.Register("a.one", 1)
	r.Register("c.three", 3)
	if v, ok := r.Get("b.two"); !ok || v != 2 {
		t.Fatalf("Get(b.two) = %v, %v; want 2, true", v, ok)
	}
	if _, ok := r.Get("missing"); ok {
		t.Fatal("Get(missing) found something")
	}
	if got, want := strings.Join(r.Keys(), ","), "a.one,b.two,c.three"; got != want {
		t.Fatalf("Keys() = %s; want %s", got, want)
	}
}

func TestRegistryPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		want string
	}{
		{"duplicate", "dup", `numbers: key "dup" registered twice`},
		{"empty", "", "numbers: empty key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRegistry[int]("numbers")
			r.Register("dup", 1)
			defer func() {
				p := recover()
				if p == nil || !strings.Contains(fmt.Sprint(p), tc.want) {
					t.Fatalf("panic = %v; want one containing %q", p, tc.want)
				}
				if v, _ := r.Get("dup"); v != 1 {
					t.Fatalf("the first registration was replaced: %d", v)
				}
			}()
			r.Register(tc.key, 2)
		})
	}
}

func TestRegistryConcurrentUse(t *testing.T) {
	r := NewRegistry[string]("strings")
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(2)
		go func() { defer wg.Done(); r.Register(fmt.Sprintf("k%02d", i), "v") }()
		go func() { defer wg.Done(); _ = r.Keys(); _, _ = r.Get("k00") }()
	}
	wg.Wait()
	if n := len(r.Keys()); n != 50 {
		t.Fatalf("%d keys; want 50", n)
	}
}
