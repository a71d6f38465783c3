package migrate_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/meta/migrate"
	_ "github.com/tangram/tangram/engine/meta/migrate/dashboard"
	_ "github.com/tangram/tangram/engine/meta/migrate/form"
	_ "github.com/tangram/tangram/engine/meta/migrate/report"
)

var fixtureRe = regexp.MustCompile(`^v(\d+)_(.+)\.json$`)

// TestFixtures runs every step over its before fixture (testdata/<kind>/
// vN_<case>.json) and compares with the after fixture (vN+1_<case>.json).
func TestFixtures(t *testing.T) {
	kinds, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, k := range kinds {
		files, err := filepath.Glob(filepath.Join("testdata", k.Name(), "v*_*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, before := range files {
			m := fixtureRe.FindStringSubmatch(filepath.Base(before))
			if m == nil {
				t.Fatalf("%s: fixture names are vN_<case>.json", before)
			}
			from, _ := strconv.Atoi(m[1])
			after := filepath.Join("testdata", k.Name(), fmt.Sprintf("v%d_%s.json", from+1, m[2]))
			if _, err := os.Stat(after); err != nil {
				continue // the last version of a chain
			}
			t.Run(k.Name()+"/"+filepath.Base(before), func(t *testing.T) {
				covered[fmt.Sprintf("%s.v%d", k.Name(), from)] = true
				got, err := migrate.Upgrade(k.Name(), from, from+1, load(t, before))
				if err != nil {
					t.Fatal(err)
				}
				if want := load(t, after); !reflect.DeepEqual(got, want) {
					g, _ := json.MarshalIndent(got, "", "  ")
					t.Fatalf("upgrade of %s:\n%s\nwant %s", before, g, after)
				}
			})
		}
	}
	for _, s := range migrate.Steps() {
		if !covered[s] {
			t.Errorf("step %s has no before/after fixture in testdata", s)
		}
	}
}

func TestUpgradeErrors(t *testing.T) {
	for _, tc := range []struct {
		kind     string
		from, to int
		want     string
	}{
		{"form", 3, 2, "newer than this server"},
		{"form", 1, 3, "no step for form from schemaVersion 2"},
		{"view", 1, 2, "no step for view from schemaVersion 1"},
	} {
		_, err := migrate.Upgrade(tc.kind, tc.from, tc.to, map[string]any{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Upgrade(%s, %d, %d) = %v; want %q", tc.kind, tc.from, tc.to, err, tc.want)
		}
	}
	spec := map[string]any{"a": json.Number("1")}
	if got, err := migrate.Upgrade("view", 1, 1, spec); err != nil || !reflect.DeepEqual(got, spec) {
		t.Fatalf("same-version upgrade changed the spec: %v, %v", got, err)
	}
}

func TestRegisterDuplicatePanics(t *testing.T) {
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "form.v1") {
			t.Fatalf("panic = %v; want a duplicate-step panic", p)
		}
	}()
	migrate.Register("form", 1, func(m map[string]any) (map[string]any, error) { return m, nil })
}

func load(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}
