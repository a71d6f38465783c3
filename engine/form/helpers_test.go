package form

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
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
	st := testkit.Open(t, testkit.StoreURI(t, "TANGRAM_TEST_FORM_STORE", "records.db"))
	ms := testkit.Meta(t, st)
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
	if _, err := testkit.Publish(e.ctx, e.meta, "crm", kind, key, spec); err != nil {
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

// fieldErrors renders an error's field errors as "path code" lines.
var fieldErrors = testkit.FieldErrors

// wantCode fails unless err carries code.
var wantCode = testkit.WantCode

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
