package meta

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// The two-process test re-executes this test binary as a second server
// process that publishes while the first one is running.
const helperEnv = "TANGRAM_META_PUBLISHER_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		if err := publishV2(path); err != nil {
			fmt.Fprintln(os.Stderr, "publisher:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// publishV2 is process A: it opens the shared file, saves v2 of the form
// and publishes it.
func publishV2(path string) error {
	ctx := context.Background()
	st, err := openPlain(path)
	if err != nil {
		return err
	}
	defer st.Close()
	s := NewService(st)
	if err := s.Init(ctx); err != nil {
		return err
	}
	d, err := s.Save(ctx, Definition{Kind: KindForm, App: "crm", Key: "members", Spec: []byte(formSpec("v2 from process A"))}, 1, "process-a")
	if err != nil {
		return err
	}
	_, err = s.Publish(ctx, "crm", KindForm, "members", d.Version, d.Version, "process-a")
	return err
}

// TestPublishedCacheTwoProcesses: process B (this test) caches v1; process
// A, a separate OS process on the same SQLite file, publishes v2; B returns
// v2 once its head cache's TTL has passed, on its own clock.
func TestPublishedCacheTwoProcesses(t *testing.T) {
	b, path := withApp(t)
	// B's clock (the testkit clock would be an import cycle here).
	var clk atomic.Int64
	clk.Store(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC).UnixNano())
	b.now = func() time.Time { return time.Unix(0, clk.Load()) }
	mustCreate(t, b, KindForm, "crm", "members", formSpec("v1"))
	mustPublish(t, b, KindForm, "crm", "members", 1)
	assertPublished(t, b, 1, "v1")
	assertPublished(t, b, 1, "v1")

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("process A: %v\n%s", err, out)
	}

	assertPublished(t, b, 1, "v1") // B checks the store at most once per HeadTTL
	clk.Add(int64(HeadTTL))
	d := assertPublished(t, b, 2, "v2 from process A")
	if d.PublishedBy != "process-a" {
		t.Fatalf("published by %q", d.PublishedBy)
	}
	if n := b.cache.loads.Load(); n != 2 {
		t.Fatalf("%d revision loads; want 2", n)
	}
}

func assertPublished(t *testing.T, s *Service, version int, wantTitle string) Definition {
	t.Helper()
	d, err := s.Published(context.Background(), "crm", KindForm, "members")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != version || d.Status != StatusPublished || title(t, d) != wantTitle {
		t.Fatalf("Published = v%d %s %q; want v%d %q", d.Version, d.Status, title(t, d), version, wantTitle)
	}
	return d
}

// TestStampMissing: on a store whose change counter was never created (no
// Init), the cache reads it as 0 and the first write that moves it creates
// it, which another Service then notices after its TTL.
func TestStampMissing(t *testing.T) {
	ctx := context.Background()
	a, _ := withApp(t)
	if err := a.st.Delete(ctx, collStamp, stampID, nil); err != nil {
		t.Fatal(err)
	}
	b := NewService(a.st)
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	b.now = func() time.Time { return at }
	mustCreate(t, a, KindForm, "crm", "members", formSpec("v1"))
	_, err := b.Published(ctx, "crm", KindForm, "members")
	wantCode(t, err, ErrNotPublished.Code, ErrNotPublished.Class)
	mustPublish(t, a, KindForm, "crm", "members", 1)
	if n, err := readStamp(ctx, a.st); err != nil || n != 2 {
		t.Fatalf("counter %d, %v after a create and a publish on a store without it; want 2", n, err)
	}
	at = at.Add(HeadTTL)
	assertPublished(t, b, 1, "v1")
}
