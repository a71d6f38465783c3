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
	"os"
	"path/filepath"
	"time"

	"github.com/tangram/tangram/engine/store/sqlite"
)

// RestoreResult is what RestoreDataDir did.
type RestoreResult struct {
	Manifest *Manifest
	// MovedAside is where the previous data dir went (-force), or "".
	MovedAside string
}

// Restore runs `tangram restore`: it checks a backup archive completely,
// then puts it in place as the data dir, with the server stopped.
func Restore(args []string) error {
	var in string
	var force bool
	dataDir, err := parseArchiveFlags("restore", "tangram restore -in FILE [-data DIR] [-force]", args, &in, func(fs *flag.FlagSet) {
		fs.StringVar(&in, "in", "", "the backup archive (.tar.gz) made by tangram backup")
		fs.BoolVar(&force, "force", false, "restore over a data dir that is not empty, moving it aside to DIR.before-restore-<time>")
	})
	if err != nil {
		return err
	}
	res, err := RestoreDataDir(context.Background(), in, dataDir, force)
	if err != nil {
		return err
	}
	m := res.Manifest
	fmt.Printf("restored %s into %s: the database and %d uploaded files (backup of %s, tangram %s)\n",
		in, dataDir, len(m.Members)-1, m.CreatedAt.Format(time.RFC3339), m.TangramVersion)
	if res.MovedAside != "" {
		fmt.Printf("the previous data dir is kept at %s; remove it once the restored server is checked\n", res.MovedAside)
	}
	return nil
}

// RestoreDataDir restores the archive in into dataDir. In order: a
// non-empty dataDir is refused without force, and one a server has open is
// refused always; the whole archive is read and checked against its
// manifest (nothing is written before it passes); it is then unpacked into
// a new directory beside dataDir, checked again as it is written, and only
// then swapped in by renames, the previous dataDir (with force) moved to
// dataDir.before-restore-<UTC time> (to dataDir/.before-restore-<UTC time>
// when dataDir is a mount point). The unpacked database must pass
// SQLite's quick_check before the swap. Any failure before the swap removes
// the unpacked copy and leaves dataDir as it was.
func RestoreDataDir(ctx context.Context, in, dataDir string, force bool) (*RestoreResult, error) {
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, err
	}
	exists, nonEmpty, err := dirState(dir)
	if err != nil {
		return nil, err
	}
	if nonEmpty && !force {
		return nil, fmt.Errorf("%s is not empty; restore into a new or empty directory, or give -force to move the current one aside to %s.before-restore-<time>", dir, dir)
	}
	if err := checkStopped(ctx, dir); err != nil {
		return nil, err
	}
	if _, err := readArchive(ctx, in, ""); err != nil {
		return nil, err
	}
	// A data dir that is a mount point (a Docker volume, a disk of its
	// own) cannot be renamed, nor can anything be renamed into it from its
	// parent: then the copy is unpacked inside it and swapped entry by
	// entry (swapInPlace).
	inPlace := exists && !renamesOut(dir)
	parent := filepath.Dir(dir)
	stageIn, stagePrefix := parent, "."+filepath.Base(dir)+".restore-*"
	if inPlace {
		stageIn, stagePrefix = dir, ".restore-*"
	} else if err := os.MkdirAll(parent, 0o750); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	stage, err := os.MkdirTemp(stageIn, stagePrefix)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	swapped := false
	defer func() {
		if !swapped {
			_ = os.RemoveAll(stage)
		}
	}()
	if err := os.Chmod(stage, 0o750); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	// Read again while writing: the archive could have changed since the
	// check, and what is written is exactly what is checked.
	m, err := readArchive(ctx, in, stage)
	if err != nil {
		return nil, err
	}
	// The checksums prove the copy is the one backed up; quick_check that
	// the database in it is whole (a backup of an already damaged file).
	if err := sqlite.QuickCheck(ctx, filepath.Join(stage, dbMember)); err != nil {
		return nil, fmt.Errorf("restore: the database in %s does not pass SQLite's check: %w; nothing was restored", in, err)
	}
	// A server started meanwhile would lose its database under it.
	if err := checkStopped(ctx, dir); err != nil {
		return nil, err
	}
	res := &RestoreResult{Manifest: m}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	if inPlace {
		aside := ""
		if nonEmpty {
			aside = filepath.Join(dir, ".before-restore-"+stamp)
		}
		if err := swapInPlace(dir, stage, aside); err != nil {
			return nil, err
		}
		swapped = true
		res.MovedAside = aside
		syncDir(dir)
		return res, nil
	}
	if exists {
		if nonEmpty {
			res.MovedAside = dir + ".before-restore-" + stamp
			if err := os.Rename(dir, res.MovedAside); err != nil {
				return nil, fmt.Errorf("restore: move the current data dir aside: %w", err)
			}
		} else if err := os.Remove(dir); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(stage, dir); err != nil {
		if res.MovedAside != "" {
			_ = os.Rename(res.MovedAside, dir)
		}
		return nil, fmt.Errorf("restore: %w", err)
	}
	swapped = true
	syncDir(parent)
	return res, nil
}

// renamesOut reports whether an entry of dir can be renamed into dir's
// parent, which is what the swap by renames needs; it cannot when dir is a
// mount point. A variable, so tests can take the in-place path.
var renamesOut = func(dir string) bool {
	f, err := os.CreateTemp(dir, ".restore-probe-*")
	if err != nil {
		return false
	}
	_ = f.Close()
	out := filepath.Join(filepath.Dir(dir), filepath.Base(f.Name()))
	if err := os.Rename(f.Name(), out); err != nil {
		_ = os.Remove(f.Name())
		return false
	}
	_ = os.Remove(out)
	return true
}

