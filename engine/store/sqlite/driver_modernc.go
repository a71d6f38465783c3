//go:build modernc

package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	msqlite "modernc.org/sqlite"
)

// The modernc.org/sqlite binding, built with -tags modernc. It was measured
// against github.com/ncruces/go-sqlite3 (docs/perf-sqlite-driver.md) and
// stays buildable so that the comparison can be repeated on the whole
// adapter: go test -tags modernc runs the conformance suite on it.
const driverName = "sqlite"

// driverDSNParams are extra DSN parameters this driver needs (none).
var driverDSNParams = map[string]string{}

// writerContext: this binding's SQLite heap is the process's.
func writerContext(ctx context.Context) context.Context { return ctx }

// dropWALBuffer: this binding writes the WAL unbuffered (walbuf_ncruces.go).
func dropWALBuffer(string) {}

// SQLite result codes the adapter acts on (modernc reports extended codes).
const (
	codeBusy              = 5
	codeLocked            = 6
	codeConstraintPrimary = 19 | 6<<8 // SQLITE_CONSTRAINT_PRIMARYKEY
	codeConstraintUnique  = 19 | 8<<8 // SQLITE_CONSTRAINT_UNIQUE
)

func init() {
	// modernc registers functions on the driver, for every connection it
	// opens from then on.
	for _, f := range scalarFuncs {
		msqlite.MustRegisterDeterministicScalarFunction(f.name, int32(f.nargs), func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			a := make([]any, len(args))
			for i, v := range args {
				a[i] = v
			}
			return f.fn(a), nil
		})
	}
	for _, f := range aggregateFuncs {
		msqlite.MustRegisterFunction(f.name, &msqlite.FunctionImpl{
			NArgs:         1,
			Deterministic: true,
			MakeAggregate: func(msqlite.FunctionContext) (msqlite.AggregateFunction, error) {
				return &moderncAgg{impl: f.make()}, nil
			},
		})
	}
}

// openDB opens a pool on the data source name.
func openDB(dsn string) (*sql.DB, error) { return sql.Open(driverName, dsn) }

// moderncAgg adapts an aggImpl to the driver's aggregate interface.
type moderncAgg struct{ impl aggImpl }

func (a *moderncAgg) Step(_ *msqlite.FunctionContext, args []driver.Value) error {
	a.impl.add(args[0])
	return nil
}

func (a *moderncAgg) WindowInverse(*msqlite.FunctionContext, []driver.Value) error {
	return errors.New("sqlite: tangram aggregates are not window functions")
}

func (a *moderncAgg) WindowValue(*msqlite.FunctionContext) (driver.Value, error) {
	return a.impl.result(), nil
}

func (a *moderncAgg) Final(*msqlite.FunctionContext) {}

// classify reads the SQLite result code of a driver error.
func classify(err error) errKind {
	var e *msqlite.Error
	if !errors.As(err, &e) {
		return kindOther
	}
	switch c := e.Code(); {
	case c == codeConstraintUnique || c == codeConstraintPrimary:
		return kindUnique
	case c&0xff == codeBusy || c&0xff == codeLocked:
		return kindBusy
	}
	return kindOther
}
