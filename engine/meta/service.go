package meta

import (
	"context"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Service reads and writes definitions in a store. It is safe for
// concurrent use, and several Services (in one process or in several
// server processes) may share one store: every write is a transaction with
// conditions on the definition's head, and the published-definition cache
// is revalidated against a store-wide change counter (heads.go).
type Service struct {
	st    store.Store
	cache *publishedCache
	heads *headCache
	now   func() time.Time
}

// NewService returns a Service over st. Call Init once before use.
func NewService(st store.Store) *Service {
	return &Service{st: st, cache: newPublishedCache(), heads: newHeadCache(HeadTTL), now: time.Now}
}

// Init creates the indexes the service's queries rely on and the change
// counter the head cache checks.
func (s *Service) Init(ctx context.Context) error {
	for _, coll := range []string{collHeads, collRevisions} {
		if err := s.st.EnsureIndexes(ctx, coll, indexes[coll]); err != nil {
			return err
		}
	}
	return ensureStamp(ctx, s.st)
}

func (s *Service) stamp() string { return query.FormatTime(s.now()) }

// Create stores version 1 of a new definition as a draft. Its app must
// exist, except when d is the app definition itself. An existing key is a
// 409 meta.exists; an invalid definition a 422 meta.invalid, and then
// nothing is written.
func (s *Service) Create(ctx context.Context, d Definition, user string) (Definition, error) {
	if _, err := kindOf(d.Kind); err != nil {
		return Definition{}, err
	}
	d, fe := prepare(d, "")
	if err := invalid(fe); err != nil {
		return Definition{}, err
	}
	if err := s.CrossCheck(ctx, d); err != nil {
		return Definition{}, err
	}
	at := s.stamp()
	d.Version, d.Status, d.UpdatedBy, d.UpdatedAt, d.PublishedAt, d.PublishedBy = 1, StatusDraft, user, at, "", ""
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		if d.Kind != KindApp {
			if err := requireApp(ctx, tx, d.App); err != nil {
				return err
			}
		}
		hd := store.Doc{
			"_id": headID(d.App, d.Kind, d.Key), "app": d.App, "kind": string(d.Kind), "key": d.Key,
			"latest": 1, "published": 0, "rev": 1,
			"createdBy": user, "createdAt": at, "updatedBy": user, "updatedAt": at,
		}
		if _, err := tx.Insert(ctx, collHeads, hd); err != nil {
			return existsOr(err, d)
		}
		if _, err := tx.Insert(ctx, collRevisions, revisionDoc(d)); err != nil {
			return existsOr(err, d)
		}
		return touchStamp(ctx, tx) // "no such definition" may be cached
	})
	if err != nil {
		return Definition{}, err
	}
	s.heads.drop()
	return d, nil
}

// requireApp checks that an app exists: that its app definition does.
func requireApp(ctx context.Context, ops store.Ops, app string) error {
	_, err := ops.Get(ctx, collHeads, headID(app, KindApp, app))
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return errs.New(ErrAppNotFound.Class, ErrAppNotFound.Code, "app %q does not exist; create its app definition first", app)
	}
	return err
}

func existsOr(err error, d Definition) error {
	if errs.HasCode(err, store.ErrDuplicate.Code) {
		return errs.New(ErrExists.Class, ErrExists.Code, "%s %q exists in app %q", d.Kind, d.Key, d.App)
	}
	return err
}

// Save appends a new draft revision (latest + 1) with d's spec. ifMatch
// must be the latest version, the one the editor started from: 0 is a 412
// meta.if_match_required, any other stale number a 412 meta.stale. Of two
// concurrent saves from the same version exactly one succeeds.
func (s *Service) Save(ctx context.Context, d Definition, ifMatch int, user string) (Definition, error) {
	if _, err := kindOf(d.Kind); err != nil {
		return Definition{}, err
	}
	if ifMatch <= 0 {
		return Definition{}, ErrIfMatchRequired
	}
	d, fe := prepare(d, "")
	if err := invalid(fe); err != nil {
		return Definition{}, err
	}
	if err := s.CrossCheck(ctx, d); err != nil {
		return Definition{}, err
	}
	at := s.stamp()
	d.Status, d.UpdatedBy, d.UpdatedAt, d.PublishedAt, d.PublishedBy = StatusDraft, user, at, "", ""
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		h, err := loadHead(ctx, tx, d.App, d.Kind, d.Key)
		if err != nil {
			return err
		}
		if h.Latest != ifMatch {
			return stale(ifMatch, h.Latest)
		}
		d.Version = h.Latest + 1
		if err := advanceHead(ctx, tx, h, store.Patch{Set: store.Doc{"latest": d.Version, "updatedBy": user, "updatedAt": at}}); err != nil {
			return err
		}
		_, err = tx.Insert(ctx, collRevisions, revisionDoc(d))
		return staleOr(err, ifMatch, h.Latest)
	})
	if err != nil {
		return Definition{}, err
	}
	return d, nil
}

