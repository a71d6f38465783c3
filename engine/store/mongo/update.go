package mongo

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Update applies patch to document id when cond holds, in one
// FindOneAndUpdate, so the check and the write are atomic on the server
// (this is what keeps single-use coupons and no-overdraw balances correct
// under concurrency).
func (o ops) Update(ctx context.Context, coll, id string, patch store.Patch, cond *query.Node) (doc store.Doc, err error) {
	defer o.s.observe("update", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return nil, err
	}
	upd, err := updateDoc(patch)
	if err != nil {
		return nil, err
	}
	filter, err := idAndCond(id, cond)
	if err != nil {
		return nil, err
	}
	var d bson.D
	err = o.run(ctx, func(ctx context.Context) error {
		c := o.coll(coll)
		if len(upd) == 0 {
			// MongoDB refuses an empty update document; an empty patch is
			// a conditional read.
			return c.FindOne(ctx, filter).Decode(&d)
		}
		fo := options.FindOneAndUpdate().SetReturnDocument(options.After)
		return c.FindOneAndUpdate(ctx, filter, upd, fo).Decode(&d)
	})
	if errors.Is(err, mdb.ErrNoDocuments) {
		return nil, o.missOrCondition(ctx, coll, id)
	}
	if err != nil {
		return nil, mapErr("update", err)
	}
	return docFromBSON(d), nil
}

// updateDoc builds {$set, $unset, $inc} from a patch. Paths are checked
// here, including conflicts between them ("a" with "a.b", or one path in
// two operators), so the caller gets the same ErrInvalid from MongoDB and
// lungo instead of two different driver messages.
func updateDoc(p store.Patch) (bson.D, error) {
	var paths []string
	add := func(path string) error {
		if !query.ValidPath(path) {
			return store.Wrapf(store.ErrInvalid, nil, "invalid update path %q", path)
		}
		if path == "_id" || strings.HasPrefix(path, "_id.") {
			return store.Wrapf(store.ErrInvalid, nil, "the document id cannot be changed")
		}
		paths = append(paths, path)
		return nil
	}
	var set, unset, inc bson.D
	for _, k := range sortedKeys(p.Set) {
		if err := add(k); err != nil {
			return nil, err
		}
		v, err := valueToBSON(p.Set[k], k, 1)
		if err != nil {
			return nil, err
		}
		set = append(set, bson.E{Key: k, Value: v})
	}
	for _, k := range p.Unset {
		if err := add(k); err != nil {
			return nil, err
		}
		unset = append(unset, bson.E{Key: k, Value: ""})
	}
	for _, k := range sortedKeys(p.Inc) {
		if err := add(k); err != nil {
			return nil, err
		}
		inc = append(inc, bson.E{Key: k, Value: p.Inc[k]})
	}
	if err := checkOverlap(paths); err != nil {
		return nil, err
	}
	var u bson.D
	if len(set) > 0 {
		u = append(u, bson.E{Key: "$set", Value: set})
	}
	if len(unset) > 0 {
		u = append(u, bson.E{Key: "$unset", Value: unset})
	}
	if len(inc) > 0 {
		u = append(u, bson.E{Key: "$inc", Value: inc})
	}
	return u, nil
}

// checkOverlap refuses a path given twice or a path inside another one.
func checkOverlap(paths []string) error {
	for i, a := range paths {
		for _, b := range paths[i+1:] {
			if a == b || strings.HasPrefix(b, a+".") || strings.HasPrefix(a, b+".") {
				return store.Wrapf(store.ErrInvalid, nil, "update paths %q and %q conflict", a, b)
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
