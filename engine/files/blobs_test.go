package files

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/store/mongo"
)

// blobsConformance runs the same checks on every backend.
func blobsConformance(t *testing.T, b Blobs) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("tangram-file-"), 40000) // ~520 KB: several GridFS chunks
	want := sha256.Sum256(data)
	id := store.NewID()
	n, sum, err := b.Put(ctx, id, bytes.NewReader(data))
	if err != nil || n != int64(len(data)) || sum != hex.EncodeToString(want[:]) {
		t.Fatalf("put: %d %s %v", n, sum, err)
	}
	rc, err := b.Open(ctx, id)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	got, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, err %v", len(got), err)
	}

	// A failing reader stores nothing.
	bad := store.NewID()
	boom := errors.New("boom")
	if _, _, err := b.Put(ctx, bad, io.MultiReader(bytes.NewReader(data), errReader{boom})); !errors.Is(err, boom) {
		t.Fatalf("failing put: %v", err)
	}
	if _, err := b.Open(ctx, bad); !errors.Is(err, ErrNotFound) {
		t.Fatalf("failed put left content: %v", err)
	}

	if err := b.Delete(ctx, id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := b.Open(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open after delete: %v", err)
	}
	if err := b.Delete(ctx, id); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, _, err := b.Put(ctx, "../../etc", strings.NewReader("x")); err == nil {
		t.Fatal("a path-like id was accepted")
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestDirBlobs(t *testing.T) {
	dir := t.TempDir()
	b, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	blobsConformance(t, b)
	// Nothing but the (empty) shard directories is left: no temp files.
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("stray file %s", p)
		}
		return nil
	})
}

// TestDirSurvivesReopen: a file written by one Dir is read by a new one
// over the same data dir (a restart), at <dataDir>/files/<id[:2]>/<id>.
func TestDirSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b1, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := store.NewID()
	if _, _, err := b1.Put(ctx, id, strings.NewReader("persisted")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "files", id[:2], id)); err != nil {
		t.Fatalf("layout: %v", err)
	}
	b2, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := b2.Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); string(got) != "persisted" {
		t.Fatalf("after reopen: %q", got)
	}
}

func TestGridFSOnLungo(t *testing.T) {
	st, err := mongo.OpenLungo(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := BlobsFor(st, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*GridFS); !ok {
		t.Fatalf("lungo store got %T, want GridFS", b)
	}
	blobsConformance(t, b)
}

func TestGridFSOnMongo(t *testing.T) {
	uri := os.Getenv("TANGRAM_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("TANGRAM_TEST_MONGO_URI not set")
	}
	st, err := mongo.Open(context.Background(), uri, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobsConformance(t, NewGridFS(st.Database()))
}
