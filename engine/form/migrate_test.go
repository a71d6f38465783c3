package form

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/store"
)

// migrate runs (or dry-runs) a migration as the admin, failing on error.
func (e *env) migrate(form string, req MigrationRequest) *MigrationReport {
	e.t.Helper()
	rep, err := e.rec.Migrate(WithLang(e.ctx, "en"), e.admin, "crm", form, req)
	if err != nil {
		e.t.Fatalf("migrate %s %+v: %v", form, req, err)
	}
	return rep
}

// wantCounts compares a report's counts.
func wantCounts(t *testing.T, rep *MigrationReport, changed, unchanged, failed, cleared int64) {
	t.Helper()
	c := rep.MigrationCounts
	if c.Changed != changed || c.Unchanged != unchanged || c.Failed != failed || c.Cleared != cleared {
		t.Fatalf("counts %+v, want changed %d unchanged %d failed %d cleared %d (report %+v)", c, changed, unchanged, failed, cleared, rep)
	}
}

// TestMigrateNumberToMoney is the unit change: values are converted
// whatever they look like, exactly once, and the save is accepted only
// after a complete migration with nothing written since.
func TestMigrateNumberToMoney(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("p", formJSON(fld("name", "text"), fld("price", "number", "precision", 2)))
	vals := []any{int64(12), json.Number("0.5"), nil, json.Number("99.99")}
	ids := e.seed("p", len(vals), func(i int) store.Doc {
		d := store.Doc{"name": fmt.Sprint("n", i)}
		if vals[i] != nil {
			d["price"] = vals[i]
		}
		return d
	})
	moneyForm := formJSON(fld("name", "text"), fld("price", "money"))
	wantRefusal(t, e.saveForm("p", moneyForm), "spec.fields[1].type", "form.type_change_needs_migration", "no migration", "/api/apps/crm/forms/p/migrations")

	dry := e.migrate("p", MigrationRequest{Field: "price", ToType: "money", DryRun: true})
	wantCounts(t, dry, 3, 0, 0, 0)
	if dry.Status != "dry-run" || dry.Scanned != 3 {
		t.Fatalf("dry run: %+v", dry)
	}
	f, _ := e.rec.Form(e.ctx, "crm", "p")
	if raw, _ := e.st.Get(e.ctx, f.Coll, ids[0]); fmt.Sprint(raw["price"]) != "12" {
		t.Fatalf("a dry run wrote: %v", raw)
	}
	rep := e.migrate("p", MigrationRequest{Field: "price", ToType: "money"})
	wantCounts(t, rep, 3, 0, 0, 0)
	if rep.Status != JobDone || rep.Pass != 1 {
		t.Fatalf("run: %+v", rep)
	}
	want := []string{"1200", "50", "<nil>", "9999"}
	for i, id := range ids {
		raw, _ := e.st.Get(e.ctx, f.Coll, id)
		if fmt.Sprint(raw["price"]) != want[i] {
			t.Fatalf("record %d: price %v, want %s", i, raw["price"], want[i])
		}
		if i != 2 && intOf(raw[SysVersion]) != 2 {
			t.Fatalf("a converted record gets a new version: %v", raw)
		}
	}
	hist, err := e.rec.History(e.ctx, e.admin, "crm", "p", ids[0])
	if err != nil || len(hist) != 1 || fmt.Sprintf("%v %v", hist[0].Old["price"], hist[0].New["price"]) != "12 1200" {
		t.Fatalf("history: %+v %v", hist, err)
	}
	// Asking again converts nothing twice: a new pass sees no record
	// written since the first one.
	again := e.migrate("p", MigrationRequest{Field: "price", ToType: "money"})
	wantCounts(t, again, 0, 0, 0, 0)
	if again.Pass != 2 {
		t.Fatalf("second pass: %+v", again)
	}
	// A record written (with the old definition) after the migration
	// keeps the save refused until the migration runs again.
	time.Sleep(2 * time.Millisecond)
	if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "p", ids[2], map[string]any{"price": "3"}, 0, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, e.saveForm("p", moneyForm), "spec.fields[1].type", "form.type_change_needs_migration", "1 records were written after")
	third := e.migrate("p", MigrationRequest{Field: "price", ToType: "money"})
	wantCounts(t, third, 1, 0, 0, 0)
	if raw, _ := e.st.Get(e.ctx, f.Coll, ids[2]); fmt.Sprint(raw["price"]) != "300" {
		t.Fatalf("late record: %v", raw)
	}
	e.saveAndPublish("p", moneyForm)
	got, err := e.rec.Get(e.ctx, e.admin, "crm", "p", ids[3])
	if err != nil || fmt.Sprint(got["price"]) != "9999" {
		t.Fatalf("read as money: %v %v", got, err)
	}
}

