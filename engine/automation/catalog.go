package automation

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
)

// catalog is what the published automations of every app are, as of
// loadedAt: which fire on which event types, which are scheduled, which
// forms some automation listens to. It is rebuilt from meta whenever a
// caller needs it newer than it is (dispatch needs it as new as the events
// it dispatches, so an automation published a moment before an event
// still sees that event); compiled versions are cached for good, since
// published revisions never change.
type catalog struct {
	s *Service

	mu       sync.Mutex // serialises rebuilds
	cur      *snapshot
	versions sync.Map // "app/key@version" -> *Automation
}

// snapshot is one build of the catalog.
type snapshot struct {
	loadedAt time.Time
	byApp    map[string]*appAutomations
}

// appAutomations are the enabled published automations of one app.
type appAutomations struct {
	all     []*Automation
	byEvent map[string][]*Automation // event type -> automations it may fire
	forms   map[string]bool          // forms whose record events some automation needs
}

func newCatalog(s *Service) *catalog {
	return &catalog{s: s, cur: &snapshot{byApp: map[string]*appAutomations{}}}
}

// get returns a snapshot loaded no earlier than since, rebuilding the
// current one when it is older. A rebuild reads the app list, each app's
// automation heads and the published revisions' heads: a few reads, and
// the compiled versions come from the cache.
func (c *catalog) get(ctx context.Context, since time.Time) (*snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.cur; !cur.loadedAt.IsZero() && !cur.loadedAt.Before(since) {
		return cur, nil
	}
	next, err := c.build(ctx, c.s.now())
	if err != nil {
		return nil, err
	}
	c.cur = next
	return next, nil
}

// build reads every app's published automations.
func (c *catalog) build(ctx context.Context, at time.Time) (*snapshot, error) {
	ms := c.s.meta
	apps, err := ms.Apps(ctx)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{loadedAt: at, byApp: map[string]*appAutomations{}}
	for _, app := range apps {
		defs, err := ms.List(ctx, app.App, meta.KindAutomation)
		if err != nil {
			return nil, err
		}
		aa := &appAutomations{byEvent: map[string][]*Automation{}, forms: map[string]bool{}}
		for _, d := range defs {
			pub, err := ms.Published(ctx, app.App, meta.KindAutomation, d.Key)
			if errs.HasCode(err, meta.ErrNotPublished.Code) || errs.HasCode(err, meta.ErrNotFound.Code) {
				continue
			}
			if err != nil {
				return nil, err
			}
			a, err := c.compiled(pub)
			if err != nil {
				// A published automation that no longer compiles (an
				// extension removed) must not stop every other one.
				c.s.log.Warn("automation does not compile", "app", app.App, "automation", d.Key, "err", err.Error())
				continue
			}
			if !a.Enabled {
				continue
			}
			aa.all = append(aa.all, a)
			if et, ok := a.Trigger.(EventTrigger); ok {
				for _, typ := range et.EventTypes() {
					aa.byEvent[typ] = append(aa.byEvent[typ], a)
				}
				if f := a.Trigger.Form(); f != "" {
					aa.forms[f] = true
				}
			}
		}
		if len(aa.all) > 0 {
			snap.byApp[app.App] = aa
		}
	}
	return snap, nil
}

// compiled returns the compiled revision d, compiling it once.
func (c *catalog) compiled(d meta.Definition) (*Automation, error) {
	ck := fmt.Sprintf("%s/%s@%d", d.App, d.Key, d.Version)
	if a, ok := c.versions.Load(ck); ok {
		return a.(*Automation), nil
	}
	a, err := compileDef(d)
	if err != nil {
		return nil, err
	}
	v, _ := c.versions.LoadOrStore(ck, a)
	return v.(*Automation), nil
}

// version returns a given revision of an automation (runs finish under the
// version they started with).
func (c *catalog) version(ctx context.Context, app, key string, version int) (*Automation, error) {
	ck := fmt.Sprintf("%s/%s@%d", app, key, version)
	if a, ok := c.versions.Load(ck); ok {
		return a.(*Automation), nil
	}
	d, err := c.s.meta.GetVersion(ctx, app, meta.KindAutomation, key, version)
	if err != nil {
		return nil, err
	}
	if d.PublishedAt == "" {
		// Only revisions that were published run; a run names one.
		return nil, errs.New(errs.NotFound, "automation.not_published", "automation %s version %d was never published", key, version)
	}
	return c.compiled(d)
}

// published returns the published revision of one automation, enabled or
// not (webhooks and manual triggers name it directly).
func (c *catalog) published(ctx context.Context, app, key string) (*Automation, error) {
	d, err := c.s.meta.Published(ctx, app, meta.KindAutomation, key)
	if err != nil {
		return nil, err
	}
	return c.compiled(d)
}

// Listens reports whether some enabled published automation of app fires
// on record events of form. The records service asks it on every write to
// decide whether to write an event at all, so writes of forms nobody
// listens to pay nothing; the answer is at most a second old.
func (s *Service) Listens(ctx context.Context, app, form string) (bool, error) {
	snap, err := s.cat.get(ctx, s.now().Add(-time.Second))
	if err != nil {
		return false, err
	}
	aa := snap.byApp[app]
	return aa != nil && aa.forms[form], nil
}
