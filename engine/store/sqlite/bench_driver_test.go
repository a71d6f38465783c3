//go:build driverbench

// The driver comparison that chose the adapter's driver and its document
// format (docs/perf-sqlite-driver.md). It talks to both pure-Go drivers
// directly through database/sql, without the adapter, so the figures are the
// drivers' own. Run with:
//
//	go test -tags driverbench ./engine/store/sqlite -run '^$' -bench BenchmarkDriver -benchtime 2s
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"database/sql/driver"
	"time"

	ncruces "github.com/ncruces/go-sqlite3"
	ncdriver "github.com/ncruces/go-sqlite3/driver"
	modernc "modernc.org/sqlite"

	"github.com/tangram/tangram/engine/query"
)

// benchLoc has daylight saving time, so its month buckets need a Go
// function: the cost of calling back into Go per row differs by driver.
var benchLoc = func() *time.Location {
	l, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return l
}()

func benchBucket(s string) (string, bool) {
	t, err := time.Parse(query.TimeLayout, s)
	if err != nil {
		return "", false
	}
	return query.BucketKey(t, query.BucketMonth, benchLoc), true
}

func init() {
	modernc.MustRegisterDeterministicScalarFunction("bench_bucket", 1, func(_ *modernc.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, _ := args[0].(string)
		if k, ok := benchBucket(s); ok {
			return k, nil
		}
		return nil, nil
	})
}

func ncrucesInit(c *ncruces.Conn) error {
	return c.CreateFunction("bench_bucket", 1, ncruces.DETERMINISTIC, func(ctx ncruces.Context, arg ...ncruces.Value) {
		if k, ok := benchBucket(arg[0].Text()); ok {
			ctx.ResultText(k)
		} else {
			ctx.ResultNull()
		}
	})
}

// benchDrivers maps a label to the database/sql driver name each registers.
var benchDrivers = []struct{ label, name string }{
	{"modernc", "sqlite"},
	{"ncruces", "sqlite3"},
}

// benchFormats are the two ways to store a document: JSON text, or SQLite's
// binary JSONB (3.45+), which must be turned back into text with json() on
// every read.
var benchFormats = []struct{ label, col, in, out string }{
	{"text", "TEXT", "?", "doc"},
	{"jsonb", "BLOB", "jsonb(?)", "json(doc)"},
}

const benchGroupRows = 200_000

func openBenchDB(b *testing.B, driverName, path string) *sql.DB {
	b.Helper()
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)"
	var db *sql.DB
	var err error
	if driverName == "sqlite3" {
		db, err = ncdriver.Open(dsn, ncrucesInit)
	} else {
		db, err = sql.Open(driverName, dsn)
	}
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(2)
	return db
}

func benchDoc(i int) string {
	return fmt.Sprintf(`{"name":"member %d","phone":"138%08d","store":"s%03d","level":%d,"amount":%d,"price":%d.50,"tags":["a","t%d"],"createdAt":"2026-%02d-%02dT10:00:00.000Z","address":{"city":"c%d","street":"No. %d Road"}}`,
		i, i, i%200, i%5, i%10000, i%100, i%7, i%12+1, i%28+1, i%50, i)
}

// groupDBs holds one populated database per driver and format, built once:
// the 200k-row load is the expensive part of the comparison.
var groupDBs sync.Map

