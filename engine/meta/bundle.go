package meta

import (
	"context"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// Bundle format identifiers.
const (
	BundleFormat        = "tangram.app"
	BundleFormatVersion = 1
)

// Bundle is an exported app: one JSON file that moves an app between
// installations, and the shape of a template.
//
// Definitions lists, for every definition of the app, its latest revision
// with its status. When that latest revision is a draft and an older
// revision is published, the published revision comes first as its own
// entry (status "published"), then the draft: so the file carries both what
// users run and what the builder was editing, and nothing is lost. Each
// (kind, key) therefore appears once or twice, at most once per status.
// Specs are in their kind's current schemaVersion. The app definition comes
// first, the rest by kind then key. Version numbers are informational: an
// import appends new revisions in the target.
type Bundle struct {
	Format        string       `json:"format"`        // "tangram.app"
	FormatVersion int          `json:"formatVersion"` // 1
	App           string       `json:"app"`
	ExportedAt    string       `json:"exportedAt"`
	Definitions   []Definition `json:"definitions"`
}

// Export returns every definition of an app as a Bundle.
func (s *Service) Export(ctx context.Context, app string) (Bundle, error) {
	if !ValidKey(app) {
		return Bundle{}, errs.New(ErrAppNotFound.Class, ErrAppNotFound.Code, "no app %q", app)
	}
	if err := requireApp(ctx, s.st, app); err != nil {
		return Bundle{}, err
	}
	docs, err := findAll(ctx, s.st, collHeads, query.Eq(fApp, query.Str(app)), []query.SortKey{{Field: fKind}, {Field: fKey}})
	if err != nil {
		return Bundle{}, err
	}
	var appIDs, ids []string
	for _, doc := range docs {
		h := headFromDoc(doc)
		list := &ids
		if h.Kind == KindApp {
			list = &appIDs
		}
		if h.Published > 0 && h.Published != h.Latest {
			*list = append(*list, revID(h.App, h.Kind, h.Key, h.Published))
		}
		*list = append(*list, revID(h.App, h.Kind, h.Key, h.Latest))
	}
	defs, err := loadRevisions(ctx, s.st, append(appIDs, ids...))
	if err != nil {
		return Bundle{}, err
	}
	return Bundle{Format: BundleFormat, FormatVersion: BundleFormatVersion, App: app, ExportedAt: s.stamp(), Definitions: defs}, nil
}
