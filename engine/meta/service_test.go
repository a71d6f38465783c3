package meta

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tangram/tangram/engine/errs"
)

func TestCreateSaveGet(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	fixedClock(s, "2026-11-23T08:00:00Z")

	_, err := s.Create(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: json.RawMessage(formSpec("v1"))}, "alice")
	wantCode(t, err, "meta.app_not_found", errs.NotFound)

	mustCreate(t, s, KindApp, "crm", "crm", `{"title":"CRM"}`)
	d := mustCreate(t, s, KindForm, "crm", "members", formSpec("v1"))
	if d.Version != 1 || d.Status != StatusDraft || d.SchemaVersion != 2 || d.UpdatedBy != "alice" ||
		d.UpdatedAt != "2026-11-23T08:00:00.000Z" || d.PublishedAt != "" {
		t.Fatalf("created %+v", d)
	}
	_, err = s.Create(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: json.RawMessage(formSpec("again"))}, "alice")
	wantCode(t, err, "meta.exists", errs.Conflict)

	_, err = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: json.RawMessage(formSpec("v2"))}, 0, "bob")
	wantCode(t, err, "meta.if_match_required", errs.PreconditionErr)
	fixedClock(s, "2026-11-23T09:00:00Z")
	d2 := mustSave(t, s, KindForm, "crm", "members", 1, formSpec("v2"))
	if d2.Version != 2 || d2.Status != StatusDraft || d2.UpdatedBy != "bob" || d2.UpdatedAt != "2026-11-23T09:00:00.000Z" {
		t.Fatalf("saved %+v", d2)
	}
	_, err = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: json.RawMessage(formSpec("lost"))}, 1, "carol")
	e := wantCode(t, err, "meta.stale", errs.PreconditionErr)
	if e.Msg != "version 1 is not the latest (2); reload the definition and reapply your change" {
		t.Fatalf("stale message %q", e.Msg)
	}
	_, err = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "nobody", Spec: json.RawMessage(formSpec("x"))}, 1, "bob")
	wantCode(t, err, "meta.not_found", errs.NotFound)

	got, err := s.Get(ctx, "crm", KindForm, "members")
	if err != nil || got.Version != 2 || title(t, got) != "v2" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	v1, err := s.GetVersion(ctx, "crm", KindForm, "members", 1)
	if err != nil || title(t, v1) != "v1" || v1.UpdatedBy != "alice" {
		t.Fatalf("GetVersion(1) = %+v, %v", v1, err)
	}
	_, err = s.GetVersion(ctx, "crm", KindForm, "members", 9)
	wantCode(t, err, "meta.version_not_found", errs.NotFound)

	vs, err := s.Versions(ctx, "crm", KindForm, "members")
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || title(t, vs[1]) != "v1" {
		t.Fatalf("Versions = %+v, %v", vs, err)
	}
}

// TestInvalidWritesNothing: a refused Create or Save leaves no trace.
func TestInvalidWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	bad := json.RawMessage(`{"title":"T","fields":[{"key":"a","type":"text","label":"A"},{"key":"a","type":"text","label":"B"}]}`)
	_, err := s.Create(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: bad}, "alice")
	assertFields(t, err, []string{"spec.fields[1].key meta.duplicate"})
	_, err = s.Get(ctx, "crm", KindForm, "members")
	wantCode(t, err, "meta.not_found", errs.NotFound)
	_, err = s.Versions(ctx, "crm", KindForm, "members")
	wantCode(t, err, "meta.not_found", errs.NotFound)

	mustCreate(t, s, KindForm, "crm", "members", formSpec("v1"))
	_, err = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: bad}, 1, "bob")
	assertFields(t, err, []string{"spec.fields[1].key meta.duplicate"})
	// A bad key is reported with the spec's problems, before any lookup.
	_, err = s.Create(ctx, Definition{Kind: KindForm, App: "crm", Key: "Bad", Spec: bad}, "alice")
	assertFields(t, err, []string{"key meta.bad_name", "spec.fields[1].key meta.duplicate"})
	if vs, _ := s.Versions(ctx, "crm", KindForm, "members"); len(vs) != 1 {
		t.Fatalf("%d revisions after refused save; want 1", len(vs))
	}
}

func TestListAndApps(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "stores", formSpec("stores"))
	mustCreate(t, s, KindForm, "crm", "members", formSpec("members v1"))
	mustSave(t, s, KindForm, "crm", "members", 1, formSpec("members v2"))
	mustCreate(t, s, KindView, "crm", "all-members", `{"title":"All","form":"members"}`)
	mustCreate(t, s, KindApp, "mall", "mall", `{"title":"Mall"}`)
	mustCreate(t, s, KindForm, "mall", "shops", formSpec("shops"))

	list, err := s.List(ctx, "crm", KindForm)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range list {
		got = append(got, d.Key+"@"+title(t, d))
	}
	if want := "members@members v2 stores@stores"; join(got) != want {
		t.Fatalf("List = %s; want %s", join(got), want)
	}
	apps, err := s.Apps(ctx)
	if err != nil || len(apps) != 2 || apps[0].Key != "crm" || apps[1].Key != "mall" || title(t, apps[1]) != "Mall" {
		t.Fatalf("Apps = %+v, %v", apps, err)
	}
	if l, err := s.List(ctx, "crm", KindRule); err != nil || len(l) != 0 {
		t.Fatalf("List(rule) = %v, %v; want empty", l, err)
	}
	_, err = s.List(ctx, "nope", KindForm)
	wantCode(t, err, "meta.app_not_found", errs.NotFound)
	_, err = s.List(ctx, "crm", "widget")
	wantCode(t, err, "meta.unknown_kind", errs.NotFound)
	_, err = s.Get(ctx, "crm", KindForm, "../etc")
	wantCode(t, err, "meta.not_found", errs.NotFound)
}

