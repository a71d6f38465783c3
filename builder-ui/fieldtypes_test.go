package builderui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/form"
)

// The UI has one renderer file per field type the server registers
// (src/extensions/fieldTypes/<key>.tsx), each in the one registry, and
// none for a type the server does not know. The Vitest registry test
// checks the same against the Go sources; this one asks the running
// registry, so a type registered any other way is caught too.
func TestEveryFieldTypeHasAUIHalf(t *testing.T) {
	dir := filepath.Join("src", "extensions", "fieldTypes")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".tsx") && name != "registry.tsx" && name != "shared.tsx" {
			files[strings.TrimSuffix(name, ".tsx")] = true
		}
	}
	registry, err := os.ReadFile(filepath.Join(dir, "registry.tsx"))
	if err != nil {
		t.Fatal(err)
	}
	keys := form.FieldTypeKeys()
	if len(keys) < 27 {
		t.Fatalf("the server registers only %d field types: %v", len(keys), keys)
	}
	for _, k := range keys {
		if !files[k] {
			t.Errorf("field type %q has no renderer %s/%s.tsx", k, dir, k)
		}
		if !strings.Contains(string(registry), "from './"+k+"';") {
			t.Errorf("field type %q is not imported by registry.tsx", k)
		}
		delete(files, k)
	}
	for k := range files {
		t.Errorf("renderer %s.tsx has no field type on the server", k)
	}
}
