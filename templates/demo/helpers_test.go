package demo_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
	"github.com/tangram/tangram/server/api"
	"github.com/tangram/tangram/templates"
	"github.com/tangram/tangram/templates/demo"
)

// testApp is the app the tests generate into.
const testApp = "crm"

// fixedNow is the end of the tests' history.
var fixedNow = time.Date(2026, 6, 30, 20, 0, 0, 0, cst)

// cst is China Standard Time.
var cst = time.FixedZone("CST", 8*3600)

// newDeps opens a fresh SQLite store with the services and the retail
// CRM template installed and published in testApp.
func newDeps(t testing.TB) demo.Deps {
	d, _ := newServices(t)
	return d
}

// newServices is newDeps with the services as the server wires them
// (no workflow timers), for tests that run the template's actions.
func newServices(t testing.TB) (demo.Deps, *api.Services) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "demo.db")), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	_, svc, err := api.Wire(ctx, st, api.WireOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DataDir: t.TempDir(), SLAEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	d := demo.Deps{Store: st, Meta: svc.Meta, Auth: svc.Auth, Records: svc.Records, Ledger: ledger.New(st, ledger.Options{})}
	if _, err := templates.Install(ctx, svc.Meta, "crm-retail", templates.InstallOptions{App: testApp, Publish: true}, "admin"); err != nil {
		t.Fatal(err)
	}
	return d, svc
}

// all reads every live record of a form, page by page.
func all(t testing.TB, d demo.Deps, formKey string, fn func(store.Doc)) {
	t.Helper()
	ctx := context.Background()
	f, err := d.Records.Form(ctx, testApp, formKey)
	if err != nil {
		t.Fatal(err)
	}
	after := ""
	for {
		var filter *query.Node
		if after != "" {
			filter = query.Cmp(query.Field{Path: form.SysID, Kind: query.KindString}, query.OpGt, query.Str(after))
		}
		docs, err := d.Store.Find(ctx, f.Coll, store.Query{Filter: filter, Sort: []query.SortKey{{Field: query.IDField}}, Limit: 2000})
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			fn(doc)
		}
		if len(docs) < 2000 {
			return
		}
		after = docs[len(docs)-1][form.SysID].(string)
	}
}
