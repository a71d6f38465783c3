package form

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/mongo"
	_ "github.com/tangram/tangram/engine/store/sqlite"
)

// env is a records service over a fresh SQLite file with app "crm".
type env struct {
	t     testing.TB
	ctx   context.Context
	st    store.Store
	meta  *meta.Service
	audit *auth.AuditLog
	rec   *Records
	admin *auth.Principal
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	// The embedded store by default; TANGRAM_TEST_FORM_STORE=lungo://memory
	// runs the same tests on the Mongo adapter over lungo (no aggregation:
	// rollups take the reading path there).
	uri := os.Getenv("TANGRAM_TEST_FORM_STORE")
	if uri == "" {
		uri = "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "records.db"))
	}
	st, err := store.Open(ctx, uri, store.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		t.Fatal(err)
	}
	eng := script.New(script.Options{})
	t.Cleanup(eng.Close)
	audit := auth.NewAuditLog(st, nil)
	e := &env{t: t, ctx: ctx, st: st, meta: ms, audit: audit,
		rec:   NewRecords(st, ms, access.NewGuard(ms), audit, eng),
		admin: &auth.Principal{UserID: "admin", Username: "admin", Admin: true}}
	e.publish(meta.KindApp, "crm", `{"title": "CRM"}`)
	return e
}

// publish creates (or saves a new revision of) a definition and publishes it.
func (e *env) publish(kind meta.Kind, key, spec string) {
	e.t.Helper()
	d := meta.Definition{Kind: kind, App: "crm", Key: key, Spec: json.RawMessage(spec)}
	cur, err := e.meta.Get(e.ctx, "crm", kind, key)
	switch {
	case err == nil:
		d, err = e.meta.Save(e.ctx, d, cur.Version, "admin")
	case errs.ClassOf(err) == errs.NotFound:
		d, err = e.meta.Create(e.ctx, d, "admin")
	}
	if err != nil {
		e.t.Fatalf("save %s %s: %v", kind, key, err)
	}
	if _, err := e.meta.Publish(e.ctx, "crm", kind, key, d.Version, d.Version, "admin"); err != nil {
		e.t.Fatalf("publish %s %s: %v", kind, key, err)
	}
}

// user is a principal holding roles of app "crm", in the given org units.
func user(id string, units []string, roles ...string) *auth.Principal {
	p := &auth.Principal{UserID: id, Username: id, Units: units, UnitSubtree: units}
	for _, r := range roles {
		p.Roles = append(p.Roles, auth.RoleRef{App: "crm", Role: r})
	}
	return p
}

func (e *env) create(p *auth.Principal, form string, in map[string]any) store.Doc {
	e.t.Helper()
	doc, err := e.rec.Create(e.ctx, p, "crm", form, in, WriteOptions{Lang: "en"})
	if err != nil {
		e.t.Fatalf("create %s %v: %v", form, in, err)
	}
	return doc
}

// fieldErrors renders an error's field errors as "path code" lines, sorted.
func fieldErrors(err error) []string {
	e, ok := errs.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Path+" "+f.Code)
	}
	return out
}

// wantCode fails unless err carries code.
func wantCode(t testing.TB, err error, code string) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return e
}

// wantPaths fails unless err's field errors are exactly at paths (any code).
func wantPaths(t testing.TB, err error, paths ...string) {
	t.Helper()
	var got []string
	for _, line := range fieldErrors(err) {
		got = append(got, strings.Fields(line)[0])
	}
	if strings.Join(got, ",") != strings.Join(paths, ",") {
		t.Fatalf("error paths %v, want %v (err %v)", got, paths, err)
	}
}

func isNotFound(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errs.HasCode(err, "record.not_found")
}

func str(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// skipWithoutAggregation skips where the store cannot aggregate (lungo
// answers store.unsupported; rollups read the children instead).
func skipWithoutAggregation(t *testing.T, e *env) {
	if e.st.Backend() == "lungo" {
		t.Skip("lungo has no aggregation")
	}
}