// TestPaging: lists longer than one store page come back whole, in order.
func TestPaging(t *testing.T) {
	old := pageSize
	pageSize = 3
	t.Cleanup(func() { pageSize = old })
	ctx := context.Background()
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "f", formSpec("1"))
	for v := 1; v < 8; v++ {
		mustSave(t, s, KindForm, "crm", "f", v, formSpec("x"))
	}
	for _, k := range []string{"g", "h", "i", "j", "k", "l"} {
		mustCreate(t, s, KindForm, "crm", k, formSpec(k))
	}
	vs, err := s.Versions(ctx, "crm", KindForm, "f")
	if err != nil || len(vs) != 8 || vs[0].Version != 8 || vs[7].Version != 1 {
		t.Fatalf("Versions: %d revisions, %v", len(vs), err)
	}
	list, err := s.List(ctx, "crm", KindForm)
	if err != nil || len(list) != 7 || list[0].Key != "f" || list[0].Version != 8 || list[6].Key != "l" {
		t.Fatalf("List: %d definitions, %v", len(list), err)
	}
}

// TestOldFormatUpgradedOnRead stores a revision as a server from before
// form schemaVersion 2 did, and reads it back in the current format; the
// stored document itself is left as it was.
func TestOldFormatUpgradedOnRead(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	old := Definition{Kind: KindForm, App: "crm", Key: "legacy", SchemaVersion: 1, Version: 1, Status: StatusPublished,
		Spec:      json.RawMessage(`{"title":"Legacy","fields":[{"name":"code","type":"text","label":"Code"}]}`),
		UpdatedBy: "old-server", UpdatedAt: "2025-01-01T00:00:00.000Z", PublishedAt: "2025-01-01T00:00:00.000Z"}
	if _, err := s.st.Insert(ctx, collRevisions, revisionDoc(old)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.Insert(ctx, collHeads, map[string]any{"_id": headID("crm", KindForm, "legacy"),
		"app": "crm", "kind": "form", "key": "legacy", "latest": 1, "published": 1, "rev": 1}); err != nil {
		t.Fatal(err)
	}
	const want = `{"fields":[{"key":"code","label":"Code","type":"text"}],"title":"Legacy"}`
	for name, read := range map[string]func() (Definition, error){
		"Get":       func() (Definition, error) { return s.Get(ctx, "crm", KindForm, "legacy") },
		"Published": func() (Definition, error) { return s.Published(ctx, "crm", KindForm, "legacy") },
		"Versions": func() (Definition, error) {
			vs, err := s.Versions(ctx, "crm", KindForm, "legacy")
			if err != nil {
				return Definition{}, err
			}
			return vs[0], nil
		},
	} {
		d, err := read()
		if err != nil || d.SchemaVersion != 2 || string(d.Spec) != want {
			t.Errorf("%s = v%d %s, %v; want v2 %s", name, d.SchemaVersion, d.Spec, err, want)
		}
	}
	doc, err := s.st.Get(ctx, collRevisions, revID("crm", KindForm, "legacy", 1))
	if err != nil || num(doc["schemaVersion"]) != 1 || str(doc["spec"]) != string(old.Spec) {
		t.Fatalf("the stored revision was rewritten: %v, %v", doc, err)
	}
	// A save without schemaVersion is in the current format, where "name"
	// is no longer the field key...
	_, err = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "legacy",
		Spec: json.RawMessage(`{"title":"Legacy","fields":[{"name":"code","type":"text","label":"Code"}]}`)}, 1, "bob")
	assertFields(t, err, []string{"spec.fields[0].key meta.required"})
	if d := mustSave(t, s, KindForm, "crm", "legacy", 1, want); d.SchemaVersion != 2 {
		t.Fatalf("save without schemaVersion stored v%d", d.SchemaVersion)
	}
	// ...while a client still sending schemaVersion 1 is upgraded on write.
	_, err = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "legacy", SchemaVersion: 1,
		Spec: json.RawMessage(`{"title":"Legacy","fields":[{"name":"code","type":"text","label":"Code"}]}`)}, 2, "bob")
	if err != nil {
		t.Fatalf("save of a v1 spec: %v", err)
	}
	got, _ := s.Get(ctx, "crm", KindForm, "legacy")
	if got.Version != 3 || got.SchemaVersion != 2 || string(got.Spec) != want {
		t.Fatalf("after v1 save: %+v", got)
	}
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
