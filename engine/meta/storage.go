package meta

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta/migrate"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Collections. A revision is one immutable document per version; a head is
// one small document per definition naming its latest and published
// versions. Runtime reads (Published) and every write start at the head, so
// the head is the one place concurrent writers and caches agree on.
const (
	collRevisions = "meta_revisions" // _id "<app>:<kind>:<key>:<version>"
	collHeads     = "meta_heads"     // _id "<app>:<kind>:<key>"
)

// Document fields, also used to build filters.
var (
	fID      = query.Field{Path: "_id", Kind: query.KindString}
	fApp     = query.Field{Path: "app", Kind: query.KindString}
	fKind    = query.Field{Path: "kind", Kind: query.KindString}
	fKey     = query.Field{Path: "key", Kind: query.KindString}
	fVersion = query.Field{Path: "version", Kind: query.KindInt}
	fStatus  = query.Field{Path: "status", Kind: query.KindString}
	fLatest  = query.Field{Path: "latest", Kind: query.KindInt}
	fRev     = query.Field{Path: "rev", Kind: query.KindInt}
)

var indexes = map[string][]store.Index{
	collRevisions: {{Name: "meta_rev_def", Fields: []string{"app", "kind", "key", "-version"}}},
	collHeads: {
		{Name: "meta_head_app", Fields: []string{"app", "kind", "key"}, Unique: true},
		{Name: "meta_head_kind", Fields: []string{"kind", "app"}},
	},
}

func headID(app string, kind Kind, key string) string { return app + ":" + string(kind) + ":" + key }

func revID(app string, kind Kind, key string, version int) string {
	return headID(app, kind, key) + ":" + strconv.Itoa(version)
}

// head is the decoded head document. Rev counts every write to the
// definition; conditional updates name it so two writers that read the same
// head cannot both succeed.
type head struct {
	ID        string
	App       string
	Kind      Kind
	Key       string
	Latest    int
	Published int // 0: never published
	Rev       int
}

func headFromDoc(d store.Doc) head {
	return head{
		ID: str(d["_id"]), App: str(d["app"]), Kind: Kind(str(d["kind"])), Key: str(d["key"]),
		Latest: num(d["latest"]), Published: num(d["published"]), Rev: num(d["rev"]),
	}
}

// revisionDoc renders a revision for the store. The spec is kept as JSON
// text, not as a nested document: specs hold user filters whose keys start
// with "$" (which MongoDB must never see as field names or operators), and
// text round-trips byte for byte on every backend.
func revisionDoc(d Definition) store.Doc {
	doc := store.Doc{
		"_id": revID(d.App, d.Kind, d.Key, d.Version), "app": d.App, "kind": string(d.Kind), "key": d.Key,
		"version": d.Version, "schemaVersion": d.SchemaVersion, "status": string(d.Status),
		"spec": string(d.Spec), "updatedBy": d.UpdatedBy, "updatedAt": d.UpdatedAt,
	}
	if d.PublishedAt != "" {
		doc["publishedAt"], doc["publishedBy"] = d.PublishedAt, d.PublishedBy
	}
	return doc
}

func revisionFromDoc(d store.Doc) Definition {
	return Definition{
		Kind: Kind(str(d["kind"])), App: str(d["app"]), Key: str(d["key"]),
		SchemaVersion: num(d["schemaVersion"]), Version: num(d["version"]), Status: Status(str(d["status"])),
		Spec: json.RawMessage(str(d["spec"])), UpdatedBy: str(d["updatedBy"]), UpdatedAt: str(d["updatedAt"]),
		PublishedAt: str(d["publishedAt"]), PublishedBy: str(d["publishedBy"]),
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// num reads a stored integer; adapters return json.Number, callers' own
// documents may hold Go ints.
func num(v any) int {
	switch x := v.(type) {
	case json.Number:
		i, _ := strconv.Atoi(string(x))
		return i
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}

// Not-found errors. They are distinct codes so a client can tell a missing
// definition from a missing revision of an existing one.
var (
	ErrNotFound        = errs.New(errs.NotFound, "meta.not_found", "no such definition")
	ErrVersionNotFound = errs.New(errs.NotFound, "meta.version_not_found", "no such revision")
	ErrNotPublished    = errs.New(errs.NotFound, "meta.not_published", "the definition has no published revision")
	ErrAppNotFound     = errs.New(errs.NotFound, "meta.app_not_found", "no such app")
	ErrExists          = errs.New(errs.Conflict, "meta.exists", "a definition with this key exists")
	ErrStale           = errs.New(errs.PreconditionErr, "meta.stale", "the definition changed since the version you edited")
	ErrIfMatchRequired = errs.New(errs.PreconditionErr, "meta.if_match_required", "send the version you edited in If-Match")
	ErrNotPublishable  = errs.New(errs.Conflict, "meta.not_publishable", "only a draft newer than the published revision can be published; use rollback to republish an older one")
)

func notFound(app string, kind Kind, key string) error {
	return errs.New(ErrNotFound.Class, ErrNotFound.Code, "no %s %q in app %q", kind, key, app)
}

func noVersion(app string, kind Kind, key string, version int) error {
	return errs.New(ErrVersionNotFound.Class, ErrVersionNotFound.Code, "%s %q in app %q has no version %d", kind, key, app, version)
}

// loadHead reads a head through ops (a Store or a transaction).
func loadHead(ctx context.Context, ops store.Ops, app string, kind Kind, key string) (head, error) {
	d, err := ops.Get(ctx, collHeads, headID(app, kind, key))
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return head{}, notFound(app, kind, key)
	}
	if err != nil {
		return head{}, err
	}
	return headFromDoc(d), nil
}

// loadRevision reads one revision, upgraded to its kind's current format.
func loadRevision(ctx context.Context, ops store.Ops, app string, kind Kind, key string, version int) (Definition, error) {
	d, err := ops.Get(ctx, collRevisions, revID(app, kind, key, version))
	if errs.HasCode(err, store.ErrNotFound.Code) {
		return Definition{}, noVersion(app, kind, key, version)
	}
	if err != nil {
		return Definition{}, err
	}
	return upgrade(revisionFromDoc(d))
}

// upgrade brings a stored revision to its kind's current schemaVersion. The
// stored document is not rewritten: revisions are immutable, and an older
// server reading the same store must still find the format it knows.
func upgrade(d Definition) (Definition, error) {
	k, ok := kinds.Get(string(d.Kind))
	if !ok || d.SchemaVersion >= k.SchemaVersion {
		return d, nil
	}
	_, doc, err := decodeSpec(d.Spec)
	if err == nil {
		doc, err = migrate.Upgrade(string(d.Kind), d.SchemaVersion, k.SchemaVersion, doc)
	}
	if err == nil {
		d.Spec, err = encodeJSON(doc)
	}
	if err != nil {
		return Definition{}, errs.Wrap(err, errs.Internal, "meta.migration", "cannot upgrade %s %q version %d", d.Kind, d.Key, d.Version)
	}
	d.SchemaVersion = k.SchemaVersion
	return d, nil
}