// TestMigrateMoneyAllOrNothing: a conversion between money and another
// number converts every value or none, and never converts a value twice,
// whatever the target's other settings.
func TestMigrateMoneyAllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("w", formJSON(fld("weight", "number", "precision", 3)))
	ids := e.seed("w", 3, func(i int) store.Doc {
		return store.Doc{"weight": []json.Number{"1.5", "1.234", "2"}[i]}
	})
	_, err := e.rec.Migrate(e.ctx, e.admin, "crm", "w", MigrationRequest{Field: "weight", ToType: "money"})
	ee := wantCode(t, err, "migration.unconvertible")
	if len(ee.Fields) != 1 || ee.Fields[0].Path != "weight" {
		t.Fatalf("fields: %+v", ee.Fields)
	}
	f, _ := e.rec.Form(e.ctx, "crm", "w")
	if raw, _ := e.st.Get(e.ctx, f.Coll, ids[0]); fmt.Sprint(raw["weight"]) != "1.5" {
		t.Fatalf("a refused run wrote: %v", raw)
	}
	rep := e.migrate("w", MigrationRequest{Field: "weight", ToType: "money", OnInvalid: "clear"})
	wantCounts(t, rep, 3, 0, 0, 1)
	// Another target definition (a minimum) is the same job: a new pass
	// that finds nothing written since.
	again := e.migrate("w", MigrationRequest{Field: "weight", To: json.RawMessage(`{"key": "weight", "type": "money", "min": 0}`)})
	wantCounts(t, again, 0, 0, 0, 0)
	want := []string{"150", "<nil>", "200"}
	for i, id := range ids {
		if raw, _ := e.st.Get(e.ctx, f.Coll, id); fmt.Sprint(raw["weight"]) != want[i] {
			t.Fatalf("record %d: %v, want %s", i, raw["weight"], want[i])
		}
	}
}

// TestMigrateShapesAndFailures: one value becomes a list, values that
// cannot be converted are counted (and kept, or cleared), unique values
// that would collide are not converted.
func TestMigrateShapesAndFailures(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("s", formJSON(fld("tier", "select", "options", abOptions), fld("code", "text", "unique", true)))
	for i, in := range []map[string]any{{"tier": "a", "code": "1"}, {"tier": "b", "code": "01"}, {"code": "x"}, {"code": "2"}} {
		if _, err := e.rec.Create(e.ctx, e.admin, "crm", "s", in, WriteOptions{}); err != nil {
			t.Fatal(i, err)
		}
	}
	rep := e.migrate("s", MigrationRequest{Field: "tier", ToType: "multiselect"})
	wantCounts(t, rep, 2, 0, 0, 0)
	page, _ := e.rec.List(e.ctx, e.admin, "crm", "s", ListQuery{Sort: "code"})
	if fmt.Sprint(page.Items[0]["tier"]) != "[b]" {
		t.Fatalf("select to multiselect: %v", page.Items)
	}

	dry := e.migrate("s", MigrationRequest{Field: "code", ToType: "number", DryRun: true})
	wantCounts(t, dry, 3, 0, 1, 0)
	if len(dry.Samples) != 1 || dry.Samples[0].Value != "x" || dry.Samples[0].Problem == "" {
		t.Fatalf("samples: %+v", dry.Samples)
	}
	// "1" and "01" both become 1: the second conversion would take a
	// claimed unique value, so it fails and keeps its text.
	rep = e.migrate("s", MigrationRequest{Field: "code", ToType: "number"})
	wantCounts(t, rep, 2, 0, 2, 0)
	wantRefusal(t, e.saveForm("s", formJSON(fld("tier", "multiselect", "options", abOptions), fld("code", "number", "unique", true))),
		"spec.fields[1].type", "form.type_change_needs_migration", "2 of the 4")
	// Clearing what cannot be converted: a different job (onInvalid is
	// part of what it does), which finds 2 values fitting already.
	rep = e.migrate("s", MigrationRequest{Field: "code", ToType: "number", OnInvalid: "clear"})
	wantCounts(t, rep, 2, 2, 0, 2)
	e.saveAndPublish("s", formJSON(fld("tier", "multiselect", "options", abOptions), fld("code", "number", "unique", true)))
	// The cleared records' claims were released with their values.
	if _, err := e.rec.Create(e.ctx, e.admin, "crm", "s", map[string]any{"code": 3}, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rec.Create(e.ctx, e.admin, "crm", "s", map[string]any{"code": 1}, WriteOptions{}); !errs.HasCode(err, "record.validation") {
		t.Fatalf("converted unique value must stay claimed: %v", err)
	}
}

// TestMigrateFillThenRequire is the way to a new required field.
func TestMigrateFillThenRequire(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("r", formJSON(fld("name", "text")))
	e.seed("r", 5, func(i int) store.Doc { return store.Doc{"name": "n"} })
	required := formJSON(fld("name", "text"), fld("region", "text", "required", true))
	wantRefusal(t, e.saveForm("r", required), "spec.fields[1].required", "form.required_without_value", "5 records")
	e.saveAndPublish("r", formJSON(fld("name", "text"), fld("region", "text")))
	rep := e.migrate("r", MigrationRequest{Field: "region", Fill: json.RawMessage(`"  华南 "`)})
	wantCounts(t, rep, 5, 0, 0, 0)
	if rep.Mode != "fill" {
		t.Fatalf("mode: %+v", rep)
	}
	page, _ := e.rec.List(e.ctx, e.admin, "crm", "r", ListQuery{})
	if page.Items[0]["region"] != "华南" {
		t.Fatalf("fill is normalized like an input: %v", page.Items[0])
	}
	e.saveAndPublish("r", required)
}

// TestMigrateResumes: a run stopped by its budget resumes after the last
// committed batch, and the counts add up to one whole run.
func TestMigrateResumes(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("q", formJSON(fld("n", "text")))
	e.seed("q", 50, func(i int) store.Doc { return store.Doc{"n": fmt.Sprint(i)} })
	req := MigrationRequest{Field: "n", ToType: "number", BatchSize: 10, Budget: time.Nanosecond}
	rep := e.migrate("q", req)
	if rep.Status != JobRunning || rep.Changed != 10 || rep.Batches != 1 {
		t.Fatalf("first call: %+v", rep)
	}
	calls := 1
	for rep.Status == JobRunning {
		rep = e.migrate("q", req)
		calls++
	}
	wantCounts(t, rep, 50, 0, 0, 0)
	if calls != 6 || rep.Pass != 1 {
		t.Fatalf("calls %d, report %+v", calls, rep)
	}
}

// TestMigrateConcurrentRuns: two runs of the same money conversion at
// once; one may be told the other is busy, and no record is converted
// twice.
func TestMigrateConcurrentRuns(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("c", formJSON(fld("n", "number")))
	const n = 1000
	ids := e.seed("c", n, func(i int) store.Doc { return store.Doc{"n": int64(i)} })
	req := MigrationRequest{Field: "n", ToType: "money", BatchSize: 50}
	errc := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := e.rec.Migrate(e.ctx, e.admin, "crm", "c", req)
			errc <- err
		}()
	}
	for range 2 {
		if err := <-errc; err != nil && !errs.HasCode(err, ErrMigrationBusy.Code) {
			t.Fatal(err)
		}
	}
	for {
		rep, err := e.rec.Migrate(e.ctx, e.admin, "crm", "c", req)
		if errs.HasCode(err, ErrMigrationBusy.Code) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status == JobDone {
			break
		}
	}
	f, _ := e.rec.Form(e.ctx, "crm", "c")
	docs, _ := e.st.Find(e.ctx, f.Coll, store.Query{Limit: n})
	byID := map[string]store.Doc{}
	for _, d := range docs {
		byID[d[SysID].(string)] = d
	}
	for i, id := range ids {
		if got := fmt.Sprint(byID[id]["n"]); got != fmt.Sprint(i*100) {
			t.Fatalf("record %d holds %s, want %d", i, got, i*100)
		}
	}
}

