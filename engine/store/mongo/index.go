package mongo

import (
	"context"
	"strings"
	"time"

	"github.com/256dpi/lungo"
	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// EnsureIndexes creates the indexes that do not exist yet. An index is
// kept when one with the same name or the same key already exists: MongoDB
// refuses a second index on the same key (and a changed definition under
// an existing name), and "kept" is the port's promise. Several server
// instances may run this at once; creating an identical index twice is a
// no-op on MongoDB.
func (s *Store) EnsureIndexes(ctx context.Context, coll string, idx []store.Index) (err error) {
	defer s.observe("ensure_indexes", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return err
	}
	models := make([]mdb.IndexModel, 0, len(idx))
	keys := make([]bson.D, 0, len(idx))
	for _, ix := range idx {
		m, key, err := indexModel(ix)
		if err != nil {
			return err
		}
		models = append(models, m)
		keys = append(keys, key)
	}
	c := s.db.Collection(coll)
	existing, err := listIndexes(ctx, c)
	if err != nil {
		return mapErr("ensure_indexes", err)
	}
	var missing []mdb.IndexModel
	for i, m := range models {
		found := false
		for _, e := range existing {
			if e.Name == *m.Options.Name || sameKey(e.Key, keys[i]) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return nil // lungo panics on an empty CreateMany
	}
	if _, err = c.Indexes().CreateMany(ctx, missing); err != nil {
		return mapErr("ensure_indexes", err)
	}
	return nil
}

// existingIndex is what listIndexes reports of one index.
type existingIndex struct {
	Name string `bson:"name"`
	Key  bson.D `bson:"key"`
}

// listIndexes lists a collection's indexes through the cursor: lungo does
// not implement ListSpecifications. (A collection that does not exist yet
// has none; the driver turns MongoDB's NamespaceNotFound into an empty
// cursor.)
func listIndexes(ctx context.Context, c lungo.ICollection) ([]existingIndex, error) {
	cur, err := c.Indexes().List(ctx)
	if err != nil {
		return nil, err
	}
	var out []existingIndex
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// indexModel turns an index description into a driver model; "-" before a
// field means descending.
func indexModel(ix store.Index) (mdb.IndexModel, bson.D, error) {
	if !store.ValidIndexName(ix.Name) {
		return mdb.IndexModel{}, nil, store.Wrapf(store.ErrInvalid, nil, "invalid index name %q", ix.Name)
	}
	if len(ix.Fields) == 0 {
		return mdb.IndexModel{}, nil, store.Wrapf(store.ErrInvalid, nil, "index %q has no fields", ix.Name)
	}
	key := make(bson.D, 0, len(ix.Fields))
	for _, f := range ix.Fields {
		dir := int32(1)
		if strings.HasPrefix(f, "-") {
			f, dir = f[1:], -1
		}
		if !query.ValidPath(f) {
			return mdb.IndexModel{}, nil, store.Wrapf(store.ErrInvalid, nil, "index %q: invalid field path %q", ix.Name, f)
		}
		key = append(key, bson.E{Key: f, Value: dir})
	}
	o := options.Index().SetName(ix.Name)
	if ix.Unique {
		o.SetUnique(true)
	}
	return mdb.IndexModel{Keys: key, Options: o}, key, nil
}

// sameKey compares two key specifications field by field and direction by
// direction; listed keys may come back as int32, int64 or double.
func sameKey(a, b bson.D) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || direction(a[i].Value) != direction(b[i].Value) {
			return false
		}
	}
	return true
}

func direction(v any) int {
	switch x := v.(type) {
	case int32:
		return int(x)
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0 // text, hashed and other special indexes never equal ours
}
