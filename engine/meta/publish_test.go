package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

func TestPublishAndRollback(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	fixedClock(s, "2026-11-23T08:00:00Z")
	mustCreate(t, s, KindForm, "crm", "members", formSpec("v1"))

	_, err := s.Published(ctx, "crm", KindForm, "members")
	wantCode(t, err, "meta.not_published", errs.NotFound)

	fixedClock(s, "2026-11-23T09:00:00Z")
	p1 := mustPublish(t, s, KindForm, "crm", "members", 0)
	if p1.Version != 1 || p1.Status != StatusPublished || p1.PublishedBy != "carol" || p1.PublishedAt != "2026-11-23T09:00:00.000Z" ||
		p1.UpdatedBy != "alice" || p1.UpdatedAt != "2026-11-23T08:00:00.000Z" {
		t.Fatalf("published %+v", p1)
	}
	fixedClock(s, "2026-11-23T10:00:00Z")
	if again := mustPublish(t, s, KindForm, "crm", "members", 1); !reflect.DeepEqual(again, p1) {
		t.Fatalf("publishing the published revision changed it: %+v", again)
	}

	mustSave(t, s, KindForm, "crm", "members", 1, formSpec("v2"))
	mustSave(t, s, KindForm, "crm", "members", 2, formSpec("v3"))
	if d, _ := s.Published(ctx, "crm", KindForm, "members"); d.Version != 1 {
		t.Fatalf("drafts changed the published revision: v%d", d.Version)
	}
	_, err = s.Publish(ctx, "crm", "members", "members", 2, 0, "carol")
	wantCode(t, err, "meta.unknown_kind", errs.NotFound)
	_, err = s.Publish(ctx, "crm", KindForm, "members", 3, 2, "carol")
	wantCode(t, err, "meta.stale", errs.PreconditionErr)
	_, err = s.Publish(ctx, "crm", KindForm, "members", 9, 0, "carol")
	wantCode(t, err, "meta.version_not_found", errs.NotFound)

	p2, err := s.Publish(ctx, "crm", KindForm, "members", 2, 3, "carol")
	if err != nil || p2.Version != 2 || p2.Status != StatusPublished {
		t.Fatalf("publish v2 = %+v, %v", p2, err)
	}
	_, err = s.Publish(ctx, "crm", KindForm, "members", 1, 0, "carol")
	wantCode(t, err, "meta.not_publishable", errs.Conflict)
	assertStatuses(t, s, "members", "3:draft 2:published 1:superseded")

	mustPublish(t, s, KindForm, "crm", "members", 0) // the latest: v3
	assertStatuses(t, s, "members", "3:published 2:superseded 1:superseded")

	_, err = s.Rollback(ctx, "crm", KindForm, "members", 1, 2, "dave")
	wantCode(t, err, "meta.stale", errs.PreconditionErr)
	_, err = s.Rollback(ctx, "crm", KindForm, "members", 7, 3, "dave")
	wantCode(t, err, "meta.version_not_found", errs.NotFound)
	rb, err := s.Rollback(ctx, "crm", KindForm, "members", 1, 3, "dave")
	if err != nil || rb.Version != 4 || rb.Status != StatusPublished || title(t, rb) != "v1" ||
		rb.UpdatedBy != "dave" || rb.PublishedBy != "dave" {
		t.Fatalf("rollback = %+v, %v", rb, err)
	}
	assertStatuses(t, s, "members", "4:published 3:superseded 2:superseded 1:superseded")
	if d, _ := s.Published(ctx, "crm", KindForm, "members"); d.Version != 4 || title(t, d) != "v1" {
		t.Fatalf("published after rollback: v%d %s", d.Version, d.Spec)
	}
	if d, _ := s.Get(ctx, "crm", KindForm, "members"); d.Version != 4 {
		t.Fatalf("latest after rollback: v%d", d.Version)
	}
}

// TestRollbackRevalidates: an old spec is checked against today's
// meta-schema before it is published again, and a refused rollback writes
// nothing.
func TestRollbackRevalidates(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "members", formSpec("v1"))
	// Revision 2 as stored by a server whose meta-schema still allowed an
	// empty option value.
	old := Definition{Kind: KindForm, App: "crm", Key: "members", SchemaVersion: 2, Version: 2, Status: StatusDraft,
		Spec: json.RawMessage(`{"title":"T","fields":[{"key":"a","type":"select","label":"A","options":[{"value":"","label":"-"}]}]}`)}
	if _, err := s.st.Insert(ctx, collRevisions, revisionDoc(old)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.Update(ctx, collHeads, headID("crm", KindForm, "members"), store.Patch{Set: store.Doc{"latest": 2}}, nil); err != nil {
		t.Fatal(err)
	}
	_, err := s.Rollback(ctx, "crm", KindForm, "members", 2, 2, "dave")
	assertFields(t, err, []string{"spec.fields[0].options[0].value meta.length"})
	assertStatuses(t, s, "members", "2:draft 1:draft")
	if _, err := s.Rollback(ctx, "crm", KindForm, "members", 1, 2, "dave"); err != nil {
		t.Fatalf("rollback to a valid revision: %v", err)
	}
	assertStatuses(t, s, "members", "3:published 2:draft 1:draft")
}

