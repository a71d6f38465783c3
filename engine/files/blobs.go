// Package files stores the files uploaded into attachment and image
// fields: the bytes in a Blobs backend (a directory under the data dir for
// the embedded store, GridFS for MongoDB and lungo) and their metadata in
// the store's "files" collection (form.FilesCollection). Records reference
// a file by id; the records service checks each reference against that
// metadata and indexes the ids a record holds, which is what downloads are
// authorised against (see Service).
package files

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/256dpi/lungo"
	"go.mongodb.org/mongo-driver/mongo/gridfs"

	"github.com/tangram/tangram/engine/store"
	"github.com/tangram/tangram/engine/store/mongo"
)

// Blobs stores file contents by id. Ids are chosen by the caller
// (store.NewID); a Put either stores the whole content or nothing.
type Blobs interface {
	// Put stores the content read from r under id and returns its size and
	// hex SHA-256. When r fails (a size limit, a cut connection) nothing
	// is kept and the error is returned as is.
	Put(ctx context.Context, id string, r io.Reader) (size int64, sha256 string, err error)
	// Open returns the content of id; ErrNotFound when there is none.
	Open(ctx context.Context, id string) (io.ReadCloser, error)
	// Delete removes id; a missing id is not an error.
	Delete(ctx context.Context, id string) error
}

// ErrNotFound is returned by Open for an id with no content.
var ErrNotFound = errors.New("files: blob not found")

// idRe bounds ids to what store.NewID makes, so an id can never name a
// path outside the directory.
var idRe = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func checkID(id string) error {
	if !idRe.MatchString(id) {
		return fmt.Errorf("files: invalid blob id %q", id)
	}
	return nil
}

// BlobsFor picks the backend for an opened store: GridFS in the database
// of the MongoDB adapter (real MongoDB or lungo, which implements GridFS
// buckets too), else a directory under dataDir.
func BlobsFor(st store.Store, dataDir string) (Blobs, error) {
	if ms, ok := st.(*mongo.Store); ok {
		return NewGridFS(ms.Database()), nil
	}
	return NewDir(dataDir)
}

// Dir keeps each file in <dataDir>/files/<first two characters of id>/<id>.
// A Put writes a temporary file in the same directory, syncs it, renames it
// into place and syncs the directory, so a crash leaves either the whole
// file or none (and at worst a stray temporary file).
type Dir struct{ root string }

// NewDir returns the directory backend rooted at <dataDir>/files,
// creating it if needed.
func NewDir(dataDir string) (*Dir, error) {
	root := filepath.Join(dataDir, "files")
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(id string) string { return filepath.Join(d.root, id[:2], id) }

// Put implements Blobs.
func (d *Dir) Put(ctx context.Context, id string, r io.Reader) (int64, string, error) {
	if err := checkID(id); err != nil {
		return 0, "", err
	}
	dir := filepath.Dir(d.path(id))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, "", fmt.Errorf("files: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+id+".*.tmp")
	if err != nil {
		return 0, "", fmt.Errorf("files: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err != nil {
		return 0, "", err
	}
	if err := tmp.Sync(); err != nil {
		return 0, "", fmt.Errorf("files: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, "", fmt.Errorf("files: %w", err)
	}
	if err := os.Rename(tmp.Name(), d.path(id)); err != nil {
		return 0, "", fmt.Errorf("files: %w", err)
	}
	done = true
	if df, err := os.Open(dir); err == nil {
		_ = df.Sync() // make the rename durable; not every OS supports it
		_ = df.Close()
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Open implements Blobs.
func (d *Dir) Open(_ context.Context, id string) (io.ReadCloser, error) {
	if err := checkID(id); err != nil {
		return nil, ErrNotFound
	}
	f, err := os.Open(d.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return f, nil
}

// Delete implements Blobs.
func (d *Dir) Delete(_ context.Context, id string) error {
	if err := checkID(id); err != nil {
		return nil
	}
	if err := os.Remove(d.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("files: %w", err)
	}
	return nil
}

// ctxReader stops a copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// GridFS keeps files in the database's default GridFS bucket ("fs.files"
// and "fs.chunks"), the file's GridFS id being the blob id. It works on a
// real MongoDB through the driver and on lungo, whose Bucket implements
// the same layout.
type GridFS struct{ b *lungo.Bucket }

// NewGridFS returns the GridFS backend over db.
func NewGridFS(db lungo.IDatabase) *GridFS { return &GridFS{b: lungo.NewBucket(db)} }

// Put implements Blobs: an upload stream that is aborted (its chunks
// deleted) when r fails.
func (g *GridFS) Put(ctx context.Context, id string, r io.Reader) (int64, string, error) {
	if err := checkID(id); err != nil {
		return 0, "", err
	}
	up, err := g.b.OpenUploadStreamWithID(ctx, id, id)
	if err != nil {
		return 0, "", fmt.Errorf("files: gridfs: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(up, h), ctxReader{ctx, r})
	if err != nil {
		_ = up.Abort()
		return 0, "", err
	}
	if err := up.Close(); err != nil {
		return 0, "", fmt.Errorf("files: gridfs: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Open implements Blobs.
func (g *GridFS) Open(ctx context.Context, id string) (io.ReadCloser, error) {
	s, err := g.b.OpenDownloadStream(ctx, id)
	if errors.Is(err, lungo.ErrFileNotFound) || errors.Is(err, gridfs.ErrFileNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("files: gridfs: %w", err)
	}
	return s, nil
}

// Delete implements Blobs.
func (g *GridFS) Delete(ctx context.Context, id string) error {
	err := g.b.Delete(ctx, id)
	if err != nil && !errors.Is(err, lungo.ErrFileNotFound) && !errors.Is(err, gridfs.ErrFileNotFound) {
		return fmt.Errorf("files: gridfs: %w", err)
	}
	return nil
}
