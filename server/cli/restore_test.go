package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/files"
	"github.com/tangram/tangram/engine/store"
)

// smallBackup makes a data dir (smallDataDir) and returns its archive.
func smallBackup(t *testing.T) (archive string, blobID string) {
	t.Helper()
	dir, blobID := smallDataDir(t)
	archive = filepath.Join(t.TempDir(), "b.tar.gz")
	if _, err := BackupDataDir(t.Context(), dir, archive); err != nil {
		t.Fatal(err)
	}
	return archive, blobID
}

// smallDataDir makes a data dir with documents and one uploaded file, its
// store closed.
func smallDataDir(t *testing.T) (dir string, blobID string) {
	t.Helper()
	ctx := t.Context()
	dir = filepath.Join(t.TempDir(), "data")
	st := openDataDir(t, dir)
	docs := make([]store.Doc, 300)
	for i := range docs {
		docs[i] = store.Doc{"n": int64(i), "text": strings.Repeat("x", i%50)}
	}
	if _, err := st.InsertMany(ctx, "c", docs); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	blobs, err := files.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	blobID = store.NewID()
	if _, _, err := blobs.Put(ctx, blobID, bytes.NewReader(bytes.Repeat([]byte("blob"), 5000))); err != nil {
		t.Fatal(err)
	}
	return dir, blobID
}

// listing names everything under dir (relative paths), sorted.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		names = append(names, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// TestRestoreRefusesDamagedArchives: a truncated archive (cut anywhere,
// the gzip trailer included), a flipped byte, a member outside the data
// dir's layout, a changed member and a missing manifest are refused, and
// nothing is written next to or into the target.
func TestRestoreRefusesDamagedArchives(t *testing.T) {
	ctx := t.Context()
	archive, _ := smallBackup(t)
	good, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x20
	cases := map[string][]byte{
		"truncated in half":      good[:len(good)/2],
		"truncated trailer":      good[:len(good)-3],
		"flipped byte":           flipped,
		"empty file":             {},
		"not gzip":               []byte("tangram.db\n"),
		"path outside":           rebuild(t, good, func(h *tar.Header, b []byte) (*tar.Header, []byte) { return withName(h, "../evil"), b }),
		"member changed":         rebuild(t, good, changeDB),
		"no manifest":            rebuild(t, good, dropManifest),
		"trailing garbage":       append(rebuild(t, good, nil), 0),
		"member after manifest":  pack(t, append(members(t, good)[1:], members(t, good)[0])),
		"unknown member":         rebuild(t, good, func(h *tar.Header, b []byte) (*tar.Header, []byte) { return withName(h, "config.yaml"), b }),
		"symlink member":         rebuild(t, good, symlinkDB),
		"manifest not JSON":      rebuild(t, good, func(h *tar.Header, b []byte) (*tar.Header, []byte) { return manifestBody(h, b, []byte("{")) }),
		"manifest other backend": rebuild(t, good, func(h *tar.Header, b []byte) (*tar.Header, []byte) { return otherBackend(h, b) }),
		"damaged database":       damagedDB(t, good),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			in := filepath.Join(t.TempDir(), "in.tar.gz")
			if err := os.WriteFile(in, data, 0o600); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(parent, "data")
			_, err := RestoreDataDir(ctx, in, target, true)
			if err == nil || !strings.Contains(err.Error(), "nothing was restored") {
				t.Fatalf("restored a damaged archive: %v", err)
			}
			if got := listing(t, parent); !slices.Equal(got, []string{"."}) {
				t.Fatalf("written beside the target: %v", got)
			}
		})
	}
}

// entry is one member of an archive being rebuilt.
type entry struct {
	h *tar.Header
	b []byte
}

// rebuild rewrites the archive's members through edit, which may drop one
// (a nil header).
func rebuild(t *testing.T, archive []byte, edit func(*tar.Header, []byte) (*tar.Header, []byte)) []byte {
	t.Helper()
	var es []entry
	for _, e := range members(t, archive) {
		if edit != nil {
			if e.h, e.b = edit(e.h, e.b); e.h == nil {
				continue
			}
		}
		es = append(es, e)
	}
	return pack(t, es)
}

// members reads every member of an archive.
func members(t *testing.T, archive []byte) []entry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var es []entry
	for {
		h, err := tr.Next()
		if err != nil {
			return es
		}
		var body bytes.Buffer
		if _, err := body.ReadFrom(tr); err != nil {
			t.Fatal(err)
		}
		es = append(es, entry{h, body.Bytes()})
	}
}

