package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
)

// seedCRM builds app "crm" with definitions in every state an export must
// keep: published with a newer draft, published, draft only.
func seedCRM(t *testing.T) *Service {
	t.Helper()
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "members", formSpec("members v1"))
	mustPublish(t, s, KindForm, "crm", "members", 1)
	mustSave(t, s, KindForm, "crm", "members", 1, formSpec("members v2"))
	mustCreate(t, s, KindView, "crm", "all-members", `{"title":"All members","form":"members","sort":"name"}`)
	mustPublish(t, s, KindView, "crm", "all-members", 1)
	mustCreate(t, s, KindFlow, "crm", "approval", `{"title":"Approval","form":"members","initial":"a","states":[{"key":"a"},{"key":"b"}],"transitions":[{"trigger":"go","from":"a","to":"b"}]}`)
	mustCreate(t, s, KindRole, "crm", "clerk", `{"title":"Clerk","permissions":[{"kind":"form","key":"members","actions":["read"]}]}`)
	mustPublish(t, s, KindRole, "crm", "clerk", 1)
	mustPublish(t, s, KindApp, "crm", "crm", 1)
	return s
}

// entries renders a bundle's definitions as "kind/key@version:status title".
func entries(t *testing.T, b Bundle) string {
	var out []string
	for _, d := range b.Definitions {
		out = append(out, fmt.Sprintf("%s/%s@%d:%s %s", d.Kind, d.Key, d.Version, d.Status, title(t, d)))
	}
	return join(out)
}

func TestExportShape(t *testing.T) {
	s := seedCRM(t)
	b, err := s.Export(context.Background(), "crm")
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != "tangram.app" || b.FormatVersion != 1 || b.App != "crm" || b.ExportedAt == "" {
		t.Fatalf("header %+v", b)
	}
	want := "app/crm@1:published CRM flow/approval@1:draft Approval form/members@1:published members v1 " +
		"form/members@2:draft members v2 role/clerk@1:published Clerk view/all-members@1:published All members"
	if got := entries(t, b); got != want {
		t.Fatalf("export:\n  %s\nwant\n  %s", got, want)
	}
	_, err = s.Export(context.Background(), "nope")
	wantCode(t, err, "meta.app_not_found", errs.NotFound)
}

// TestExportImportRoundTrip moves an app into another app name through the
// JSON file, and checks that the copy exports the same definitions.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := seedCRM(t)
	exported, err := s.Export(ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	file, _ := json.Marshal(exported)
	var b Bundle
	if err := json.Unmarshal(file, &b); err != nil {
		t.Fatal(err)
	}

	res, err := s.Import(ctx, b, ImportOptions{TargetApp: "crm2"}, "importer")
	if err != nil {
		t.Fatal(err)
	}
	want := "app/crm2 flow/approval form/members role/clerk view/all-members"
	if res.App != "crm2" || join(res.Created) != want || len(res.Updated)+len(res.Unchanged)+len(res.Conflicts) != 0 {
		t.Fatalf("result %+v", res)
	}
	copied, err := s.Export(ctx, "crm2")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := entries(t, copied), strings.Replace(entries(t, exported), "app/crm@", "app/crm2@", 1); got != want {
		t.Fatalf("copy exports\n  %s\nwant\n  %s", got, want)
	}
	for i, d := range copied.Definitions {
		o := exported.Definitions[i]
		if d.App != "crm2" || d.UpdatedBy != "importer" || !sameJSON(d.Spec, o.Spec) || d.SchemaVersion != o.SchemaVersion {
			t.Errorf("%s: %+v", d.Ref(), d)
		}
	}
	app, err := s.Get(ctx, "crm2", KindApp, "crm2")
	if err != nil || app.Key != "crm2" {
		t.Fatalf("app definition %+v, %v", app, err)
	}
	if p, _ := s.Published(ctx, "crm2", KindForm, "members"); title(t, p) != "members v1" {
		t.Fatalf("published members: %s", p.Spec)
	}
	// The source app is untouched.
	if again, _ := s.Export(ctx, "crm"); entries(t, again) != entries(t, exported) {
		t.Fatal("the source app changed")
	}
}

