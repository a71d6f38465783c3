package mongo

import (
	"context"
	"errors"
	"time"

	"github.com/256dpi/lungo"
	"go.mongodb.org/mongo-driver/bson"
	mdb "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// ops implements store.Ops. Outside a transaction sess is nil; inside Tx it
// is the transaction's session and every call runs bound to it.
type ops struct {
	s    *Store
	sess lungo.ISession
}

var _ store.Ops = ops{}

// run calls fn with a context bound to the transaction's session, if any.
// Binding per call (rather than handing fn the session context once) keeps
// the caller's own deadline and values while still routing the operation
// into the transaction, on the driver and on lungo alike.
func (o ops) run(ctx context.Context, fn func(ctx context.Context) error) error {
	if o.sess == nil {
		return fn(ctx)
	}
	return lungo.WithSession(ctx, o.sess, func(sc lungo.ISessionContext) error { return fn(sc) })
}

func (o ops) coll(name string) lungo.ICollection { return o.s.db.Collection(name) }

// Insert stores doc under its "_id", or a new id when it has none.
func (o ops) Insert(ctx context.Context, coll string, doc store.Doc) (id string, err error) {
	defer o.s.observe("insert", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return "", err
	}
	id, d, err := insertable(doc)
	if err != nil {
		return "", err
	}
	err = o.run(ctx, func(ctx context.Context) error {
		_, err := o.coll(coll).InsertOne(ctx, d)
		return err
	})
	if err != nil {
		return "", mapErr("insert", err)
	}
	return id, nil
}

// insertable converts doc for an insert: its id (a new one when it has
// none) and its BSON form with "_id" first. The caller's map is not
// touched.
func insertable(doc store.Doc) (string, bson.D, error) {
	var id string
	switch v := doc["_id"].(type) {
	case nil:
		id = store.NewID()
	case string:
		id = v
		if id == "" {
			id = store.NewID()
		}
	default:
		return "", nil, store.Wrapf(store.ErrInvalid, nil, "_id must be a string, got %T", v)
	}
	d, err := docToBSON(doc)
	if err != nil {
		return "", nil, err
	}
	if len(d) > 0 && d[0].Key == "_id" {
		d[0].Value = id
	} else {
		d = append(bson.D{{Key: "_id", Value: id}}, d...)
	}
	return id, d, nil
}

// InsertMany stores docs with one ordered insertMany (the driver splits
// it into batches within MongoDB's message limits). Outside a transaction
// it runs in one of its own, so that it is all or nothing; inside one, a
// failure aborts the caller's transaction (MongoDB aborts a transaction
// on any write error).
func (o ops) InsertMany(ctx context.Context, coll string, docs []store.Doc) (ids []string, err error) {
	defer o.s.observe("insertMany", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return nil, err
	}
	ids = make([]string, len(docs))
	list := make([]any, len(docs))
	for i, doc := range docs {
		var d bson.D
		if ids[i], d, err = insertable(doc); err != nil {
			base := store.ErrInvalid
			if ce, ok := errs.As(err); ok {
				base = ce
			}
			return nil, store.RowError(base, err, i)
		}
		list[i] = d
	}
	if len(list) == 0 {
		return ids, nil
	}
	write := func(tx ops) error {
		var res *mdb.InsertManyResult
		err := tx.run(ctx, func(ctx context.Context) error {
			var err error
			res, err = tx.coll(coll).InsertMany(ctx, list, options.InsertMany().SetOrdered(true))
			return err
		})
		if err == nil {
			return nil
		}
		merr := mapErr("insertMany", err)
		if !errs.HasCode(merr, store.ErrDuplicate.Code) {
			return merr
		}
		// MongoDB names the failing row; lungo stops at it, having
		// inserted the rows before it.
		var bwe mdb.BulkWriteException
		switch {
		case errors.As(err, &bwe) && len(bwe.WriteErrors) > 0:
			return store.RowError(store.ErrDuplicate, err, bwe.WriteErrors[0].Index)
		case res != nil:
			return store.RowError(store.ErrDuplicate, err, len(res.InsertedIDs))
		}
		return merr
	}
	if o.sess != nil {
		err = write(o)
	} else {
		err = o.s.Tx(ctx, func(tx store.Ops) error { return write(tx.(ops)) })
	}
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// Get returns one document or store.ErrNotFound.
func (o ops) Get(ctx context.Context, coll, id string) (doc store.Doc, err error) {
	defer o.s.observe("get", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return nil, err
	}
	var d bson.D
	err = o.run(ctx, func(ctx context.Context) error {
		return o.coll(coll).FindOne(ctx, byID(id)).Decode(&d)
	})
	if errors.Is(err, mdb.ErrNoDocuments) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, mapErr("get", err)
	}
	return docFromBSON(d), nil
}

// Find returns matching documents in sort order, then by _id.
func (o ops) Find(ctx context.Context, coll string, q store.Query) (docs []store.Doc, err error) {
	defer o.s.observe("find", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return nil, err
	}
	if q.Skip < 0 || q.Limit < 0 {
		return nil, store.Wrapf(store.ErrInvalid, nil, "limit and skip must not be negative")
	}
	filter, err := compileFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	sort, err := sortDoc(q.Sort)
	if err != nil {
		return nil, err
	}
	proj, err := projection(q.Fields)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 || limit > store.MaxLimit {
		limit = store.MaxLimit
	}
	fo := options.Find().SetSort(sort).SetLimit(int64(limit))
	if q.Skip > 0 {
		fo.SetSkip(int64(q.Skip))
	}
	if proj != nil {
		fo.SetProjection(proj)
	}
	var raw []bson.D
	err = o.run(ctx, func(ctx context.Context) error {
		cur, err := o.coll(coll).Find(ctx, filter, fo)
		if err != nil {
			return err
		}
		return cur.All(ctx, &raw) // All closes the cursor
	})
	if err != nil {
		return nil, mapErr("find", err)
	}
	docs = make([]store.Doc, len(raw))
	for i, d := range raw {
		docs[i] = docFromBSON(d)
	}
	return docs, nil
}

// Count counts matching documents.
func (o ops) Count(ctx context.Context, coll string, filter *query.Node) (n int64, err error) {
	defer o.s.observe("count", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return 0, err
	}
	f, err := compileFilter(filter)
	if err != nil {
		return 0, err
	}
	err = o.run(ctx, func(ctx context.Context) error {
		n, err = o.coll(coll).CountDocuments(ctx, f)
		return err
	})
	if err != nil {
		return 0, mapErr("count", err)
	}
	return n, nil
}

// Delete removes document id when cond holds.
func (o ops) Delete(ctx context.Context, coll, id string, cond *query.Node) (err error) {
	defer o.s.observe("delete", time.Now(), &err)
	if err = checkColl(coll); err != nil {
		return err
	}
	filter, err := idAndCond(id, cond)
	if err != nil {
		return err
	}
	var deleted int64
	err = o.run(ctx, func(ctx context.Context) error {
		res, err := o.coll(coll).DeleteOne(ctx, filter)
		if err != nil {
			return err
		}
		deleted = res.DeletedCount
		return nil
	})
	if err != nil {
		return mapErr("delete", err)
	}
	if deleted == 0 {
		return o.missOrCondition(ctx, coll, id)
	}
	return nil
}

// missOrCondition explains why a conditional write matched nothing: the
// document is gone (ErrNotFound) or the condition is false
// (ErrConditionFailed). The two reads are not atomic, but either answer
// was true at some instant after the write was attempted.
func (o ops) missOrCondition(ctx context.Context, coll, id string) error {
	var d bson.D
	err := o.run(ctx, func(ctx context.Context) error {
		return o.coll(coll).FindOne(ctx, byID(id), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: int32(1)}})).Decode(&d)
	})
	switch {
	case errors.Is(err, mdb.ErrNoDocuments):
		return store.ErrNotFound
	case err != nil:
		return mapErr("get", err)
	}
	return store.ErrConditionFailed
}

func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// idAndCond is the filter "_id is id and cond holds".
func idAndCond(id string, cond *query.Node) (bson.D, error) {
	if cond == nil {
		return byID(id), nil
	}
	c, err := compileFilter(cond)
	if err != nil {
		return nil, err
	}
	if len(c) == 0 {
		return byID(id), nil
	}
	return bson.D{{Key: "$and", Value: bson.A{byID(id), c}}}, nil
}