// swapInPlace replaces the entries of dir with those of stage, a
// directory inside it. With aside set (a new directory inside dir) the old
// entries are moved there first. Each move is a rename within one file
// system, so nothing is copied; a failed move puts back what was moved, so
// dir is either restored or as it was.
func swapInPlace(dir, stage, aside string) error {
	var undo []func()
	move := func(from, to string) error {
		if err := os.Rename(from, to); err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
			return fmt.Errorf("restore: %w; the data dir is as it was", err)
		}
		undo = append(undo, func() { _ = os.Rename(to, from) })
		return nil
	}
	if aside != "" {
		old, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if err := os.Mkdir(aside, 0o750); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		undo = append(undo, func() { _ = os.Remove(aside) })
		for _, e := range old {
			if filepath.Join(dir, e.Name()) == stage {
				continue
			}
			if err := move(filepath.Join(dir, e.Name()), filepath.Join(aside, e.Name())); err != nil {
				return err
			}
		}
	}
	restored, err := os.ReadDir(stage)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, e := range restored {
		if err := move(filepath.Join(stage, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	_ = os.Remove(stage) // empty now; a stray empty directory is harmless
	return nil
}

// dirState reports whether dir exists and whether it holds anything.
func dirState(dir string) (exists, nonEmpty bool, err error) {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, false, fmt.Errorf("restore: %w", err)
	}
	if !st.IsDir() {
		return false, false, fmt.Errorf("restore: %s is not a directory", dir)
	}
	names, err := f.Readdirnames(1)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, false, fmt.Errorf("restore: %w", err)
	}
	return true, len(names) > 0, nil
}

// checkStopped refuses a data dir whose database another process has open.
// Any other failure of the check (the old file is damaged, which may be why
// it is being restored) does not stop the restore: only a lock held by
// someone else shows a running server.
func checkStopped(ctx context.Context, dir string) error {
	if err := sqlite.CheckUnused(ctx, filepath.Join(dir, dbMember)); errors.Is(err, sqlite.ErrInUse) {
		return fmt.Errorf("the database in %s is open in another process, most likely a running Tangram server: "+
			"stop it first (for example `systemctl stop tangram` or `docker compose stop tangram`), run the restore, then start it again", dir)
	}
	return nil
}

// readArchive reads the backup archive at path to its end and checks it:
// only expected members, each once, the manifest last, a format and
// backend this version restores, and every member's size and SHA-256 as
// the manifest says. With dest set it also writes the members under dest
// (synced); the caller discards dest when an error is returned.
func readArchive(ctx context.Context, path, dest string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("restore: %s is not a usable Tangram backup: %s; nothing was restored", path, fmt.Sprintf(format, a...))
	}
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, bad("not a gzip file (%v)", err)
	}
	tr := tar.NewReader(gz)
	seen := map[string]Member{}
	var m *Manifest
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bad("the archive is truncated or damaged (%v)", err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if m != nil {
			return nil, bad("member %q after the manifest", hdr.Name)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, bad("member %q is not a regular file", hdr.Name)
		}
		if hdr.Name == manifestMember {
			if m, err = readManifest(tr); err != nil {
				return nil, bad("%v", err)
			}
			continue
		}
		if !validMember(hdr.Name) {
			return nil, bad("unexpected member %q", hdr.Name)
		}
		if _, dup := seen[hdr.Name]; dup {
			return nil, bad("member %q appears twice", hdr.Name)
		}
		mb, err := copyMember(tr, hdr.Name, dest)
		if err != nil {
			return nil, bad("member %q: %v", hdr.Name, err)
		}
		seen[hdr.Name] = mb
	}
	// The tar end marker can come before the end of the gzip stream; its
	// trailer (CRC-32 and length) is checked only when read.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return nil, bad("the archive is truncated or damaged (%v)", err)
	}
	if m == nil {
		return nil, bad("no manifest: the archive is truncated or was not made by tangram backup")
	}
	if m.Format != backupFormat {
		return nil, bad("archive format %d (made by tangram %s); this tangram (%s) restores format %d", m.Format, m.TangramVersion, Version, backupFormat)
	}
	if m.Backend != "sqlite" {
		return nil, bad("a backup of the %q store; tangram restore restores the embedded store", m.Backend)
	}
	if len(m.Members) != len(seen) {
		return nil, bad("the manifest lists %d members, the archive holds %d", len(m.Members), len(seen))
	}
	for _, want := range m.Members {
		got, ok := seen[want.Name]
		if !ok {
			return nil, bad("member %q is missing", want.Name)
		}
		if got != want {
			return nil, bad("member %q does not match its checksum (size %d, sha256 %s; manifest: size %d, sha256 %s)",
				want.Name, got.Size, got.SHA256, want.Size, want.SHA256)
		}
	}
	if _, ok := seen[dbMember]; !ok {
		return nil, bad("no database in the archive")
	}
	return m, nil
}

// readManifest decodes the manifest member, bounded in size.
func readManifest(r io.Reader) (*Manifest, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("the manifest is truncated (%v)", err)
	}
	if len(body) > maxManifest {
		return nil, errors.New("the manifest is too large")
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("the manifest is not valid JSON (%v)", err)
	}
	return &m, nil
}

// copyMember hashes one member and, with dest set, writes it to
// dest/name and syncs it.
func copyMember(r io.Reader, name, dest string) (Member, error) {
	h := sha256.New()
	var w io.Writer = h
	var f *os.File
	if dest != "" {
		path := filepath.Join(dest, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return Member{}, err
		}
		var err error
		if f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640); err != nil {
			return Member{}, err
		}
		defer f.Close()
		w = io.MultiWriter(f, h)
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return Member{}, err
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return Member{}, err
		}
	}
	return Member{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// syncDir makes renames in dir durable where the OS supports it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
