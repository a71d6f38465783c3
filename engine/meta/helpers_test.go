package meta

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
)

// openStore opens (creating) the SQLite database at path.
func openStore(t testing.TB, path string) store.Store {
	t.Helper()
	st, err := openPlain(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// openPlain opens the SQLite file through the store registry, as the
// server does.
func openPlain(path string) (store.Store, error) {
	return store.Open(context.Background(), "sqlite://"+path, store.Options{})
}

// newService returns an initialized Service over a fresh SQLite file, and
// the file's path for tests that open it a second time.
func newService(t testing.TB) (*Service, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "meta.db")
	return serviceAt(t, path), path
}

func serviceAt(t testing.TB, path string) *Service {
	t.Helper()
	s := NewService(openStore(t, path))
	if err := s.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// withApp returns a service whose store already has app "crm".
func withApp(t testing.TB) (*Service, string) {
	t.Helper()
	s, path := newService(t)
	mustCreate(t, s, KindApp, "crm", "crm", `{"title":{"zh-CN":"会员","en":"CRM"}}`)
	return s, path
}

func mustCreate(t testing.TB, s *Service, kind Kind, app, key, spec string) Definition {
	t.Helper()
	d, err := s.Create(context.Background(), Definition{Kind: kind, App: app, Key: key, Spec: json.RawMessage(spec)}, "alice")
	if err != nil {
		t.Fatalf("create %s/%s: %v", kind, key, err)
	}
	return d
}

func mustSave(t testing.TB, s *Service, kind Kind, app, key string, ifMatch int, spec string) Definition {
	t.Helper()
	d, err := s.Save(context.Background(), Definition{Kind: kind, App: app, Key: key, Spec: json.RawMessage(spec)}, ifMatch, "bob")
	if err != nil {
		t.Fatalf("save %s/%s: %v", kind, key, err)
	}
	return d
}

func mustPublish(t testing.TB, s *Service, kind Kind, app, key string, version int) Definition {
	t.Helper()
	d, err := s.Publish(context.Background(), app, kind, key, version, 0, "carol")
	if err != nil {
		t.Fatalf("publish %s/%s v%d: %v", kind, key, version, err)
	}
	return d
}

// formSpec is a minimal valid form whose title tells revisions apart.
func formSpec(title string) string {
	return `{"title":"` + title + `","fields":[{"key":"name","type":"text","label":"Name"}]}`
}

// title reads a spec's title, to tell revisions apart.
func title(t testing.TB, d Definition) string {
	t.Helper()
	var v struct{ Title any }
	if err := json.Unmarshal(d.Spec, &v); err != nil {
		t.Fatalf("spec %s: %v", d.Spec, err)
	}
	if m, ok := v.Title.(map[string]any); ok {
		return m["en"].(string) // a localized title
	}
	return v.Title.(string)
}

// wantCode fails unless err is an *errs.Error with the code and class.
func wantCode(t testing.TB, err error, code string, class errs.Class) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code || e.Class != class {
		t.Fatalf("error = %v; want %s (class %d)", err, code, class)
	}
	return e
}

// fixedClock makes the service's timestamps predictable.
func fixedClock(s *Service, ts string) {
	tm, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		panic(err)
	}
	s.now = func() time.Time { return tm }
}
