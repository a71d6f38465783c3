package sqlite

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// ops runs the document operations on one connection side: the read-only
// pool (req == nil) or the write connection during a writer turn (req is
// the request holding the turn, so reads see its uncommitted writes).
type ops struct {
	s   *Store
	r   *runner
	req *request
}

func (o *ops) get(ctx context.Context, coll, id string) (store.Doc, error) {
	table, err := quotedTable(coll)
	if err != nil {
		return nil, err
	}
	if ok, err := o.tableExists(ctx, coll); err != nil || !ok {
		return nil, notFoundOr(err)
	}
	var body sql.RawBytes
	rows, done, err := o.r.query(ctx, "SELECT "+docOut+" FROM "+table+" WHERE id = ?", []any{id})
	if err != nil {
		return nil, mapErr(err)
	}
	defer done()
	defer rows.Close()
	if !rows.Next() {
		return nil, notFoundOr(mapErr(rows.Err()))
	}
	if err := rows.Scan(&body); err != nil {
		return nil, mapErr(err)
	}
	return decodeDoc(id, body)
}

func notFoundOr(err error) error {
	if err != nil {
		return mapErr(err)
	}
	return store.ErrNotFound
}

// window validates and defaults a page: limit 0 means store.MaxLimit and
// larger limits are capped there, so no Find loads a whole collection.
func window(q store.Query) (limit, skip int, err error) {
	if q.Limit < 0 || q.Skip < 0 {
		return 0, 0, store.Wrapf(store.ErrInvalid, nil, "limit and skip must not be negative")
	}
	limit = q.Limit
	if limit == 0 || limit > store.MaxLimit {
		limit = store.MaxLimit
	}
	return limit, q.Skip, nil
}

func (o *ops) find(ctx context.Context, coll string, q store.Query) ([]store.Doc, error) {
	table, err := quotedTable(coll)
	if err != nil {
		return nil, err
	}
	limit, skip, err := window(q)
	if err != nil {
		return nil, err
	}
	for _, f := range q.Fields {
		if f != "_id" && !validPath(f) {
			return nil, store.Wrapf(store.ErrInvalid, nil, "invalid projection path %q", f)
		}
	}
	var b sqlBuf
	b.w("SELECT id, ", docOut, " FROM ", table, " WHERE ")
	if err := compileFilter(&b, q.Filter); err != nil {
		return nil, err
	}
	if err := orderBy(&b, q.Sort); err != nil {
		return nil, err
	}
	// Limit and offset are inlined numbers (validated ints), not bound:
	// the planner then knows them, and typical pages share the text.
	b.w(" LIMIT ", strconv.Itoa(limit))
	if skip > 0 {
		b.w(" OFFSET ", strconv.Itoa(skip))
	}
	if ok, err := o.tableExists(ctx, coll); err != nil || !ok {
		return []store.Doc{}, mapErr(err)
	}
	rows, done, err := o.r.query(ctx, b.b.String(), b.args)
	if err != nil {
		return nil, mapErr(err)
	}
	defer done()
	defer rows.Close()
	out := []store.Doc{}
	for rows.Next() {
		var id string
		var body sql.RawBytes
		if err := rows.Scan(&id, &body); err != nil {
			return nil, mapErr(err)
		}
		d, err := decodeDoc(id, body)
		if err != nil {
			return nil, err
		}
		out = append(out, store.Project(d, q.Fields))
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	return out, nil
}

func (o *ops) count(ctx context.Context, coll string, filter *query.Node) (int64, error) {
	table, err := quotedTable(coll)
	if err != nil {
		return 0, err
	}
	var b sqlBuf
	b.w("SELECT count(*) FROM ", table, " WHERE ")
	if err := compileFilter(&b, filter); err != nil {
		return 0, err
	}
	if ok, err := o.tableExists(ctx, coll); err != nil || !ok {
		return 0, mapErr(err)
	}
	var n int64
	if _, err := o.r.queryRow(ctx, b.b.String(), b.args, &n); err != nil {
		return 0, mapErr(err)
	}
	return n, nil
}

// insert stores one encoded document inside the current write.
func (o *ops) insert(coll string, e encoded) error {
	table, err := quotedTable(coll)
	if err != nil {
		return err
	}
	if err := o.ensureTable(coll); err != nil {
		return err
	}
	if _, err := o.r.exec(context.Background(), insertText(table, 1), []any{e.id, docArg(e.body)}); err != nil {
		return mapErr(err)
	}
	return nil
}