func TestImportConflictsAndOverwrite(t *testing.T) {
	ctx := context.Background()
	s := seedCRM(t)
	b, _ := s.Export(ctx, "crm")
	if _, err := s.Import(ctx, b, ImportOptions{TargetApp: "copy"}, "importer"); err != nil {
		t.Fatal(err)
	}
	revisions := func() int {
		n := 0
		for _, k := range []Kind{KindApp, KindForm, KindView, KindFlow, KindRole} {
			list, _ := s.List(ctx, "copy", k)
			for _, d := range list {
				n += d.Version
			}
		}
		return n
	}
	before := revisions()

	// Without overwrite every existing key is a conflict; nothing is written.
	res, err := s.Import(ctx, b, ImportOptions{TargetApp: "copy"}, "importer")
	e := wantCode(t, err, "meta.import_conflict", errs.Conflict)
	if len(e.Fields) != 5 || e.Fields[0].Path != "definitions[0].key" || e.Fields[0].Code != "meta.exists" {
		t.Fatalf("conflict fields %+v", e.Fields)
	}
	if join(res.Conflicts) != "app/copy flow/approval form/members role/clerk view/all-members" || len(res.Created) != 0 {
		t.Fatalf("result %+v", res)
	}
	// Overwrite with the same content changes nothing.
	res, err = s.Import(ctx, b, ImportOptions{TargetApp: "copy", Overwrite: true}, "importer")
	if err != nil || len(res.Unchanged) != 5 || len(res.Updated) != 0 {
		t.Fatalf("same-content overwrite: %+v, %v", res, err)
	}
	if revisions() != before {
		t.Fatal("an unchanged import wrote revisions")
	}

	// Change the members draft and add a page: members is updated (one new
	// draft revision; its published spec is already the target's), the page
	// created, the rest unchanged.
	for i, d := range b.Definitions {
		if d.Kind == KindForm && d.Status == StatusDraft {
			b.Definitions[i].Spec = json.RawMessage(formSpec("members v3"))
		}
	}
	b.Definitions = append(b.Definitions, Definition{Kind: KindPage, Key: "home", Spec: json.RawMessage(`{"title":"Home","blocks":[]}`)})
	res, err = s.Import(ctx, b, ImportOptions{TargetApp: "copy", Overwrite: true}, "importer")
	if err != nil || join(res.Updated) != "form/members" || join(res.Created) != "page/home" || len(res.Unchanged) != 4 {
		t.Fatalf("overwrite: %+v, %v", res, err)
	}
	assertStatusesIn(t, s, "copy", "members", "3:draft 2:draft 1:published")

	// Publish publishes the latest of every definition, drafts included.
	res, err = s.Import(ctx, b, ImportOptions{TargetApp: "copy", Overwrite: true, Publish: true}, "importer")
	if err != nil || join(res.Updated) != "flow/approval form/members page/home" {
		t.Fatalf("publish import: %+v, %v", res, err)
	}
	assertStatusesIn(t, s, "copy", "members", "4:published 3:draft 2:draft 1:superseded")
	if p, _ := s.Published(ctx, "copy", KindPage, "home"); p.Version != 2 {
		t.Fatalf("page published v%d", p.Version)
	}
}