// TestMigrateRequests: malformed requests are 422 with paths; a caller
// without the design right is refused.
func TestMigrateRequests(t *testing.T) {
	e := newEnv(t).crm()
	cases := []struct {
		req  MigrationRequest
		path string
	}{
		{MigrationRequest{}, "field"},
		{MigrationRequest{Field: "nope", ToType: "text"}, "field"},
		{MigrationRequest{Field: "name", ToType: "text", Version: 1}, ""},
		{MigrationRequest{Field: "name", ToType: "formula"}, "toType"},
		{MigrationRequest{Field: "name", ToType: "nosuchtype"}, "toType"},
		{MigrationRequest{Field: "name", To: json.RawMessage(`{"key": "other", "type": "text"}`)}, "to.key"},
		{MigrationRequest{Field: "name", Version: 99}, "version"},
		{MigrationRequest{Field: "name", OnInvalid: "drop"}, "onInvalid"},
		{MigrationRequest{Field: "points", Fill: json.RawMessage(`"abc"`)}, "fill"},
		{MigrationRequest{Field: "spent", Fill: json.RawMessage(`1`)}, "field"},
	}
	for _, c := range cases {
		_, err := e.rec.Migrate(e.ctx, e.admin, "crm", "members", c.req)
		ee, ok := errs.As(err)
		if !ok || ee.Class != errs.Unprocessable || len(ee.Fields) == 0 || ee.Fields[0].Path != c.path {
			t.Errorf("%+v: %v, want a 422 at %q", c.req, err, c.path)
		}
	}
	clerk := &auth.Principal{UserID: "u1", Username: "u1"}
	_, err := e.rec.Migrate(e.ctx, clerk, "crm", "members", MigrationRequest{Field: "name", DryRun: true})
	if c := errs.ClassOf(err); c != errs.Forbidden && c != errs.NotFound {
		t.Fatalf("without the design right: %v", err)
	}
}
