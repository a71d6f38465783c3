package meta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/internal/testkit"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// countingStore is the real store, counting the reads of the metadata's
// heads and change counter, to tell cache hits from store reads.
type countingStore struct {
	store.Store
	heads, stamps atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, coll, id string) (store.Doc, error) {
	switch coll {
	case "meta_heads":
		c.heads.Add(1)
	case "meta_stamp":
		c.stamps.Add(1)
	}
	return c.Store.Get(ctx, coll, id)
}

// instances are two Services over one store, as two server instances
// share it, each on the same settable clock, with app "crm" and form
// "members" v1 published through a.
type instances struct {
	t     *testing.T
	ctx   context.Context
	clock *testkit.Clock
	a, b  *meta.Service
	bst   *countingStore // b's view of the store
}

func newInstances(t *testing.T) *instances {
	t.Helper()
	st := testkit.Open(t, testkit.StoreURI(t, "TANGRAM_TEST_META_STORE", "heads.db"))
	in := &instances{t: t, ctx: context.Background(), clock: testkit.NewClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))}
	in.bst = &countingStore{Store: st}
	in.a, in.b = testkit.Meta(t, st), testkit.Meta(t, in.bst)
	in.a.SetClock(in.clock.Now)
	in.b.SetClock(in.clock.Now)
	if _, err := in.a.Create(in.ctx, meta.Definition{Kind: meta.KindApp, App: "crm", Key: "crm", Spec: json.RawMessage(`{"title":"CRM"}`)}, "admin"); err != nil {
		t.Fatal(err)
	}
	in.publish(in.a, "members", "v1")
	return in
}

func (in *instances) publish(s *meta.Service, key, title string) meta.Definition {
	in.t.Helper()
	d, err := testkit.Publish(in.ctx, s, "crm", meta.KindForm, key, formSpec(title))
	if err != nil {
		in.t.Fatalf("publish %s %q: %v", key, title, err)
	}
	return d
}

// want asserts that s serves version of form key with title.
func (in *instances) want(s *meta.Service, key string, version int, title string) {
	in.t.Helper()
	d, err := s.Published(in.ctx, "crm", meta.KindForm, key)
	if err != nil {
		in.t.Fatalf("Published %s: %v", key, err)
	}
	if d.Version != version || d.Status != meta.StatusPublished || specTitle(in.t, d) != title {
		in.t.Fatalf("Published %s = v%d %s %q; want v%d %q", key, d.Version, d.Status, specTitle(in.t, d), version, title)
	}
}

// reads returns and resets b's head and counter reads.
func (in *instances) reads() (heads, stamps int64) {
	return in.bst.heads.Swap(0), in.bst.stamps.Swap(0)
}

func formSpec(title string) string {
	return `{"title":"` + title + `","fields":[{"key":"name","type":"text","label":"Name"}]}`
}

func specTitle(t testing.TB, d meta.Definition) string {
	t.Helper()
	var v struct{ Title string }
	if err := json.Unmarshal(d.Spec, &v); err != nil {
		t.Fatalf("spec %s: %v", d.Spec, err)
	}
	return v.Title
}

// TestHeadCacheOtherInstance: what instance a publishes (or rolls back)
// instance b serves once HeadTTL has passed on its clock, not before; in
// between b reads nothing from the store, and a check that finds nothing
// changed costs one counter read and no head read.
func TestHeadCacheOtherInstance(t *testing.T) {
	in := newInstances(t)
	in.want(in.b, "members", 1, "v1")
	if h, s := in.reads(); h != 1 || s != 1 {
		t.Fatalf("first read: %d head reads, %d counter reads; want 1 and 1", h, s)
	}
	in.want(in.b, "members", 1, "v1")
	if h, s := in.reads(); h != 0 || s != 0 {
		t.Fatalf("cached read: %d head reads, %d counter reads; want none", h, s)
	}

	in.clock.Add(meta.HeadTTL)
	in.want(in.b, "members", 1, "v1")
	if h, s := in.reads(); h != 0 || s != 1 {
		t.Fatalf("after the TTL, nothing published: %d head reads, %d counter reads; want 0 and 1", h, s)
	}

	in.publish(in.a, "members", "v2")
	in.want(in.a, "members", 2, "v2") // the publishing instance: at once
	in.clock.Add(meta.HeadTTL - time.Nanosecond)
	in.want(in.b, "members", 1, "v1") // the other: not before its TTL...
	in.clock.Add(time.Nanosecond)
	in.want(in.b, "members", 2, "v2") // ...and right after it
	if h, s := in.reads(); h != 1 || s != 1 {
		t.Fatalf("after a publish: %d head reads, %d counter reads; want 1 and 1", h, s)
	}

	if _, err := in.a.Rollback(in.ctx, "crm", meta.KindForm, "members", 1, 0, "admin"); err != nil {
		t.Fatal(err)
	}
	in.want(in.a, "members", 3, "v1")
	in.want(in.b, "members", 2, "v2")
	in.clock.Add(meta.HeadTTL)
	in.want(in.b, "members", 3, "v1")
}

