// Package report runs report definitions (meta kind "report") and
// dashboards (kind "dashboard"): a dataset over a form, joined through
// relation fields, grouped by dimensions into measures, compiled to one
// store aggregation (SQL on the embedded store, a pipeline on MongoDB)
// with the caller's row scope ANDed in on every form involved, and
// returned as typed rows plus an ECharts chart spec. Results are cached
// by definition version, parameters, scope and the data version of the
// forms read; heavy reports may keep a per-day rollup current on write.
package report

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// Deps are the services a report Service uses.
type Deps struct {
	Store   store.Store
	Meta    *meta.Service
	Guard   *access.Guard
	Records *form.Records
	Audit   *auth.AuditLog // exports are audited; may be nil
	// CacheEntries bounds the result cache (default 512).
	CacheEntries int
	// Now is the clock for presets such as "this month" (default time.Now).
	Now func() time.Time
}

// Service runs reports and dashboards. It is safe for concurrent use.
type Service struct {
	st      store.Store
	meta    *meta.Service
	guard   *access.Guard
	records *form.Records
	audit   *auth.AuditLog
	now     func() time.Time

	compiled sync.Map // "app/key" -> *Compiled (the latest compiled version)
	cache    *resultCache
	// hooked says the records write path calls OnWrite, so rollups and
	// write counters are current and may be used (see hook.go).
	hooked atomic.Bool

	// Stats count what runs did, for tests and metrics.
	Stats Stats
}

// Stats are counters of the service's work.
type Stats struct {
	Runs, CacheHits, Aggregations, RollupRuns atomic.Int64
}

// New returns a report service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.CacheEntries <= 0 {
		d.CacheEntries = 512
	}
	return &Service{st: d.Store, meta: d.Meta, guard: d.Guard, records: d.Records, audit: d.Audit, now: d.Now,
		cache: newResultCache(d.CacheEntries)}
}

// compile returns the compiled published report, compiling it again when
// the report or any of its forms has a new published version.
func (s *Service) compile(ctx context.Context, app, key, lang string) (*Compiled, error) {
	def, err := s.meta.Published(ctx, app, meta.KindReport, key)
	if err != nil {
		return nil, err
	}
	ck := app + "/" + key
	if v, ok := s.compiled.Load(ck); ok {
		c := v.(*Compiled)
		if c.Version == def.Version && s.formsCurrent(ctx, c) {
			return c, nil
		}
	}
	spec, err := DecodeSpec(def.Spec)
	if err != nil {
		return nil, errs.Wrap(err, errs.Internal, "report.invalid", "report %q cannot be read", key)
	}
	c, err := Compile(ctx, app, key, def.Version, spec, s.publishedForms(app), lang)
	if err != nil {
		return nil, err
	}
	s.compiled.Store(ck, c)
	return c, nil
}

// formsCurrent reports whether every form c was compiled against is still
// the published version (one head read per form, through the form cache).
func (s *Service) formsCurrent(ctx context.Context, c *Compiled) bool {
	for _, f := range c.cat.forms {
		cur, err := s.records.Form(ctx, c.App, f.Key)
		if err != nil || cur.Version != f.Version {
			return false
		}
	}
	return true
}

// publishedForms reads the published forms of app.
func (s *Service) publishedForms(app string) FormSource {
	return func(ctx context.Context, key string) (*form.Form, error) { return s.records.Form(ctx, app, key) }
}

// latestForms reads the latest revision of each form of app, published or
// not: a report saved next to a new form is checked against it.
func latestForms(ms *meta.Service, app string) FormSource {
	return func(ctx context.Context, key string) (*form.Form, error) {
		def, err := ms.Get(ctx, app, meta.KindForm, key)
		if err != nil {
			return nil, err
		}
		return form.Compile(def)
	}
}

// versionKey identifies the compiled report and its forms' versions.
func (c *Compiled) versionKey() string {
	b := []byte(c.App + "/" + c.Key + "@" + strconv.Itoa(c.Version))
	for _, alias := range sortedKeys(c.cat.forms) {
		f := c.cat.forms[alias]
		b = append(b, ' ')
		b = append(b, f.Key+"@"+strconv.Itoa(f.Version)...)
	}
	return string(b)
}
