package sqlite

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrInUse is returned by CheckUnused when another connection (a running
// server, most likely) has the database file open.
var ErrInUse = errors.New("sqlite: the database is in use by another process")

// Backup writes a consistent copy of the whole database to destPath, a
// file that must not exist yet, while the store keeps serving (see
// BackupFile).
func (s *Store) Backup(ctx context.Context, destPath string) error {
	if s.closed.Load() {
		return errClosed
	}
	return BackupFile(ctx, s.path, destPath)
}

// BackupFile writes a consistent copy of the database file at srcPath to
// destPath (which must not exist yet), from this process or from another
// one while a server uses the file. It runs VACUUM INTO on a connection of
// its own: that reads one snapshot (a WAL read transaction, so writers
// carry on and the copy holds exactly the transactions committed before
// it started) and writes a compact, self-contained database file (no WAL
// beside it) that Open can use as is. It is not one of a store's pooled
// readers, which a long copy would take from the API, and it changes
// nothing in the source (query_only would refuse VACUUM INTO, which counts
// as a write, though it writes only the new file).
func BackupFile(ctx context.Context, srcPath, destPath string) error {
	src, err := filepath.Abs(srcPath)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	dest, err := filepath.Abs(destPath)
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("sqlite: backup: %s already exists", dest)
	}
	db, err := openDB(dsn(src, false))
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		_ = os.Remove(dest)
		return fmt.Errorf("sqlite: backup to %s: %w", dest, err)
	}
	return nil
}

// CheckUnused reports ErrInUse when any other connection has the database
// file at path open (a running `tangram serve`, or another tool), and nil
// when the file is free or does not exist. It asks SQLite for an exclusive
// lock without waiting: in WAL mode every open connection holds a shared
// lock on the file for as long as it is open, so the exclusive lock is
// refused exactly while someone else uses the database. Restoring over a
// database in use would corrupt what that process sees and writes.
func CheckUnused(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := os.Stat(abs); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(0)")
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	for k, v := range driverDSNParams {
		q.Set(k, v)
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	db, err := openDB(u.String())
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return lockErr(err)
	}
	defer conn.Close()
	// BEGIN EXCLUSIVE takes the file's exclusive lock (and, in exclusive
	// locking mode, keeps it until the connection closes).
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		return lockErr(err)
	}
	_, _ = conn.ExecContext(ctx, "ROLLBACK")
	return nil
}

// lockErr maps a refused lock to ErrInUse. Drivers report it as a full
// error (classify) or, when the connection is being opened, as a bare
// result code that only says it is temporary (ncruces: SQLITE_BUSY).
func lockErr(err error) error {
	var tmp interface{ Temporary() bool }
	if classify(err) == kindBusy || errors.As(err, &tmp) && tmp.Temporary() {
		return ErrInUse
	}
	return fmt.Errorf("sqlite: %w", err)
}

// QuickCheck runs SQLite's quick_check on the database file at path (a
// restored copy, before it is put in place) and reports any damage it
// finds. It reads only; the file must not be in use.
func QuickCheck(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	db, err := openDB(dsn(abs, true))
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("sqlite: quick_check of %s: %w", abs, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("sqlite: quick_check of %s: %w", abs, err)
		}
		if line != "ok" {
			problems = append(problems, strings.Split(line, "\n")...)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: quick_check of %s: %w", abs, err)
	}
	if len(problems) > 0 {
		// The first few lines say enough; a damaged page can yield hundreds.
		return fmt.Errorf("sqlite: %s is damaged: %s", abs, strings.Join(problems[:min(len(problems), 4)], "; "))
	}
	return nil
}
