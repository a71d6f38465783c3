package rules

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// mustCompile validates and compiles a spec written in JSON.
func mustCompile(t testing.TB, spec string) *Table {
	t.Helper()
	tbl, err := Compile(json.RawMessage(spec))
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, spec)
	}
	return tbl
}

// decodeInputs reads inputs the way the HTTP API does (json.Number).
func decodeInputs(t testing.TB, s string) map[string]any {
	t.Helper()
	v, err := decodeNumber([]byte(s))
	if err != nil {
		t.Fatalf("inputs %s: %v", s, err)
	}
	m, _ := v.(map[string]any)
	return m
}

// at parses an RFC 3339 instant.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// fields renders a validation error as "path code" lines, in order.
func fields(t testing.TB, err error) []string {
	t.Helper()
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error %v is not coded", err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("%s has no message", f.Path)
		}
		out = append(out, f.Path+" "+f.Code)
	}
	return out
}

func sameLines(t testing.TB, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// jsonOf marshals a value for comparisons.
func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
