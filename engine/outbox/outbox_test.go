package outbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/outbox"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/mongo"
	_ "github.com/tangram/tangram/engine/store/sqlite"
)

// stores are the embedded store and the Mongo adapter over lungo.
func stores(t *testing.T) map[string]store.Store {
	ctx := context.Background()
	out := map[string]store.Store{}
	for name, uri := range map[string]string{
		"sqlite": "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "o.db")),
		"lungo":  "lungo://memory",
	} {
		st, err := store.Open(ctx, uri, store.Options{})
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if err := outbox.Init(ctx, st); err != nil {
			t.Fatalf("init %s: %v", name, err)
		}
		out[name] = st
	}
	return out
}

func TestEventsCommitWithTheirTransaction(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			at := time.Date(2026, 11, 23, 6, 30, 0, 0, time.UTC)
			var id string
			err := st.Tx(ctx, func(tx store.Ops) error {
				if _, err := tx.Insert(ctx, "things", store.Doc{"_id": "t1", "n": 1}); err != nil {
					return err
				}
				var err error
				id, err = outbox.Write(ctx, tx, outbox.Event{Type: "workflow.transition", App: "crm", Form: "upgrades",
					Record: "t1", Actor: "u1", At: at, Data: map[string]any{"from": "draft", "to": "review", "points": 1200}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			doc, err := st.Get(ctx, outbox.Collection, id)
			if err != nil {
				t.Fatal(err)
			}
			if doc["status"] != outbox.StatusPending || doc["availableAt"] != query.FormatTime(at) {
				t.Errorf("stored event %v: want pending and available at its time", doc)
			}
			if n, _ := query.ToInt(doc["attempts"]); n != 0 {
				t.Errorf("attempts %v, want 0", doc["attempts"])
			}
			e, err := outbox.Decode(doc)
			if err != nil {
				t.Fatal(err)
			}
			if e.Type != "workflow.transition" || e.Record != "t1" || !e.At.Equal(at) || e.Data["to"] != "review" {
				t.Errorf("decoded %+v", e)
			}
			if n, _ := query.ToInt(e.Data["points"]); n != 1200 {
				t.Errorf("points came back as %v (%T), want the integer 1200", e.Data["points"], e.Data["points"])
			}

			// A transaction that fails leaves neither its change nor its event.
			boom := errors.New("boom")
			err = st.Tx(ctx, func(tx store.Ops) error {
				if _, err := outbox.Write(ctx, tx, outbox.Event{ID: "gone", Type: "record.created", App: "crm"}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v", err)
			}
			if _, err := st.Get(ctx, outbox.Collection, "gone"); !errs.HasCode(err, store.ErrNotFound.Code) {
				t.Errorf("the rolled back event is stored: %v", err)
			}
			pending, err := st.Count(ctx, outbox.Collection, query.Eq(outbox.Fields()["status"], query.Str(outbox.StatusPending)))
			if err != nil || pending != 1 {
				t.Errorf("pending events %d (%v), want 1", pending, err)
			}
		})
	}
}

func TestInvalidEventsAreRefused(t *testing.T) {
	ctx := context.Background()
	st := stores(t)["sqlite"]
	for name, e := range map[string]outbox.Event{
		"no type":   {App: "crm"},
		"bad type":  {Type: "Workflow Transition", App: "crm"},
		"no app":    {Type: "record.created"},
		"not json":  {Type: "record.created", App: "crm", Data: map[string]any{"f": func() {}}},
		"too large": {Type: "record.created", App: "crm", Data: map[string]any{"blob": strings.Repeat("x", outbox.MaxDataBytes)}},
	} {
		err := st.Tx(ctx, func(tx store.Ops) error { _, err := outbox.Write(ctx, tx, e); return err })
		if !errs.HasCode(err, outbox.ErrInvalid.Code) {
			t.Errorf("%s: err = %v, want %s", name, err, outbox.ErrInvalid.Code)
		}
	}
	if n, _ := st.Count(ctx, outbox.Collection, nil); n != 0 {
		t.Errorf("%d invalid events stored", n)
	}
}
