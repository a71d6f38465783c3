package meta

import (
	"context"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Publish makes a revision (version 0: the latest) the published one and
// supersedes the previously published revision, in one transaction.
// Publishing the revision that is already published changes nothing and
// returns it. Only a draft newer than the published revision can be
// published: going back is Rollback, which keeps the history linear (the
// published version number only grows, which the cache relies on). ifMatch,
// when not 0, must be the latest version.
func (s *Service) Publish(ctx context.Context, app string, kind Kind, key string, version int, ifMatch int, user string) (Definition, error) {
	return s.onHead(ctx, app, kind, key, ifMatch, func(tx store.Ops, h head) (Definition, error) {
		v := version
		if v == 0 {
			v = h.Latest
		}
		if v < 1 || v > h.Latest {
			return Definition{}, noVersion(app, kind, key, v)
		}
		if v == h.Published {
			return loadRevision(ctx, tx, app, kind, key, v)
		}
		if v < h.Published {
			return Definition{}, errs.New(ErrNotPublishable.Class, ErrNotPublishable.Code,
				"version %d is older than the published version %d; roll back to it instead", v, h.Published)
		}
		at := s.stamp()
		doc, err := tx.Update(ctx, collRevisions, revID(app, kind, key, v), store.Patch{Set: store.Doc{
			"status": string(StatusPublished), "publishedAt": at, "publishedBy": user,
		}}, query.Eq(fStatus, query.Str(string(StatusDraft))))
		if err != nil {
			return Definition{}, staleOr(err, h.Latest, h.Latest)
		}
		if err := supersede(ctx, tx, h); err != nil {
			return Definition{}, err
		}
		if err := advanceHead(ctx, tx, h, store.Patch{Set: store.Doc{"published": v, "updatedBy": user, "updatedAt": at}}); err != nil {
			return Definition{}, err
		}
		if err := touchStamp(ctx, tx); err != nil {
			return Definition{}, err
		}
		return upgrade(revisionFromDoc(doc))
	})
}

// onHead runs change on the head of app/kind/key in one transaction, once
// ifMatch (when not 0) is the head's latest version: the start Publish and
// Rollback share. After a commit this process's head cache is dropped, so
// the change is served at once here (other instances: within HeadTTL).
func (s *Service) onHead(ctx context.Context, app string, kind Kind, key string, ifMatch int,
	change func(tx store.Ops, h head) (Definition, error)) (Definition, error) {
	if err := checkAddress(app, kind, key); err != nil {
		return Definition{}, err
	}
	var out Definition
	err := s.st.Tx(ctx, func(tx store.Ops) error {
		h, err := loadHead(ctx, tx, app, kind, key)
		if err != nil {
			return err
		}
		if ifMatch != 0 && ifMatch != h.Latest {
			return stale(ifMatch, h.Latest)
		}
		out, err = change(tx, h)
		return err
	})
	if err != nil {
		return Definition{}, err
	}
	s.heads.drop()
	return out, nil
}

// supersede marks the head's published revision, if any, as superseded.
// Only the status changes: a published revision's spec is never touched.
func supersede(ctx context.Context, tx store.Ops, h head) error {
	if h.Published == 0 {
		return nil
	}
	_, err := tx.Update(ctx, collRevisions, revID(h.App, h.Kind, h.Key, h.Published),
		store.Patch{Set: store.Doc{"status": string(StatusSuperseded)}},
		query.Eq(fStatus, query.Str(string(StatusPublished))))
	return staleOr(err, h.Latest, h.Latest)
}

// Rollback republishes an old revision: it appends revision latest+1 with
// that revision's spec (upgraded to the current format and validated again)
// and publishes it, in one transaction. Drafts saved after the old revision
// stay in the history. ifMatch, when not 0, must be the latest version.
func (s *Service) Rollback(ctx context.Context, app string, kind Kind, key string, toVersion int, ifMatch int, user string) (Definition, error) {
	return s.onHead(ctx, app, kind, key, ifMatch, func(tx store.Ops, h head) (Definition, error) {
		if toVersion < 1 || toVersion > h.Latest {
			return Definition{}, noVersion(app, kind, key, toVersion)
		}
		src, err := loadRevision(ctx, tx, app, kind, key, toVersion)
		if err != nil {
			return Definition{}, err
		}
		d, fe := prepare(Definition{Kind: kind, App: app, Key: key, SchemaVersion: src.SchemaVersion, Spec: src.Spec}, "")
		if err := invalid(fe); err != nil {
			return Definition{}, err
		}
		at := s.stamp()
		d.Version, d.Status, d.UpdatedBy, d.UpdatedAt, d.PublishedAt, d.PublishedBy = h.Latest+1, StatusPublished, user, at, at, user
		if err := supersede(ctx, tx, h); err != nil {
			return Definition{}, err
		}
		if err := advanceHead(ctx, tx, h, store.Patch{Set: store.Doc{
			"latest": d.Version, "published": d.Version, "updatedBy": user, "updatedAt": at,
		}}); err != nil {
			return Definition{}, err
		}
		if _, err := tx.Insert(ctx, collRevisions, revisionDoc(d)); err != nil {
			return Definition{}, staleOr(err, h.Latest, h.Latest)
		}
		return d, touchStamp(ctx, tx)
	})
}