func TestImportDryRun(t *testing.T) {
	ctx := context.Background()
	s := seedCRM(t)
	b, _ := s.Export(ctx, "crm")
	res, err := s.Import(ctx, b, ImportOptions{TargetApp: "trial", DryRun: true}, "importer")
	if err != nil || !res.DryRun || len(res.Created) != 5 {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if _, err := s.Get(ctx, "trial", KindApp, "trial"); !errs.HasCode(err, "meta.not_found") {
		t.Fatalf("a dry run wrote the app: %v", err)
	}
	// A dry run reports conflicts as the real import would.
	_, err = s.Import(ctx, b, ImportOptions{DryRun: true}, "importer")
	wantCode(t, err, "meta.import_conflict", errs.Conflict)
}

// TestImportValidation: every problem of a bundle is reported at once, with
// paths into the bundle, and nothing is written.
func TestImportValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	def := func(kind Kind, app, key string, status Status, spec string) Definition {
		return Definition{Kind: kind, App: app, Key: key, Status: status, Spec: json.RawMessage(spec)}
	}
	for _, tc := range []struct {
		name string
		b    Bundle
		opt  ImportOptions
		want []string
	}{
		{"header", Bundle{Format: "zip", FormatVersion: 2, App: "Shop"}, ImportOptions{}, []string{
			"app meta.bad_name", "definitions meta.items", "format meta.bundle_format", "formatVersion meta.bundle_format",
		}},
		{"bad target", Bundle{Format: BundleFormat, FormatVersion: 1, App: "shop", Definitions: []Definition{def(KindApp, "shop", "shop", "", `{"title":"S"}`)}},
			ImportOptions{TargetApp: "Shop 2"}, []string{"app meta.bad_name"}},
		{"empty", Bundle{Format: BundleFormat, FormatVersion: 1, App: "shop"}, ImportOptions{}, []string{"definitions meta.items"}},
		{"definitions", Bundle{Format: BundleFormat, FormatVersion: 1, App: "shop", Definitions: []Definition{
			def(KindApp, "shop", "shop", StatusPublished, `{"title":"Shop"}`),
			def(KindForm, "shop", "items", StatusDraft, `{"title":"Items","fields":[{"key":"1a","type":"text","label":"A"}]}`),
			def(KindForm, "other", "x", StatusDraft, formSpec("x")),
			def("widget", "shop", "w", StatusDraft, `{}`),
			def(KindView, "shop", "v", StatusSuperseded, `{"title":"V","form":"items"}`),
			def(KindView, "", "list", "", `{"title":"V","form":"items"}`),
			def(KindView, "", "list", StatusDraft, `{"title":"V2","form":"items"}`),
			def(KindApp, "shop", "other", "", `{"title":"Shop"}`),
		}}, ImportOptions{TargetApp: "shop2"}, []string{
			"definitions[1].spec.fields[0].key meta.pattern",
			"definitions[2].app meta.bundle_app",
			"definitions[3].kind meta.unknown_kind",
			"definitions[4].status meta.status",
			"definitions[6].key meta.duplicate",
			"definitions[7].key meta.app_key",
		}},
		{"no app", Bundle{Format: BundleFormat, FormatVersion: 1, App: "shop", Definitions: []Definition{
			def(KindForm, "shop", "items", "", formSpec("items")),
		}}, ImportOptions{}, []string{"definitions meta.app_not_found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Import(ctx, tc.b, tc.opt, "importer")
			assertFields(t, err, tc.want)
		})
	}
	apps, _ := s.Apps(ctx)
	if len(apps) != 1 {
		t.Fatalf("%d apps after refused imports; want 1", len(apps))
	}
	// A bundle without its app definition imports into an existing app.
	res, err := s.Import(ctx, Bundle{Format: BundleFormat, FormatVersion: 1, App: "shop", Definitions: []Definition{
		def(KindForm, "shop", "items", StatusPublished, formSpec("items")),
	}}, ImportOptions{TargetApp: "crm"}, "importer")
	if err != nil || join(res.Created) != "form/items" {
		t.Fatalf("import into existing app: %+v, %v", res, err)
	}
}

// TestImportUpgradesOldFormat: a bundle written when forms were at
// schemaVersion 1 imports in the current format.
func TestImportUpgradesOldFormat(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	_, err := s.Import(ctx, Bundle{Format: BundleFormat, FormatVersion: 1, App: "crm", Definitions: []Definition{{
		Kind: KindForm, App: "crm", Key: "old", SchemaVersion: 1, Status: StatusPublished,
		Spec: json.RawMessage(`{"title":"Old","fields":[{"name":"a","type":"text","label":"A"}]}`),
	}}}, ImportOptions{}, "importer")
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Published(ctx, "crm", KindForm, "old")
	if err != nil || d.SchemaVersion != 2 || string(d.Spec) != `{"fields":[{"key":"a","label":"A","type":"text"}],"title":"Old"}` {
		t.Fatalf("imported %+v, %v", d, err)
	}
}

func assertStatusesIn(t *testing.T, s *Service, app, key, want string) {
	t.Helper()
	vs, err := s.Versions(context.Background(), app, KindForm, key)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, fmt.Sprintf("%d:%s", v.Version, v.Status))
	}
	if join(got) != want {
		t.Fatalf("statuses %s; want %s", join(got), want)
	}
}
