//go:build !modernc

package sqlite

import (
	"sync"

	nsqlite "github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

// WAL writes, one system call per group commit. SQLite appends a commit's
// frames to the WAL with two writes each (the 24-byte frame header, then
// the page), then syncs the file: a group commit of a few checkouts
// changes a few hundred pages, so several hundred pwrite calls, which
// profiles showed as about a tenth of a checkout's CPU, all of it in the
// writer's turn. walBufVFS is the operating system's VFS with one change:
// a WAL file keeps contiguous writes in memory and hands them to the
// kernel in one write just before anything that must see them — the sync
// that makes a commit durable, a read, a size, a truncation or the close.
//
// Only the store's writer connection buffers: its DSN names it with a
// token (walBufParam), which openWriter gives only after checking that the
// connection runs synchronous=FULL; every other connection (readers, the
// checkpointer, other processes' tools) writes through unchanged.
//
// Durability is unchanged: nothing SQLite relies on is reordered. With
// synchronous=FULL (the writer's DSN) a commit's frames are synced
// before the WAL index that publishes them to readers is updated, and the
// sync writes the buffer first; a failed write fails the sync, so the
// commit fails as if the write itself had. Frames a transaction spills
// before its commit are read back only through this same file, whose
// reads write the buffer out first. Other connections read only published
// (so synced, so written) frames.
//
// A transaction that rolls back after spilling frames never syncs, so its
// frames would stay buffered after SQLite released the WAL: written out at
// this file's next write, read or close, they could overwrite frames
// another process committed meanwhile at the same offsets. The writer
// therefore drops the buffer after every ROLLBACK (dropWALBuffer).
const walBufVFSName = "tangram-walbuf"

// maxWALBuf bounds the memory one WAL file holds back: a larger
// transaction is written out in pieces of this size.
const maxWALBuf = 8 << 20

func init() { vfs.Register(walBufVFSName, walBufVFS{}) }

// walBufVFS opens files through the default VFS, wrapping WAL files.
type walBufVFS struct{}

func (walBufVFS) base() vfs.VFSFilename { return vfs.Find("").(vfs.VFSFilename) }

// Open opens a file by name (SQLite calls OpenFilename); such a file has
// no URI parameters, so it is never a buffered WAL.
func (v walBufVFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	return v.base().Open(name, flags)
}

// OpenFilename opens a file, wrapping it when it is the WAL of a writer
// connection that asked for buffering.
func (v walBufVFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	f, fl, err := v.base().OpenFilename(name, flags)
	return wrapWAL(name, f, flags, err), fl, err
}

// Delete deletes a file.
func (v walBufVFS) Delete(name string, syncDir bool) error { return v.base().Delete(name, syncDir) }

// Access tests a file.
func (v walBufVFS) Access(name string, flags vfs.AccessFlag) (bool, error) {
	return v.base().Access(name, flags)
}

// FullPathname resolves a path.
func (v walBufVFS) FullPathname(name string) (string, error) { return v.base().FullPathname(name) }

// walWriters are the buffered WAL files by their writer's token.
var walWriters sync.Map // string → *walFile

func wrapWAL(name *vfs.Filename, f vfs.File, flags vfs.OpenFlag, err error) vfs.File {
	if err != nil || f == nil || flags&vfs.OPEN_WAL == 0 || name == nil {
		return f
	}
	token := name.URIParameter(walBufParam)
	if token == "" {
		return f
	}
	w := &walFile{File: f, token: token}
	walWriters.Store(token, w)
	return w
}

// dropWALBuffer forgets the writes a writer's WAL file holds: called after
// a ROLLBACK, when they belong to no transaction any more.
func dropWALBuffer(token string) {
	if v, ok := walWriters.Load(token); ok {
		f := v.(*walFile)
		f.mu.Lock()
		f.buf = f.buf[:0]
		f.mu.Unlock()
	}
}

// walFile is a WAL file whose contiguous writes wait in buf (starting at
// offset off) until something must see them. One connection uses a file
// from one goroutine at a time; the mutex only makes that not matter.
type walFile struct {
	vfs.File
	token string
	mu    sync.Mutex
	buf   []byte
	off   int64
}

// WriteAt keeps p: appended to the buffer when it continues it, copied
// into it when it rewrites part of it (SQLite rewrites a frame a
// transaction changed again), else after writing the buffer out.
func (f *walFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	end := f.off + int64(len(f.buf))
	switch {
	case len(f.buf) > 0 && off >= f.off && off+int64(len(p)) <= end:
		copy(f.buf[off-f.off:], p)
		return len(p), nil
	case len(f.buf) > 0 && off == end && len(f.buf)+len(p) <= maxWALBuf:
		f.buf = append(f.buf, p...)
		return len(p), nil
	}
	if err := f.flushLocked(); err != nil {
		return 0, err
	}
	if len(p) > maxWALBuf {
		return f.File.WriteAt(p, off)
	}
	f.off = off
	f.buf = append(f.buf[:0], p...)
	return len(p), nil
}

// flushLocked writes the buffer out.
func (f *walFile) flushLocked() error {
	if len(f.buf) == 0 {
		return nil
	}
	_, err := f.File.WriteAt(f.buf, f.off)
	f.buf = f.buf[:0]
	if cap(f.buf) > maxWALBuf {
		f.buf = nil // one huge transaction does not pin its buffer
	}
	if err != nil {
		return vfs.SystemError(err, nsqlite.IOERR_WRITE)
	}
	return nil
}

func (f *walFile) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flushLocked()
}

// Sync writes the buffer out, then syncs.
func (f *walFile) Sync(flags vfs.SyncFlag) error {
	if err := f.flush(); err != nil {
		return err
	}
	return f.File.Sync(flags)
}

// ReadAt reads what was written, buffered writes included.
func (f *walFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.flush(); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

// Size is the file's size with the buffered writes.
func (f *walFile) Size() (int64, error) {
	if err := f.flush(); err != nil {
		return 0, err
	}
	return f.File.Size()
}

// Truncate truncates after writing the buffer out.
func (f *walFile) Truncate(size int64) error {
	if err := f.flush(); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

// Close writes the buffer out and closes the file.
func (f *walFile) Close() error {
	walWriters.CompareAndDelete(f.token, f)
	err := f.flush()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	return err
}

// Unwrap is the operating system's file (vfsutil.UnwrapFile).
func (f *walFile) Unwrap() vfs.File { return f.File }

// SizeHint passes the hint on.
func (f *walFile) SizeHint(size int64) error {
	if h, ok := f.File.(vfs.FileSizeHint); ok {
		return h.SizeHint(size)
	}
	return nil
}

// HasMoved passes the question on.
func (f *walFile) HasMoved() (bool, error) {
	if h, ok := f.File.(vfs.FileHasMoved); ok {
		return h.HasMoved()
	}
	return false, nil
}

// LockState passes the question on.
func (f *walFile) LockState() vfs.LockLevel {
	if h, ok := f.File.(vfs.FileLockState); ok {
		return h.LockState()
	}
	return vfs.LOCK_EXCLUSIVE + 1 // unknown
}

// PowersafeOverwrite passes the question on.
func (f *walFile) PowersafeOverwrite() bool {
	if h, ok := f.File.(vfs.FilePowersafeOverwrite); ok {
		return h.PowersafeOverwrite()
	}
	return false
}

// SetPowersafeOverwrite passes the setting on.
func (f *walFile) SetPowersafeOverwrite(psow bool) {
	if h, ok := f.File.(vfs.FilePowersafeOverwrite); ok {
		h.SetPowersafeOverwrite(psow)
	}
}
