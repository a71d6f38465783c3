package sqlite

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// Multi-row inserts. One INSERT statement per up to maxRowsPerStmt rows
// instead of one per row: each statement costs a trip into SQLite, a
// statement reset and the journaling of the pages it touches, so a batch
// of a thousand rows costs a few statements. The row counts used are
// maxRowsPerStmt and the powers of two below it, so a table has at most
// eight statement texts in the statement cache whatever the batch sizes.
// 2 variables per row keeps a statement far below SQLite's variable limit
// (32,766 since 3.32).
const maxRowsPerStmt = 128

// encoded is one document ready for its INSERT.
type encoded struct {
	id   string
	body []byte
}

// encodeOne encodes doc, giving it a new id when it has none.
func encodeOne(doc store.Doc) (encoded, error) {
	id, body, err := encodeDoc(doc)
	if id == "" {
		id = store.NewID()
	}
	return encoded{id: id, body: body}, err
}

// encodeMany encodes docs; an invalid one is a store.RowError naming it.
func encodeMany(docs []store.Doc) ([]encoded, error) {
	out := make([]encoded, len(docs))
	for i, d := range docs {
		e, err := encodeOne(d)
		if err != nil {
			base := store.ErrInvalid
			if ce, ok := errs.As(err); ok {
				base = ce
			}
			return nil, store.RowError(base, err, i)
		}
		out[i] = e
	}
	return out, nil
}

func idsOf(enc []encoded) []string {
	ids := make([]string, len(enc))
	for i, e := range enc {
		ids[i] = e.id
	}
	return ids
}

// rowsPerStmt is how many of rest rows the next statement takes.
func rowsPerStmt(rest int) int {
	n := maxRowsPerStmt
	for n > rest {
		n /= 2
	}
	return n
}

// insertText is the INSERT of n rows into table (memoized: the statement
// cache needs the text on every call).
func insertText(table string, n int) string {
	k := table + "#" + strconv.Itoa(n)
	if s, ok := insertTexts.Load(k); ok {
		return s.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (id, doc) VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, " + docIn + ")")
	}
	s := b.String()
	insertTexts.Store(k, s)
	return s
}

var insertTexts sync.Map

// insertMany inserts enc inside the current write, all or nothing: a
// savepoint of its own undoes the statements already run when a later one
// fails, without touching the rest of the caller's transaction.
func (o *ops) insertMany(coll string, enc []encoded) error {
	table, err := quotedTable(coll)
	if err != nil || len(enc) == 0 {
		return err
	}
	if err := o.ensureTable(coll); err != nil {
		return err
	}
	if err := o.execNoArgs("SAVEPOINT many"); err != nil {
		return mapErr(err)
	}
	ferr := o.insertChunks(table, enc)
	if ferr != nil {
		if err := o.execNoArgs("ROLLBACK TO many"); err != nil {
			return mapErr(err)
		}
	}
	if err := o.execNoArgs("RELEASE many"); err != nil {
		return mapErr(err)
	}
	return ferr
}

func (o *ops) insertChunks(table string, enc []encoded) error {
	args := make([]any, 0, 2*min(len(enc), maxRowsPerStmt))
	for off := 0; off < len(enc); {
		n := rowsPerStmt(len(enc) - off)
		args = args[:0]
		for _, e := range enc[off : off+n] {
			args = append(args, e.id, docArg(e.body))
		}
		if _, err := o.r.exec(context.Background(), insertText(table, n), args); err != nil {
			merr := mapErr(err)
			if errs.HasCode(merr, store.ErrDuplicate.Code) {
				// A failed statement undoes only its own rows (SQLite's
				// statement journal), so the rows before it are still in:
				// inserting the chunk's rows one by one finds the first
				// that collides, with the stored documents or an earlier
				// row. The caller rolls all of it back.
				return o.firstDuplicate(table, enc, off, n, merr)
			}
			return merr
		}
		off += n
	}
	return nil
}

// firstDuplicate finds the failing row of the chunk enc[off:off+n].
func (o *ops) firstDuplicate(table string, enc []encoded, off, n int, cause error) error {
	for i := off; i < off+n; i++ {
		if _, err := o.r.exec(context.Background(), insertText(table, 1), []any{enc[i].id, docArg(enc[i].body)}); err != nil {
			merr := mapErr(err)
			if errs.HasCode(merr, store.ErrDuplicate.Code) {
				return store.RowError(store.ErrDuplicate, err, i)
			}
			return merr
		}
	}
	return cause
}

func (o *ops) execNoArgs(text string) error {
	_, err := o.r.exec(context.Background(), text, nil)
	return err
}