func populated(b *testing.B, drv, format string, col, in string) string {
	key := drv + "/" + format
	if p, ok := groupDBs.Load(key); ok {
		return p.(string)
	}
	dir, err := os.MkdirTemp("", "driverbench")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "g.db")
	var name string
	for _, d := range benchDrivers {
		if d.label == drv {
			name = d.name
		}
	}
	db := openBenchDB(b, name, path)
	defer db.Close()
	mustExec(b, db, "CREATE TABLE t (id TEXT PRIMARY KEY, doc "+col+" NOT NULL)")
	mustExec(b, db, "CREATE INDEX ix_phone ON t(json_extract(doc,'$.phone'))")
	for i := 0; i < benchGroupRows; i += 5000 {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare("INSERT INTO t(id, doc) VALUES(?, " + in + ")")
		if err != nil {
			b.Fatal(err)
		}
		for j := i; j < i+5000; j++ {
			if _, err := st.Exec(fmt.Sprintf("id%09d", j), benchDoc(j)); err != nil {
				b.Fatal(err)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	groupDBs.Store(key, path)
	return path
}

func mustExec(b *testing.B, db *sql.DB, q string, args ...any) {
	b.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		b.Fatalf("%s: %v", q, err)
	}
}

// BenchmarkDriver compares the drivers and document formats on the
// operations the adapter's performance depends on.
func BenchmarkDriver(b *testing.B) {
	for _, d := range benchDrivers {
		b.Run(d.label, func(b *testing.B) {
			b.Run("DurableTx", func(b *testing.B) { benchDurableTx(b, d.name) })
			for _, f := range benchFormats {
				b.Run("BatchInsert1000/"+f.label, func(b *testing.B) { benchBatchInsert(b, d.name, f.col, f.in) })
				b.Run("IndexedFind/"+f.label, func(b *testing.B) {
					db := openBenchDB(b, d.name, populated(b, d.label, f.label, f.col, f.in))
					defer db.Close()
					q := "SELECT id, " + f.out + " FROM t WHERE json_extract(doc,'$.phone') = ?"
					var plan string
					rows, err := db.Query("EXPLAIN QUERY PLAN "+q, "x")
					if err != nil {
						b.Fatal(err)
					}
					for rows.Next() {
						var id, parent, unused int
						var detail string
						if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
							b.Fatal(err)
						}
						plan += detail
					}
					rows.Close()
					if !strings.Contains(plan, "ix_phone") {
						b.Fatalf("index not used: %s", plan)
					}
					st, err := db.Prepare(q)
					if err != nil {
						b.Fatal(err)
					}
					defer st.Close()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						var id, doc string
						if err := st.QueryRow(fmt.Sprintf("138%08d", i%benchGroupRows)).Scan(&id, &doc); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("ParallelIndexedFind/"+f.label, func(b *testing.B) {
					db := openBenchDB(b, d.name, populated(b, d.label, f.label, f.col, f.in))
					defer db.Close()
					st, err := db.Prepare("SELECT id, " + f.out + " FROM t WHERE json_extract(doc,'$.phone') = ?")
					if err != nil {
						b.Fatal(err)
					}
					defer st.Close()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						i := 0
						for pb.Next() {
							i++
							var id, doc string
							if err := st.QueryRow(fmt.Sprintf("138%08d", i%benchGroupRows)).Scan(&id, &doc); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
				b.Run("GroupBy200k/"+f.label, func(b *testing.B) {
					benchGroupBy(b, d.name, populated(b, d.label, f.label, f.col, f.in),
						`SELECT json_extract(doc,'$.store'), strftime('%Y-%m', json_extract(doc,'$.createdAt'), '+480 minutes'),
						count(*), sum(json_extract(doc,'$.amount')), avg(json_extract(doc,'$.price'))
						FROM t GROUP BY 1, 2`)
				})
				b.Run("GroupByGoFunc200k/"+f.label, func(b *testing.B) {
					benchGroupBy(b, d.name, populated(b, d.label, f.label, f.col, f.in),
						`SELECT json_extract(doc,'$.store'), bench_bucket(json_extract(doc,'$.createdAt')),
						count(*), sum(json_extract(doc,'$.amount')), avg(json_extract(doc,'$.price'))
						FROM t GROUP BY 1, 2`)
				})
			}
		})
	}
}

// benchGroupBy runs one GROUP BY query over the populated table b.N times.
func benchGroupBy(b *testing.B, name, path, q string) {
	db := openBenchDB(b, name, path)
	defer db.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, err := db.Query(q)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		rows.Close()
		if n == 0 {
			b.Fatal("no groups")
		}
	}
}

// benchDurableTx measures one-row transactions, each committed with an
// fsync (WAL, synchronous=FULL): the rate group commit has to beat.
func benchDurableTx(b *testing.B, name string) {
	db := openBenchDB(b, name, filepath.Join(b.TempDir(), "d.db"))
	defer db.Close()
	mustExec(b, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)")
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	ins, err := conn.PrepareContext(ctx, "INSERT INTO t(doc) VALUES(?)")
	if err != nil {
		b.Fatal(err)
	}
	defer ins.Close()
	doc := benchDoc(1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			b.Fatal(err)
		}
		if _, err := ins.ExecContext(ctx, doc); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// benchBatchInsert measures 1000-document transactions (bulk import).
func benchBatchInsert(b *testing.B, name, col, in string) {
	db := openBenchDB(b, name, filepath.Join(b.TempDir(), "b.db"))
	defer db.Close()
	mustExec(b, db, "CREATE TABLE t (id TEXT PRIMARY KEY, doc "+col+" NOT NULL)")
	mustExec(b, db, "CREATE INDEX ix_phone ON t(json_extract(doc,'$.phone'))")
	n := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		st, err := tx.Prepare("INSERT INTO t(id, doc) VALUES(?, " + in + ")")
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 1000; j++ {
			n++
			if _, err := st.Exec(fmt.Sprintf("id%09d", n), benchDoc(n)); err != nil {
				b.Fatal(err)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}
