package meta

import (
	"context"

	"github.com/tangram/tangram/engine/store"
)

// writeImport appends the revisions of one planned definition: the
// bundle's published entry (published; see importPlan.skipPublished), then
// its draft (a draft, or published when opt.Publish). Of the revisions published along the way
// only the last stays published; the others are written as superseded, as
// if published one after the other.
func writeImport(ctx context.Context, tx store.Ops, p importPlan, opt ImportOptions, user, at string) error {
	if p.action != importCreate && p.action != importUpdate {
		return nil
	}
	type step struct {
		def     Definition
		publish bool
	}
	var steps []step
	if p.g.published != nil && !p.skipPublished {
		steps = append(steps, step{*p.g.published, true})
	}
	if p.g.draft != nil {
		steps = append(steps, step{*p.g.draft, opt.Publish})
	}
	lastPub := -1
	for i, st := range steps {
		if st.publish {
			lastPub = i
		}
	}
	first := p.head.Latest + 1 // 1 for a new definition
	for i, st := range steps {
		d := st.def
		d.Version, d.UpdatedBy, d.UpdatedAt, d.PublishedAt, d.PublishedBy = first+i, user, at, "", ""
		switch {
		case i == lastPub:
			d.Status, d.PublishedAt, d.PublishedBy = StatusPublished, at, user
		case st.publish:
			d.Status, d.PublishedAt, d.PublishedBy = StatusSuperseded, at, user
		default:
			d.Status = StatusDraft
		}
		if _, err := tx.Insert(ctx, collRevisions, revisionDoc(d)); err != nil {
			return staleOr(err, p.head.Latest, p.head.Latest)
		}
	}
	latest, published := first+len(steps)-1, p.head.Published
	if lastPub >= 0 {
		published = first + lastPub
	}
	if p.action == importCreate {
		d := p.g.latest()
		_, err := tx.Insert(ctx, collHeads, store.Doc{
			"_id": headID(d.App, d.Kind, d.Key), "app": d.App, "kind": string(d.Kind), "key": d.Key,
			"latest": latest, "published": published, "rev": 1,
			"createdBy": user, "createdAt": at, "updatedBy": user, "updatedAt": at,
		})
		return existsOr(err, *d)
	}
	if lastPub >= 0 {
		if err := supersede(ctx, tx, p.head); err != nil {
			return err
		}
	}
	return advanceHead(ctx, tx, p.head, store.Patch{Set: store.Doc{
		"latest": latest, "published": published, "updatedBy": user, "updatedAt": at,
	}})
}
