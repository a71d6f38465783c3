//go:build !modernc

package sqlite

import (
	"context"
	"database/sql"
	"errors"

	nsqlite "github.com/ncruces/go-sqlite3"
	ndriver "github.com/ncruces/go-sqlite3/driver"
)

// The github.com/ncruces/go-sqlite3 binding: the default driver (see the
// package comment for why). Everything driver-specific is in this file and
// in driver_modernc.go, the measured alternative (-tags modernc).
const driverName = "sqlite3"

// driverDSNParams: without _timefmt=sqlite this driver turns any text that
// looks like an RFC 3339 time ("2026-01-01T08:00:00.123Z", a stored time
// field) into a time.Time when it is scanned into an interface. vfs: WAL
// writes gathered into one system call per commit (walbuf_ncruces.go).
var driverDSNParams = map[string]string{"_timefmt": "sqlite", "vfs": walBufVFSName}

// writerMaxMemory bounds the writer connection's SQLite heap. The binding
// runs SQLite in WebAssembly with 256 MB per connection by default, and
// running out panics; the writer keeps its temporary files in memory
// (temp_store, funcs.go), so building an index or a rollup over ten
// million records sorts there: 256 MB ran out on the 10M-sale demo.
const writerMaxMemory = 3 << 30

// writerContext opens the writer's connection with its larger heap.
func writerContext(ctx context.Context) context.Context {
	return nsqlite.WithMaxMemory(ctx, writerMaxMemory)
}

// openDB opens a pool whose connections all get the adapter's functions.
func openDB(dsn string) (*sql.DB, error) {
	return ndriver.Open(dsn, func(c *nsqlite.Conn) error {
		for _, f := range scalarFuncs {
			fn := f.fn
			err := c.CreateFunction(f.name, f.nargs, nsqlite.DETERMINISTIC, func(ctx nsqlite.Context, arg ...nsqlite.Value) {
				args := make([]any, len(arg))
				for i, v := range arg {
					args[i] = ncrucesValue(v)
				}
				ncrucesResult(ctx, fn(args))
			})
			if err != nil {
				return err
			}
		}
		for _, f := range aggregateFuncs {
			mk := f.make
			err := c.CreateWindowFunction(f.name, 1, nsqlite.DETERMINISTIC, func() nsqlite.AggregateFunction {
				return &ncrucesAgg{impl: mk()}
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func ncrucesValue(v nsqlite.Value) any {
	switch v.Type() {
	case nsqlite.INTEGER:
		return v.Int64()
	case nsqlite.FLOAT:
		return v.Float()
	case nsqlite.TEXT:
		return v.Text()
	case nsqlite.BLOB:
		return v.Blob(nil)
	}
	return nil
}

func ncrucesResult(ctx nsqlite.Context, r any) {
	switch x := r.(type) {
	case int64:
		ctx.ResultInt64(x)
	case float64:
		ctx.ResultFloat(x)
	case string:
		ctx.ResultText(x)
	case []byte:
		ctx.ResultBlob(x)
	default:
		ctx.ResultNull()
	}
}

// ncrucesAgg adapts an aggImpl to the driver's aggregate interface.
type ncrucesAgg struct{ impl aggImpl }

func (a *ncrucesAgg) Step(_ nsqlite.Context, arg ...nsqlite.Value) { a.impl.add(ncrucesValue(arg[0])) }
func (a *ncrucesAgg) Value(ctx nsqlite.Context)                    { ncrucesResult(ctx, a.impl.result()) }

// classify reads the SQLite result code of a driver error.
func classify(err error) errKind {
	var e *nsqlite.Error
	if !errors.As(err, &e) {
		return kindOther
	}
	switch {
	case e.ExtendedCode() == nsqlite.CONSTRAINT_UNIQUE || e.ExtendedCode() == nsqlite.CONSTRAINT_PRIMARYKEY:
		return kindUnique
	case e.Code() == nsqlite.BUSY || e.Code() == nsqlite.LOCKED:
		return kindBusy
	}
	return kindOther
}
