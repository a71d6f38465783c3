package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tangram/tangram/engine/store"
)

// TestBackupWhileWriting: a backup taken while writers commit is a
// database of its own that opens and holds a prefix of the writes (every
// document it has is whole, and at least what committed before it began).
func TestBackupWhileWriting(t *testing.T) {
	ctx := t.Context()
	s := openTest(t)
	dir := filepath.Dir(s.Path())
	for i := range 200 {
		if _, err := s.Insert(ctx, "c", store.Doc{"_id": fmt.Sprintf("pre%04d", i), "n": int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var written atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if _, err := s.Insert(ctx, "c", store.Doc{"_id": fmt.Sprintf("w%d-%06d", w, i), "n": int64(i)}); err != nil {
					t.Error(err)
					return
				}
				written.Add(1)
			}
		})
	}
	for written.Load() < 50 {
		_, _ = s.Count(ctx, "c", nil)
	}
	dest := filepath.Join(dir, "copy.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	wg.Wait()
	if err := s.Backup(ctx, dest); err == nil {
		t.Fatal("a backup over an existing file was accepted")
	}
	if _, err := os.Stat(dest + "-wal"); err == nil {
		t.Fatal("the backup left a WAL file beside it")
	}
	c, err := Open(ctx, dest, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n, err := c.Count(ctx, "c", nil)
	if err != nil {
		t.Fatal(err)
	}
	total, _ := s.Count(ctx, "c", nil)
	if n < 250 || n > total {
		t.Fatalf("backup holds %d documents; want between 250 and %d", n, total)
	}
	d, err := c.Get(ctx, "c", "pre0123")
	if err != nil || fmt.Sprint(d["n"]) != "123" {
		t.Fatalf("document in the backup: %v, %v", d, err)
	}
}

// TestCheckUnused: an open store makes the file in use; once closed (or
// for a missing file) it is free.
func TestCheckUnused(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "t.db")
	if err := CheckUnused(ctx, path); err != nil {
		t.Fatalf("missing file: %v", err)
	}
	s, err := Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, "c", store.Doc{"_id": "a"}); err != nil {
		t.Fatal(err)
	}
	if err := CheckUnused(ctx, path); !errors.Is(err, ErrInUse) {
		t.Fatalf("open store: got %v, want ErrInUse", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := CheckUnused(ctx, path); err != nil {
		t.Fatalf("closed store: %v", err)
	}
	// The probe must not keep the file: the store opens again.
	s, err = Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Get(ctx, "c", "a"); err != nil {
		t.Fatal(err)
	}
}

// TestQuickCheck: a backup copy passes and is left as it was (no WAL or
// shared-memory file beside it); a copy with a damaged page does not.
func TestQuickCheck(t *testing.T) {
	ctx := t.Context()
	s := openTest(t)
	dir := filepath.Dir(s.Path())
	docs := make([]store.Doc, 2000)
	for i := range docs {
		docs[i] = store.Doc{"n": int64(i), "s": fmt.Sprintf("text %d of a document", i)}
	}
	if _, err := s.InsertMany(ctx, "c", docs); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(ctx, "c", []store.Index{{Name: "c_n", Fields: []string{"n"}}}); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "copy.db")
	if err := s.Backup(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	if err := QuickCheck(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "copy.db" && strings.HasPrefix(e.Name(), "copy") {
			t.Fatalf("QuickCheck left %s", e.Name())
		}
	}
	b, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	// Garble the middle of the file (pages of the table and its index),
	// leaving the header readable.
	for i := len(b) / 3; i < len(b)/3+4096; i++ {
		b[i] = 0xA5
	}
	bad := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(bad, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := QuickCheck(ctx, bad); err == nil {
		t.Fatal("a damaged copy passed")
	}
	if err := QuickCheck(ctx, filepath.Join(dir, "missing.db")); err == nil {
		t.Fatal("a missing file passed")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Fatal("QuickCheck created the missing file")
	}
}
