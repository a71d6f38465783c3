//go:build !modernc

package sqlite

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ncruces/go-sqlite3/vfs"

	"github.com/tangram/tangram/engine/store"
)

// memFile is a vfs.File in memory that counts the writes reaching it and
// can be told to fail them.
type memFile struct {
	vfs.File // nil: only the methods below are used
	data     []byte
	writes   int
	syncs    int
	fail     error
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	if m.fail != nil {
		return 0, m.fail
	}
	m.writes++
	if end := int(off) + len(p); end > len(m.data) {
		m.data = append(m.data, make([]byte, end-len(m.data))...)
	}
	copy(m.data[off:], p)
	return len(p), nil
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) { return copy(p, m.data[off:]), nil }
func (m *memFile) Sync(vfs.SyncFlag) error                 { m.syncs++; return nil }
func (m *memFile) Size() (int64, error)                    { return int64(len(m.data)), nil }
func (m *memFile) Truncate(n int64) error                  { m.data = m.data[:n]; return nil }
func (m *memFile) Close() error                            { return nil }

// TestWALBufferWritesOncePerSync: appended frames reach the file in one
// write at the sync, a rewrite inside the buffer is kept in place, a
// read, size or truncation sees every write, and a write that fails
// later fails the sync.
func TestWALBufferWritesOncePerSync(t *testing.T) {
	m := &memFile{}
	f := &walFile{File: m}
	frame := func(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
	off := int64(0)
	for i := range 100 { // header + page, as SQLite writes a frame
		for _, p := range [][]byte{frame(byte(i), 24), frame(byte(i), 4096)} {
			if _, err := f.WriteAt(p, off); err != nil {
				t.Fatal(err)
			}
			off += int64(len(p))
		}
	}
	if _, err := f.WriteAt(frame(0xee, 24), 0); err != nil { // a rewrite inside the buffer
		t.Fatal(err)
	}
	if m.writes != 0 {
		t.Fatalf("%d writes reached the file before the sync", m.writes)
	}
	if err := f.Sync(0); err != nil {
		t.Fatal(err)
	}
	if m.writes != 1 || m.syncs != 1 || int64(len(m.data)) != off || m.data[0] != 0xee || m.data[24] != 0 {
		t.Fatalf("after sync: %d writes, %d syncs, %d bytes (want 1, 1, %d), first byte %x", m.writes, m.syncs, len(m.data), off, m.data[0])
	}

	// A write elsewhere (the WAL restarting at its header) writes the
	// buffer out first; reads and the size see buffered writes.
	if _, err := f.WriteAt(frame(1, 10), off); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(frame(2, 32), 0); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 32)
	if _, err := f.ReadAt(got, 0); err != nil || !bytes.Equal(got, frame(2, 32)) {
		t.Fatalf("read %x, %v", got, err)
	}
	if n, err := f.Size(); err != nil || n != off+10 {
		t.Fatalf("size %d, %v; want %d", n, err, off+10)
	}
	if _, err := f.WriteAt(frame(3, 8), off+10); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(off); err != nil || int64(len(m.data)) != off {
		t.Fatalf("truncate: %v, %d bytes", err, len(m.data))
	}

	// A failing write fails the sync that would have made it durable.
	if _, err := f.WriteAt(frame(4, 24), off); err != nil {
		t.Fatal(err)
	}
	m.fail = errors.New("disk full")
	syncs := m.syncs
	if err := f.Sync(0); err == nil || m.syncs != syncs {
		t.Fatalf("sync after a failed write: %v, %d syncs (want an error and no sync)", err, m.syncs-syncs)
	}
}

// TestWALBufferStore: through the store, every committed write is seen by
// readers at once and after reopening the file.
func TestWALBufferStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	st, err := Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	big := string(bytes.Repeat([]byte("x"), 20000)) // several pages per document
	for i := range 50 {
		id, err := st.Insert(ctx, "things", store.Doc{"n": i, "big": big})
		if err != nil {
			t.Fatal(err)
		}
		if d, err := st.Get(ctx, "things", id); err != nil || d["big"] != big {
			t.Fatalf("read after commit %d: %v", i, err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.Count(ctx, "things", nil); err != nil || n != 50 {
		t.Fatalf("after reopening: %d documents, %v", n, err)
	}
}
