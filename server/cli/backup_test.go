package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/files"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
	"github.com/tangram/tangram/server/api"
)

// backupFixture is a data dir laid out as `tangram serve` lays it out
// (tangram.db and files/), with the CRM template, its demo members and
// their ledger entries, and one uploaded attachment in a record.
type backupFixture struct {
	dir    string
	st     store.Store
	svc    *api.Services
	ledger *ledger.Ledger
	file   files.Ref
	pdf    []byte
	visit  string // id of the record holding the file
}

var visitsSpec = `{"title": "巡店", "fields": [
  {"key": "name", "type": "text", "label": "名称"},
  {"key": "contract", "type": "attachment", "label": "合同"}]}`

func newBackupFixture(t *testing.T) *backupFixture {
	t.Helper()
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data")
	st := openDataDir(t, dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, svc, err := api.Wire(ctx, st, api.WireOptions{Log: log, DataDir: dir, SLAEvery: -1,
		Auth: auth.Config{Hash: auth.HashParams{Time: 1, Memory: 8 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		svc.Close()
		_ = st.Close()
	})
	if err := installAtStart(ctx, st, svc, "crm-retail", 25, log); err != nil {
		t.Fatal(err)
	}
	fx := &backupFixture{dir: dir, st: st, svc: svc, ledger: ledger.New(st, ledger.Options{})}
	if _, err := svc.Meta.Create(ctx, meta.Definition{Kind: meta.KindForm, App: "crm", Key: "visits", Spec: json.RawMessage(visitsSpec)}, "system"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Meta.Publish(ctx, "crm", meta.KindForm, "visits", 0, 0, "system"); err != nil {
		t.Fatal(err)
	}
	fx.pdf = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("合同 contract\n"), 3000)...)
	sys := auth.System().Principal
	fx.file, err = svc.Files.Upload(ctx, sys, files.Upload{App: "crm", Form: "visits", Field: "contract", Name: "合同.pdf",
		Size: int64(len(fx.pdf)), Body: bytes.NewReader(fx.pdf)})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := svc.Records.Create(ctx, sys, "crm", "visits", map[string]any{"name": "first visit", "contract": []any{fileRef(fx.file)}}, form.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fx.visit = doc[form.SysID].(string)
	return fx
}

// openDataDir opens the store of a data dir as `tangram serve` does.
func openDataDir(t *testing.T, dir string) store.Store {
	t.Helper()
	uri, err := Config{DataDir: dir}.StoreURI()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), uri, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func fileRef(r files.Ref) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "size": r.Size, "contentType": r.ContentType, "sha256": r.SHA256}
}

// write adds one visit record and one probe ledger credit; the writers of
// TestBackupRestoreWhileWriting run it concurrently with the backup.
func (fx *backupFixture) write(ctx context.Context, w, i int) error {
	if _, err := fx.svc.Records.Create(ctx, auth.System().Principal, "crm", "visits", map[string]any{"name": fmt.Sprintf("visit %d-%d", w, i)}, form.WriteOptions{}); err != nil {
		return err
	}
	_, err := fx.ledger.PostTx(ctx, ledger.Posting{App: "crm", Owner: "probe", Kind: "points", Unit: ledger.UnitPoint,
		Amount: int64(i%7 + 1), Key: fmt.Sprintf("probe-%d-%d", w, i), Type: "earn", By: "system"})
	return err
}

// TestBackupRestoreWhileWriting: a backup taken while records and ledger
// entries are written restores into a new data dir that opens with the
// same members, ledger accounts and balances, the same record and the
// same attachment bytes; the writes running during the backup are in it
// as a consistent prefix (the probe account's balance is the sum of its
// entries there).
func TestBackupRestoreWhileWriting(t *testing.T) {
	ctx := t.Context()
	fx := newBackupFixture(t)
	members := form.RecordsCollection("crm", "members")
	fixed := []string{members, ledger.CollAccounts, ledger.CollLots, form.FilesCollection}
	if err := fx.write(ctx, 9, 0); err != nil { // opens the probe account
		t.Fatal(err)
	}
	before := map[string]int64{}
	for _, c := range fixed {
		before[c] = count(t, fx.st, c)
	}
	if before[members] != 25 || before[ledger.CollAccounts] == 0 || before[form.FilesCollection] != 1 {
		t.Fatalf("fixture: %v", before)
	}
	entriesBefore := count(t, fx.st, ledger.CollEntries)
	accounts, err := fx.st.Find(ctx, ledger.CollAccounts, store.Query{})
	if err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var wrote atomic.Int64
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if err := fx.write(ctx, w, i); err != nil {
					t.Error(err)
					return
				}
				wrote.Add(1)
			}
		})
	}
	for wrote.Load() < 10 {
		_, _ = fx.st.Count(ctx, ledger.CollEntries, nil)
	}
	archive := filepath.Join(t.TempDir(), "backup.tar.gz")
	m, err := BackupDataDir(ctx, fx.dir, archive)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != backupFormat || m.Backend != "sqlite" || m.Members[0].Name != dbMember || len(m.Members) != 2 || m.Members[1].SHA256 != fx.file.SHA256 {
		t.Fatalf("manifest: %+v", m)
	}
	if _, err := BackupDataDir(ctx, fx.dir, archive); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a backup over an existing archive: %v", err)
	}

	target := filepath.Join(t.TempDir(), "restored")
	res, err := RestoreDataDir(ctx, archive, target, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.MovedAside != "" {
		t.Fatalf("moved aside %q for a new dir", res.MovedAside)
	}
	rst := openDataDir(t, target)
	defer rst.Close()
	for _, c := range fixed {
		if n := count(t, rst, c); n != before[c] {
			t.Errorf("%s: %d documents restored, %d backed up", c, n, before[c])
		}
	}
	visits := count(t, rst, form.RecordsCollection("crm", "visits"))
	total := count(t, fx.st, form.RecordsCollection("crm", "visits"))
	if visits < 1+10/2 || visits > total {
		t.Errorf("visits restored: %d, want between 6 and %d", visits, total)
	}
	entries := count(t, rst, ledger.CollEntries)
	if entries <= entriesBefore || entries > count(t, fx.st, ledger.CollEntries) {
		t.Errorf("ledger entries restored: %d (before the writes %d)", entries, entriesBefore)
	}

	// Balances: the fixture's accounts as they were, the probe account
	// equal to the sum of the entries the snapshot holds.
	rl := ledger.New(rst, ledger.Options{})
	for _, a := range accounts {
		owner, kind := a["owner"].(string), a["kind"].(string)
		if owner == "probe" {
			continue
		}
		want, _ := fx.ledger.Balance(ctx, "crm", owner, kind)
		got, err := rl.Balance(ctx, "crm", owner, kind)
		if err != nil || got != want {
			t.Fatalf("balance %s/%s: restored %d (%v), want %d", owner, kind, got, err, want)
		}
	}
	probe, err := rl.Balance(ctx, "crm", "probe", "points")
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for cursor := ""; ; {
		page, err := rl.Entries(ctx, "crm", ledger.EntryFilter{Owner: "probe", Kind: "points"}, 200, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			sum += e.Amount
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if probe == 0 || probe != sum {
		t.Fatalf("probe account: balance %d, entries sum to %d", probe, sum)
	}

	// The record and its attachment.
	want, err := fx.st.Get(ctx, form.RecordsCollection("crm", "visits"), fx.visit)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rst.Get(ctx, form.RecordsCollection("crm", "visits"), fx.visit)
	if err != nil || jsonText(got) != jsonText(want) {
		t.Fatalf("record restored as %s (%v), want %s", jsonText(got), err, jsonText(want))
	}
	blobs, err := files.NewDir(target)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := blobs.Open(ctx, fx.file.ID)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	_ = rc.Close()
	if !bytes.Equal(data, fx.pdf) {
		t.Fatalf("attachment restored with %d bytes, want %d", len(data), len(fx.pdf))
	}
}

func count(t *testing.T, st store.Store, coll string) int64 {
	t.Helper()
	n, err := st.Count(context.Background(), coll, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
