package sqlite

import (
	"context"
	"strings"
	"sync"

	"github.com/tangram/tangram/engine/store"
)

// tableName maps a collection to its table. SQLite names are
// case-insensitive while collection names are not, so an upper-case letter
// is written as "^" and its lower-case form: "Orders" and "orders" stay two
// tables. Names are always double-quoted in statements.
func tableName(coll string) string {
	var b strings.Builder
	b.WriteString("c_")
	for _, r := range coll {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('^')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// quotedTable is the table of a validated collection, quoted for SQL.
// Every operation asks, so valid names are remembered.
func quotedTable(coll string) (string, error) {
	if q, ok := quotedTables.Load(coll); ok {
		return q.(string), nil
	}
	if !store.ValidCollection(coll) {
		return "", store.Wrapf(store.ErrInvalid, nil, "invalid collection name %q", coll)
	}
	q := `"` + tableName(coll) + `"`
	quotedTables.Store(coll, q)
	return q, nil
}

var quotedTables sync.Map // collection -> quoted table name

// indexName is the SQLite name of a collection's index. Index names live in
// one namespace per database; "." cannot occur in a collection or index
// name, so "ix_order.items_sku" and "ix_order_items.sku" stay apart.
func indexName(coll, name string) string {
	return "ix_" + strings.TrimPrefix(tableName(coll), "c_") + "." + name
}

// tableSet remembers which tables are known to exist (committed), so each
// collection's "CREATE TABLE IF NOT EXISTS" and existence check run once
// per process rather than once per operation.
type tableSet struct{ m sync.Map }

func (t *tableSet) known(coll string) bool { _, ok := t.m.Load(coll); return ok }
func (t *tableSet) add(coll string)        { t.m.Store(coll, struct{}{}) }

// createTableSQL is the shape of every collection table: the id column is
// the primary key and the document (without "_id") is one JSON value.
func createTableSQL(coll string) string {
	return `CREATE TABLE IF NOT EXISTS "` + tableName(coll) + `" (id TEXT PRIMARY KEY NOT NULL, doc ` + docColumnType + ` NOT NULL)`
}

// tableExists reports whether coll has a table. Reads of a collection that
// was never written see it as empty rather than creating it: readers are
// read-only connections.
func (o *ops) tableExists(ctx context.Context, coll string) (bool, error) {
	if o.s.tables.known(coll) {
		return true, nil
	}
	var one int
	found, err := o.r.queryRow(ctx, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", []any{tableName(coll)}, &one)
	if err != nil {
		return false, err
	}
	// A table seen by the writer may be uncommitted and roll back; only
	// readers (which see committed state) may fill the cache.
	if found && o.req == nil {
		o.s.tables.add(coll)
	}
	return found, nil
}

// ensureTable creates coll's table inside the current write. The cache is
// filled only after the transaction commits (writer.go), since a rolled
// back savepoint takes the new table with it.
func (o *ops) ensureTable(coll string) error {
	if o.s.tables.known(coll) {
		return nil
	}
	for _, c := range o.req.created {
		if c == coll {
			return nil
		}
	}
	if _, err := o.r.exec(context.Background(), createTableSQL(coll), nil); err != nil {
		return mapErr(err)
	}
	o.req.created = append(o.req.created, coll)
	return nil
}

// ensureIndexes creates the missing indexes of coll (inside a write).
func (o *ops) ensureIndexes(coll string, idx []store.Index) error {
	table, err := quotedTable(coll)
	if err != nil {
		return err
	}
	stmts := make([]string, 0, len(idx))
	for _, ix := range idx {
		if !store.ValidIndexName(ix.Name) || len(ix.Fields) == 0 || len(ix.Fields) > 16 {
			return store.Wrapf(store.ErrInvalid, nil, "invalid index %q", ix.Name)
		}
		var b strings.Builder
		b.WriteString("CREATE ")
		if ix.Unique {
			b.WriteString("UNIQUE ")
		}
		b.WriteString(`INDEX IF NOT EXISTS "` + indexName(coll, ix.Name) + `" ON ` + table + " (")
		for i, f := range ix.Fields {
			desc := strings.HasPrefix(f, "-")
			x, err := fieldExpr(strings.TrimPrefix(f, "-"))
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(x)
			if desc {
				b.WriteString(" DESC")
			}
		}
		b.WriteString(")")
		stmts = append(stmts, b.String())
	}
	if err := o.ensureTable(coll); err != nil {
		return err
	}
	for _, st := range stmts {
		// DDL runs once per index: not worth a cached prepared statement.
		if _, err := o.s.wconn.ExecContext(context.Background(), st); err != nil {
			return mapErr(err)
		}
	}
	return nil
}