// pack writes members as a .tar.gz.
func pack(t *testing.T, es []entry) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	for _, e := range es {
		e.h.Size = int64(len(e.b))
		if err := tw.WriteHeader(e.h); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(e.b)
	}
	_ = tw.Close()
	_ = zw.Close()
	return out.Bytes()
}

func withName(h *tar.Header, name string) *tar.Header {
	if strings.HasPrefix(h.Name, "files/") {
		h.Name = name
	}
	return h
}

func changeDB(h *tar.Header, b []byte) (*tar.Header, []byte) {
	if h.Name == dbMember {
		b = slices.Clone(b)
		b[len(b)-1] ^= 1
	}
	return h, b
}

func dropManifest(h *tar.Header, b []byte) (*tar.Header, []byte) {
	if h.Name == manifestMember {
		return nil, nil
	}
	return h, b
}

func symlinkDB(h *tar.Header, b []byte) (*tar.Header, []byte) {
	if strings.HasPrefix(h.Name, "files/") {
		return &tar.Header{Name: h.Name, Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd", Mode: 0o777}, nil
	}
	return h, b
}

func manifestBody(h *tar.Header, b, body []byte) (*tar.Header, []byte) {
	if h.Name == manifestMember {
		return h, body
	}
	return h, b
}

func otherBackend(h *tar.Header, b []byte) (*tar.Header, []byte) {
	return manifestBody(h, b, bytes.Replace(b, []byte(`"backend": "sqlite"`), []byte(`"backend": "mongo"`), 1))
}

// damagedDB garbles pages of the archive's database and writes a manifest
// that matches: the checksums pass, SQLite's check does not.
func damagedDB(t *testing.T, archive []byte) []byte {
	t.Helper()
	es := members(t, archive)
	var m Manifest
	for i, e := range es {
		switch e.h.Name {
		case dbMember:
			b := slices.Clone(e.b)
			for j := len(b) / 3; j < len(b)/3+4096; j++ {
				b[j] = 0xA5
			}
			es[i].b = b
		case manifestMember:
			if err := json.Unmarshal(e.b, &m); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range m.Members {
		for _, e := range es {
			if e.h.Name == m.Members[i].Name {
				sum := sha256.Sum256(e.b)
				m.Members[i].SHA256 = hex.EncodeToString(sum[:])
			}
		}
	}
	body, _ := json.Marshal(m)
	es[len(es)-1].b = body
	return pack(t, es)
}

// TestRestoreTargets: a non-empty data dir is refused without -force and
// left as it was; with -force it is moved aside whole and the archive
// restored; an empty one is used as is; a data dir whose database a
// server has open is refused with the advice to stop it.
func TestRestoreTargets(t *testing.T) {
	ctx := t.Context()
	archive, blobID := smallBackup(t)
	parent := t.TempDir()
	target := filepath.Join(parent, "data")
	if err := os.MkdirAll(target, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "mine.txt"), []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := RestoreDataDir(ctx, archive, target, false)
	if err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("non-empty dir without -force: %v", err)
	}
	if got := listing(t, parent); !slices.Equal(got, []string{".", "data", "data/mine.txt"}) {
		t.Fatalf("after the refusal: %v", got)
	}

	res, err := RestoreDataDir(ctx, archive, target, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.MovedAside, target+".before-restore-") {
		t.Fatalf("moved aside to %q", res.MovedAside)
	}
	if b, err := os.ReadFile(filepath.Join(res.MovedAside, "mine.txt")); err != nil || string(b) != "keep me" {
		t.Fatalf("the old dir's file: %q, %v", b, err)
	}
	want := []string{".", "files", "files/" + blobID[:2], "files/" + blobID[:2] + "/" + blobID, dbMember}
	if got := listing(t, target); !slices.Equal(got, want) {
		t.Fatalf("restored dir: %v, want %v", got, want)
	}

	// The restored store opens; while it is open, a restore is refused.
	st := openDataDir(t, target)
	if n, err := st.Count(ctx, "c", nil); err != nil || n != 300 {
		t.Fatalf("restored documents: %d, %v", n, err)
	}
	_, err = RestoreDataDir(ctx, archive, target, true)
	if err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("restore over an open store: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 2 {
		t.Fatalf("after the refused restore the parent holds %d entries, want the data dir and the one moved aside", len(entries))
	}

	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o750); err != nil {
		t.Fatal(err)
	}
	res, err = RestoreDataDir(ctx, archive, empty, false)
	if err != nil || res.MovedAside != "" {
		t.Fatalf("restore into an empty dir: %+v, %v", res, err)
	}
}

// TestRestoreIntoMountPoint: when the data dir's entries cannot be renamed
// out of it (a mount point, such as the Docker image's /data volume), the
// copy is unpacked inside it and swapped entry by entry; with -force the
// old entries go to DIR/.before-restore-<time>.
func TestRestoreIntoMountPoint(t *testing.T) {
	ctx := t.Context()
	archive, blobID := smallBackup(t)
	parent := t.TempDir()
	if !renamesOut(parent) {
		t.Fatal("a plain directory's entries cannot be renamed out")
	}
	if got := listing(t, filepath.Dir(parent)); slices.ContainsFunc(got, func(n string) bool { return strings.Contains(n, "restore-probe") }) {
		t.Fatalf("probe left behind: %v", got)
	}
	defer func(f func(string) bool) { renamesOut = f }(renamesOut)
	renamesOut = func(string) bool { return false }

	target := filepath.Join(parent, "data")
	if err := os.MkdirAll(filepath.Join(target, "files", "zz"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, dbMember), []byte("old database"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := RestoreDataDir(ctx, archive, target, true)
	if err != nil {
		t.Fatal(err)
	}
	aside := filepath.Base(res.MovedAside)
	if filepath.Dir(res.MovedAside) != target || !strings.HasPrefix(aside, ".before-restore-") {
		t.Fatalf("moved aside to %q", res.MovedAside)
	}
	want := []string{".", aside, aside + "/files", aside + "/files/zz", aside + "/" + dbMember,
		"files", "files/" + blobID[:2], "files/" + blobID[:2] + "/" + blobID, dbMember}
	slices.Sort(want)
	if got := listing(t, target); !slices.Equal(got, want) {
		t.Fatalf("after an in-place restore: %v, want %v", got, want)
	}
	if got := listing(t, parent); len(got) != len(want)+1 {
		t.Fatalf("written beside the data dir: %v", got)
	}
	st := openDataDir(t, target)
	defer st.Close()
	if n, err := st.Count(ctx, "c", nil); err != nil || n != 300 {
		t.Fatalf("restored documents: %d, %v", n, err)
	}
}

// TestBackupRestoreCommands: the subcommands back up with -data and
// restore into TANGRAM_DATA_DIR; their own refusals.
func TestBackupRestoreCommands(t *testing.T) {
	t.Setenv("TANGRAM_MONGO_URI", "")
	t.Setenv("TANGRAM_DATA_DIR", "")
	for _, c := range []struct {
		run  func([]string) error
		args []string
		want string
	}{
		{Backup, []string{"-mongo", "mongodb://db:27017/tangram", "-out", "x.tar.gz"}, "mongodump"},
		{Restore, []string{"-mongo", "mongodb://db:27017/tangram", "-in", "x.tar.gz"}, "mongorestore"},
		{Backup, []string{"-mongo", "lungo:///tmp/demo.lungo", "-out", "x.tar.gz"}, "copy its file"},
		{Backup, []string{"-data", t.TempDir()}, "-out"},
		{Backup, []string{"-data", t.TempDir(), "-out", filepath.Join(t.TempDir(), "b.tar.gz")}, "no Tangram database"},
		{Restore, []string{"-data", t.TempDir()}, "-in"},
		{Restore, []string{"-in", "x.tar.gz", "extra"}, "unexpected argument"},
	} {
		err := c.run(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error saying %q", c.args, err, c.want)
		}
	}

	dir, blobID := smallDataDir(t)
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	if err := Backup([]string{"-data", dir, "-out", out}); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	t.Setenv("TANGRAM_DATA_DIR", target)
	if err := Restore([]string{"-in", out}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dbMember, filepath.Join("files", blobID[:2], blobID)} {
		if _, err := os.Stat(filepath.Join(target, p)); err != nil {
			t.Errorf("restored %s: %v", p, err)
		}
	}
	if err := Restore([]string{"-in", out}); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("second restore into the same dir: %v", err)
	}
}