// TestPublishedRevisionsAreImmutable: after publishing, nothing a client
// can do changes a revision's spec, author or time; only its status moves
// from published to superseded.
func TestPublishedRevisionsAreImmutable(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "members", formSpec("v1"))
	p1 := mustPublish(t, s, KindForm, "crm", "members", 1)
	before, _ := s.st.Get(ctx, collRevisions, revID("crm", KindForm, "members", 1))

	mustSave(t, s, KindForm, "crm", "members", 1, formSpec("edited"))
	mustPublish(t, s, KindForm, "crm", "members", 2)
	if _, err := s.Rollback(ctx, "crm", KindForm, "members", 1, 0, "dave"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Create(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: json.RawMessage(formSpec("overwrite?"))}, "eve")
	wantCode(t, err, "meta.exists", errs.Conflict)

	after, _ := s.st.Get(ctx, collRevisions, revID("crm", KindForm, "members", 1))
	for _, f := range []string{"spec", "schemaVersion", "version", "updatedBy", "updatedAt", "publishedAt", "publishedBy"} {
		if fmt.Sprint(before[f]) != fmt.Sprint(after[f]) {
			t.Errorf("%s changed: %v -> %v", f, before[f], after[f])
		}
	}
	if after["status"] != string(StatusSuperseded) {
		t.Errorf("status %v; want superseded", after["status"])
	}
	v1, _ := s.GetVersion(ctx, "crm", KindForm, "members", 1)
	if string(v1.Spec) != string(p1.Spec) {
		t.Fatalf("v1 spec changed: %s", v1.Spec)
	}
}

// TestConcurrentSave: several editors save from the same version at once;
// exactly one wins, every other gets 412, and no revision is lost or
// doubled.
func TestConcurrentSave(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "members", formSpec("v1"))
	const editors = 8
	for round := 1; round <= 5; round++ {
		var wg sync.WaitGroup
		results := make([]error, editors)
		start := make(chan struct{})
		for i := range editors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, results[i] = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "members",
					Spec: json.RawMessage(formSpec(fmt.Sprintf("round %d editor %d", round, i)))}, round, fmt.Sprintf("editor%d", i))
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range results {
			switch {
			case err == nil:
				wins++
			case !errs.HasCode(err, "meta.stale") || errs.ClassOf(err) != errs.PreconditionErr:
				t.Fatalf("round %d: %v; want success or meta.stale", round, err)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d saves won; want exactly 1", round, wins)
		}
	}
	vs, err := s.Versions(ctx, "crm", KindForm, "members")
	if err != nil || len(vs) != 6 || vs[0].Version != 6 {
		t.Fatalf("%d revisions, %v; want 6", len(vs), err)
	}
}

// TestConcurrentPublishAndSave: publishes and saves interleave without
// ever leaving two published revisions or a head out of step.
func TestConcurrentPublishAndSave(t *testing.T) {
	ctx := context.Background()
	s, _ := withApp(t)
	mustCreate(t, s, KindForm, "crm", "members", formSpec("v1"))
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for {
				d, err := s.Get(ctx, "crm", KindForm, "members")
				if err != nil {
					t.Error(err)
					return
				}
				if _, err = s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: json.RawMessage(formSpec(fmt.Sprint(i)))}, d.Version, "bob"); err == nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := s.Publish(ctx, "crm", KindForm, "members", 0, 0, "carol"); err != nil && !errs.HasCode(err, "meta.not_publishable") {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	vs, _ := s.Versions(ctx, "crm", KindForm, "members")
	published := 0
	for _, v := range vs {
		if v.Status == StatusPublished {
			published++
		}
	}
	h, _ := loadHead(ctx, s.st, "crm", KindForm, "members")
	if len(vs) != 11 || h.Latest != 11 || published != 1 {
		t.Fatalf("%d revisions, head latest %d, %d published", len(vs), h.Latest, published)
	}
	if p, _ := s.Published(ctx, "crm", KindForm, "members"); p.Version != h.Published {
		t.Fatalf("Published v%d; head says v%d", p.Version, h.Published)
	}
}

func assertStatuses(t *testing.T, s *Service, key, want string) {
	t.Helper()
	assertStatusesIn(t, s, "crm", key, want)
}
