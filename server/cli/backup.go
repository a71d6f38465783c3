package cli

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/store/sqlite"
)

// A backup archive is a .tar.gz holding the database snapshot
// (dbMember), the uploaded files under files/ exactly as the data dir
// keeps them, and last a manifest (manifestMember) with the SHA-256 of
// every other member. The manifest comes last because the checksums are
// known only once the members are written; restore reads the whole
// archive before it trusts any of it, so a truncated archive (no manifest,
// or a cut gzip stream) is refused.
const (
	backupFormat   = 1
	dbMember       = "tangram.db"
	filesMember    = "files"
	manifestMember = "manifest.json"
	// maxManifest bounds the manifest restore reads into memory (about
	// 150 bytes per file: room for millions of files).
	maxManifest = 512 << 20
)

// blobMemberRe is the only shape of a file member: files/<2>/<id>, the
// layout of engine/files.Dir (ids as store.NewID makes them). Restore
// refuses anything else, so an archive can never write outside the
// data dir.
var blobMemberRe = regexp.MustCompile(`^files/([A-Za-z0-9_-]{2})/([A-Za-z0-9_-]{8,64})$`)

// errMongoBackup is what backup and restore say for a MongoDB deployment.
var errMongoBackup = errors.New("tangram backup/restore cover the embedded store (a data dir); " +
	"for MongoDB use its own tools, which also cover the uploaded files (GridFS, in the same database): " +
	"mongodump --uri URI --archive=FILE --gzip (add --oplog, on a dump of the whole replica set, for a point-in-time copy while the server runs), " +
	"and with the server stopped mongorestore --uri URI --archive=FILE --gzip --drop (--oplogReplay for an --oplog dump)")

// Manifest describes a backup archive.
type Manifest struct {
	Format         int       `json:"format"`
	TangramVersion string    `json:"tangramVersion"`
	Backend        string    `json:"backend"`
	CreatedAt      time.Time `json:"createdAt"`
	Members        []Member  `json:"members"`
}

// Member is one file of a backup archive.
type Member struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Backup runs `tangram backup`: a consistent copy of a data dir, taken
// while the server keeps running, in one .tar.gz.
func Backup(args []string) error {
	var out string
	dataDir, err := parseArchiveFlags("backup", "tangram backup [-data DIR] -out FILE", args, &out, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the archive to write (.tar.gz); it must not exist")
	})
	if err != nil {
		return err
	}
	m, err := BackupDataDir(context.Background(), dataDir, out)
	if err != nil {
		return err
	}
	var total int64
	for _, mb := range m.Members {
		total += mb.Size
	}
	fmt.Printf("wrote %s: the database and %d uploaded files, %d bytes before compression\n", out, len(m.Members)-1, total)
	return nil
}

// parseArchiveFlags parses the flags backup and restore share (-data,
// -mongo) and those bind declares; file is the archive flag's value, which
// must be given. A MongoDB URI is refused with what to use instead.
func parseArchiveFlags(name, usage string, args []string, file *string, bind func(*flag.FlagSet)) (dataDir string, err error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&dataDir, "data", env("TANGRAM_DATA_DIR", "./data"), "data directory of the embedded store (TANGRAM_DATA_DIR)")
	mongoURI := fs.String("mongo", env("TANGRAM_MONGO_URI", ""), "MongoDB URI (TANGRAM_MONGO_URI): refused, see the message")
	bind(fs)
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected argument %q; usage: %s", fs.Arg(0), usage)
	}
	if strings.HasPrefix(*mongoURI, "lungo:") {
		return "", errors.New("the lungo store is for tests and demos: stop the server and copy its file (lungo:///path names it); tangram backup/restore cover the embedded store")
	}
	if *mongoURI != "" {
		return "", errMongoBackup
	}
	if *file == "" {
		return "", fmt.Errorf("give the archive; usage: %s", usage)
	}
	return dataDir, nil
}

// BackupDataDir writes the archive of dataDir to out, which must not
// exist. The database is copied first, as one snapshot (sqlite.BackupFile),
// then the uploaded files: a file's bytes are stored before its metadata
// is inserted and are never changed or removed once it is, so every file
// the snapshot knows is on disk when the files are copied (files uploaded
// since are copied too and are harmless strays). The archive is written
// under a temporary name and renamed into place once complete and synced,
// so out never names a partial archive.
func BackupDataDir(ctx context.Context, dataDir, out string) (*Manifest, error) {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	dbPath := filepath.Join(dir, dbMember)
	if _, err := os.Stat(dbPath); err != nil {
		return nil, fmt.Errorf("no Tangram database at %s (is -data the server's data dir?): %w", dbPath, err)
	}
	if _, err := os.Stat(out); err == nil {
		return nil, fmt.Errorf("%s already exists; choose a new file name", out)
	}
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.partial")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	// The snapshot goes next to the archive: that is where the operator
	// made room, and /tmp may be a small memory file system.
	snapDir, err := os.MkdirTemp(filepath.Dir(out), ".tangram-backup-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(snapDir)
	snap := filepath.Join(snapDir, dbMember)
	if err := sqlite.BackupFile(ctx, dbPath, snap); err != nil {
		return nil, err
	}
	m := &Manifest{Format: backupFormat, TangramVersion: Version, Backend: "sqlite", CreatedAt: time.Now().UTC()}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	add := func(name, path string) error {
		mb, err := addMember(tw, name, path)
		if err != nil {
			return fmt.Errorf("backup: %s: %w", name, err)
		}
		m.Members = append(m.Members, mb)
		return ctx.Err()
	}
	if err := add(dbMember, snap); err != nil {
		return nil, err
	}
	err = filepath.WalkDir(filepath.Join(dir, filesMember), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == filepath.Join(dir, filesMember) {
			return fs.SkipDir // no upload yet
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		// Anything else (an upload's temporary file, named ".<id>.*.tmp")
		// is not a stored file.
		if !blobMemberRe.MatchString(name) {
			return nil
		}
		// A file removed since the listing is one whose metadata insert
		// failed (files.Service deletes nothing else): no record has it.
		if err := add(name, path); !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	hdr := &tar.Header{Name: manifestMember, Mode: 0o640, Size: int64(len(body)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := tw.Write(body); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := closeAll(tw, gz); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	done = true
	return m, nil
}

// addMember copies the file at path into tw as name and returns its size
// and checksum. Exactly the size seen when it was opened is copied, so a
// file growing meanwhile cannot make the tar entry inconsistent.
func addMember(tw *tar.Writer, name, path string) (Member, error) {
	f, err := os.Open(path)
	if err != nil {
		return Member{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Member{}, err
	}
	hdr := &tar.Header{Name: name, Mode: 0o640, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return Member{}, err
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(tw, h), f, st.Size()); err != nil {
		return Member{}, err
	}
	return Member{Name: name, Size: st.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// closeAll closes each closer in order and returns the first error.
func closeAll(cs ...io.Closer) error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// validMember reports whether name may appear in an archive (besides the
// manifest).
func validMember(name string) bool {
	return name == dbMember || blobMemberRe.MatchString(name) && !strings.Contains(name, "..")
}