// advanceHead applies patch to the head and bumps its rev, on condition
// that nobody wrote the head since h was read. Losing that race is a stale
// write for the caller.
func advanceHead(ctx context.Context, tx store.Ops, h head, patch store.Patch) error {
	patch.Inc = map[string]int64{"rev": 1}
	cond := query.And(query.Eq(fRev, query.Int(int64(h.Rev))), query.Eq(fLatest, query.Int(int64(h.Latest))))
	_, err := tx.Update(ctx, collHeads, h.ID, patch, cond)
	return staleOr(err, h.Latest, h.Latest)
}

func stale(ifMatch, latest int) error {
	if ifMatch == latest {
		return errs.New(ErrStale.Class, ErrStale.Code, "the definition was changed concurrently; reload it and retry")
	}
	return errs.New(ErrStale.Class, ErrStale.Code, "version %d is not the latest (%d); reload the definition and reapply your change", ifMatch, latest)
}

// staleOr maps the store's "someone else wrote first" errors to a 412.
func staleOr(err error, ifMatch, latest int) error {
	if errs.HasCode(err, store.ErrConditionFailed.Code) || errs.HasCode(err, store.ErrDuplicate.Code) {
		return stale(ifMatch, latest)
	}
	return err
}

// Get returns the latest revision, draft or published.
func (s *Service) Get(ctx context.Context, app string, kind Kind, key string) (Definition, error) {
	if err := checkAddress(app, kind, key); err != nil {
		return Definition{}, err
	}
	h, err := loadHead(ctx, s.st, app, kind, key)
	if err != nil {
		return Definition{}, err
	}
	return loadRevision(ctx, s.st, app, kind, key, h.Latest)
}

// GetVersion returns one revision.
func (s *Service) GetVersion(ctx context.Context, app string, kind Kind, key string, version int) (Definition, error) {
	if err := checkAddress(app, kind, key); err != nil {
		return Definition{}, err
	}
	return loadRevision(ctx, s.st, app, kind, key, version)
}

// checkAddress refuses unknown kinds (404 meta.unknown_kind) and names that
// cannot exist (404 meta.not_found) before any store access.
func checkAddress(app string, kind Kind, key string) error {
	if _, err := kindOf(kind); err != nil {
		return err
	}
	if !ValidKey(app) || !ValidKey(key) {
		return notFound(app, kind, key)
	}
	return nil
}

// Versions returns every revision of a definition, newest first, specs
// included: the history the builder shows.
func (s *Service) Versions(ctx context.Context, app string, kind Kind, key string) ([]Definition, error) {
	if err := checkAddress(app, kind, key); err != nil {
		return nil, err
	}
	filter := query.And(query.Eq(fApp, query.Str(app)), query.Eq(fKind, query.Str(string(kind))), query.Eq(fKey, query.Str(key)))
	docs, err := findAll(ctx, s.st, collRevisions, filter, []query.SortKey{{Field: fVersion, Desc: true}})
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, notFound(app, kind, key)
	}
	out := make([]Definition, 0, len(docs))
	for _, doc := range docs {
		d, err := upgrade(revisionFromDoc(doc))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// List returns the latest revision of every definition of a kind in an app,
// ordered by key.
func (s *Service) List(ctx context.Context, app string, kind Kind) ([]Definition, error) {
	if _, err := kindOf(kind); err != nil {
		return nil, err
	}
	if !ValidKey(app) {
		return nil, errs.New(ErrAppNotFound.Class, ErrAppNotFound.Code, "no app %q", app)
	}
	if kind != KindApp {
		if err := requireApp(ctx, s.st, app); err != nil {
			return nil, err
		}
	}
	filter := query.And(query.Eq(fApp, query.Str(app)), query.Eq(fKind, query.Str(string(kind))))
	return s.latestOf(ctx, filter, []query.SortKey{{Field: fKey}})
}

// Apps returns the latest revision of every app definition, by app name.
func (s *Service) Apps(ctx context.Context) ([]Definition, error) {
	return s.latestOf(ctx, query.Eq(fKind, query.Str(string(KindApp))), []query.SortKey{{Field: fApp}})
}

// latestOf loads the heads matching filter, then their latest revisions in
// one query rather than one per head.
func (s *Service) latestOf(ctx context.Context, filter *query.Node, order []query.SortKey) ([]Definition, error) {
	heads, err := findAll(ctx, s.st, collHeads, filter, order)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(heads))
	for i, hd := range heads {
		h := headFromDoc(hd)
		ids[i] = revID(h.App, h.Kind, h.Key, h.Latest)
	}
	return loadRevisions(ctx, s.st, ids)
}

// loadRevisions reads revisions by id, upgraded, in the order of ids.
func loadRevisions(ctx context.Context, ops store.Ops, ids []string) ([]Definition, error) {
	byID, err := getMany(ctx, ops, collRevisions, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Definition, 0, len(ids))
	for _, id := range ids {
		doc, ok := byID[id]
		if !ok {
			return nil, errs.New(errs.Internal, "meta.corrupt", "revision %s named by its head is missing", id)
		}
		d, err := upgrade(revisionFromDoc(doc))
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