// TestHeadCacheSameInstance: a Service's own publish, rollback, create
// and import are served by it at once, on a clock that never moves.
func TestHeadCacheSameInstance(t *testing.T) {
	in := newInstances(t)
	s := in.b
	in.want(s, "members", 1, "v1")
	in.publish(s, "members", "v2")
	in.want(s, "members", 2, "v2")
	if _, err := s.Rollback(in.ctx, "crm", meta.KindForm, "members", 1, 0, "admin"); err != nil {
		t.Fatal(err)
	}
	in.want(s, "members", 3, "v1")

	// Missing, then created (a draft), then published.
	_, err := s.Published(in.ctx, "crm", meta.KindForm, "stores")
	testkit.WantCode(t, err, meta.ErrNotFound.Code)
	if _, err := s.Create(in.ctx, meta.Definition{Kind: meta.KindForm, App: "crm", Key: "stores", Spec: json.RawMessage(formSpec("s1"))}, "admin"); err != nil {
		t.Fatal(err)
	}
	_, err = s.Published(in.ctx, "crm", meta.KindForm, "stores")
	testkit.WantCode(t, err, meta.ErrNotPublished.Code)
	if _, err := s.Publish(in.ctx, "crm", meta.KindForm, "stores", 1, 0, "admin"); err != nil {
		t.Fatal(err)
	}
	in.want(s, "stores", 1, "s1")

	// An import that publishes a new revision of members.
	b, err := s.Export(in.ctx, "crm")
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range b.Definitions {
		if d.Kind == meta.KindForm && d.Key == "members" {
			b.Definitions[i].Spec = json.RawMessage(formSpec("imported"))
		}
	}
	if _, err := s.Import(in.ctx, b, meta.ImportOptions{Overwrite: true}, "admin"); err != nil {
		t.Fatal(err)
	}
	in.want(s, "members", 4, "imported")
}

// TestHeadCacheMissingElsewhere: "no such definition" is cached too, and
// a definition another instance creates and publishes shows up within the
// TTL.
func TestHeadCacheMissingElsewhere(t *testing.T) {
	in := newInstances(t)
	_, err := in.b.Published(in.ctx, "crm", meta.KindForm, "stores")
	testkit.WantCode(t, err, meta.ErrNotFound.Code)
	in.reads()
	_, err = in.b.Published(in.ctx, "crm", meta.KindForm, "stores")
	testkit.WantCode(t, err, meta.ErrNotFound.Code)
	if h, _ := in.reads(); h != 0 {
		t.Fatalf("%d head reads for a cached missing definition", h)
	}
	in.publish(in.a, "stores", "s1")
	in.clock.Add(meta.HeadTTL)
	in.want(in.b, "stores", 1, "s1")
}

// TestHeadCacheConcurrent, under -race: readers on both instances while
// both publish (the same form, retrying a 412 when the other won, and a
// form each) and the clock moves on. Every reader sees versions only
// grow, never an error; once publishing stops and a TTL passes, both
// instances serve the last versions.
func TestHeadCacheConcurrent(t *testing.T) {
	in := newInstances(t)
	in.publish(in.a, "stores", "a0")
	in.publish(in.b, "coupons", "b0")
	const rounds = 15
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	publisher := func(s *meta.Service, own string) {
		defer wg.Done()
		for i := 1; i <= rounds; i++ {
			if _, err := testkit.Publish(in.ctx, s, "crm", meta.KindForm, own, formSpec(fmt.Sprint(own, i))); err != nil {
				errc <- err
				return
			}
			for {
				_, err := testkit.Publish(in.ctx, s, "crm", meta.KindForm, "members", formSpec(fmt.Sprint("m", i)))
				if err == nil {
					break
				}
				if e, ok := errs.As(err); !ok || e.Class != errs.PreconditionErr {
					errc <- err
					return
				}
			}
			in.clock.Add(meta.HeadTTL / 3)
		}
	}
	var stop atomic.Bool
	reader := func(s *meta.Service) {
		last := map[string]int{}
		for !stop.Load() {
			for _, key := range []string{"members", "stores", "coupons"} {
				d, err := s.Published(in.ctx, "crm", meta.KindForm, key)
				if err != nil {
					errc <- err
					return
				}
				if d.Version < last[key] {
					errc <- fmt.Errorf("%s went back from v%d to v%d", key, last[key], d.Version)
					return
				}
				last[key] = d.Version
			}
		}
	}
	var readers sync.WaitGroup
	for _, s := range []*meta.Service{in.a, in.b, in.a, in.b} {
		readers.Add(1)
		go func() { reader(s); readers.Done() }()
	}
	wg.Add(2)
	go publisher(in.a, "stores")
	go publisher(in.b, "coupons")
	wg.Wait()
	stop.Store(true)
	readers.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	in.clock.Add(meta.HeadTTL)
	for _, s := range []*meta.Service{in.a, in.b} {
		last, err := in.a.Get(in.ctx, "crm", meta.KindForm, "members")
		if err != nil {
			t.Fatal(err)
		}
		in.want(s, "members", last.Version, specTitle(t, last))
		in.want(s, "stores", rounds+1, fmt.Sprint("stores", rounds))
		in.want(s, "coupons", rounds+1, fmt.Sprint("coupons", rounds))
	}
}
