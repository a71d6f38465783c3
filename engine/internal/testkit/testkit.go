// Package testkit is the setup the engine packages' tests share: a
// settable clock, a fresh store per test, publishing a definition, and the
// assertions on coded errors. It imports only the store, meta and errs
// packages, so the internal tests of the packages above them (form,
// action, script, report...) can use it without an import cycle.
package testkit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/mongo"  // lungo:// and mongodb://
	_ "github.com/tangram/tangram/engine/store/sqlite" // sqlite://
)

// Clock is a settable clock for the services under test. The zero time
// follows the real clock, for tests of what other services stamp with it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time (the real time while it is zero).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

// Set stops the clock at t (zero: follow the real clock).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// SQLiteURI names a fresh SQLite file in the test's temporary folder.
func SQLiteURI(t testing.TB, file string) string {
	return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), file))
}

// StoreURI is the store a package's tests run on: the URI in the
// environment variable envVar when set (e.g. lungo://memory, to run the
// same tests on the Mongo adapter), else a fresh SQLite file.
func StoreURI(t testing.TB, envVar, file string) string {
	if u := os.Getenv(envVar); u != "" {
		return u
	}
	return SQLiteURI(t, file)
}

// Open opens the store at uri for the test and closes it at its end.
func Open(t testing.TB, uri string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), uri, store.Options{})
	if err != nil {
		t.Fatalf("open store %s: %v", uri, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// Meta is a started definitions service over st.
func Meta(t testing.TB, st store.Store) *meta.Service {
	t.Helper()
	ms := meta.NewService(st)
	if err := ms.Init(context.Background()); err != nil {
		t.Fatalf("meta init: %v", err)
	}
	return ms
}

// Publish creates definition app/kind/key with spec, or saves it as a new
// revision when it exists, and publishes that revision, all as "admin".
func Publish(ctx context.Context, ms *meta.Service, app string, kind meta.Kind, key, spec string) (meta.Definition, error) {
	d := meta.Definition{Kind: kind, App: app, Key: key, Spec: json.RawMessage(spec)}
	cur, err := ms.Get(ctx, app, kind, key)
	switch {
	case err == nil:
		d, err = ms.Save(ctx, d, cur.Version, "admin")
	case errs.ClassOf(err) == errs.NotFound:
		d, err = ms.Create(ctx, d, "admin")
	}
	if err != nil {
		return meta.Definition{}, err
	}
	return ms.Publish(ctx, app, kind, key, d.Version, d.Version, "admin")
}

// WantCode fails the test unless err is a coded error with code, and
// returns it.
func WantCode(t testing.TB, err error, code string) *errs.Error {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return e
}

// FieldErrors lists err's field errors as "path code" lines (nil for an
// error without them).
func FieldErrors(err error) []string {
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
