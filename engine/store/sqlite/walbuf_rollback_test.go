//go:build !modernc

package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestRolledBackSpillNeverOverwritesAnotherWriter: writer a (the server)
// rolls back a transaction that spilled pages into its buffered WAL;
// writer b (another process: `tangram user create` on the same data dir)
// then commits frames at the same offsets; a's next touch of the WAL must
// not write the rolled-back frames over them. The writer drops its buffer
// after every ROLLBACK (writer.rollback → dropWALBuffer); without that,
// b's rows come back damaged.
func TestRolledBackSpillNeverOverwritesAnotherWriter(t *testing.T) {
	// The scenario must show the damage when the buffer is kept, or the
	// second half proves nothing.
	if !staleSpillScenario(t, "kept", false) {
		t.Fatal("with the stale buffer kept, b's rows were not damaged: the scenario no longer reproduces the hazard")
	}
	if staleSpillScenario(t, "dropped", true) {
		t.Fatal("b's committed rows were damaged although a dropped its buffer after the rollback")
	}
}

// staleSpillScenario runs the two writers and reports whether b's rows
// were damaged; drop says whether a drops its buffer after its rollback.
func staleSpillScenario(t *testing.T, name string, drop bool) (damaged bool) {
	path := filepath.Join(t.TempDir(), name+".db")
	open := func(token string) *sql.DB {
		db, err := openDB(dsn(path, false) + "&" + walBufParam + "=" + token)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	exec := func(db *sql.DB, q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tokA, tokB := name+"-a", name+"-b"
	a := open(tokA)
	exec(a, "PRAGMA wal_autocheckpoint=0")
	exec(a, "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)")
	exec(a, "INSERT INTO t(v) VALUES (randomblob(500))")
	exec(a, "PRAGMA wal_checkpoint(TRUNCATE)")
	b := open(tokB)
	exec(b, "PRAGMA wal_autocheckpoint=0")

	// a: a tiny page cache makes the transaction spill to the WAL.
	exec(a, "PRAGMA cache_size=10")
	tx, err := a.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := tx.Exec("INSERT INTO t(v) VALUES (randomblob(3000))"); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if drop {
		dropWALBuffer(tokA)
	}
	for range 40 {
		exec(b, "INSERT INTO t(v) VALUES (zeroblob(3000))")
	}
	var n int
	_ = a.QueryRow("SELECT count(*) FROM t").Scan(&n) // a touches its WAL file

	c, err := openDB(dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var check string
	var rows, zero int
	errCheck := c.QueryRow("PRAGMA quick_check").Scan(&check)
	errCount := c.QueryRow("SELECT count(*), count(CASE WHEN v = zeroblob(3000) THEN 1 END) FROM t").Scan(&rows, &zero)
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	return errCheck != nil || errCount != nil || check != "ok" || rows != 41 || zero != 40
}
