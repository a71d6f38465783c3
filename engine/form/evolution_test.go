package form

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// formJSON renders a form spec with the given fields.
func formJSON(fields ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"title": "T", "fields": fields})
	return string(b)
}

// saveForm saves a new draft of a form of app crm (creating it when new)
// and returns what the meta service answered.
func (e *env) saveForm(key, spec string) error {
	e.t.Helper()
	d := meta.Definition{Kind: meta.KindForm, App: "crm", Key: key, Spec: json.RawMessage(spec)}
	cur, err := e.meta.Get(e.ctx, "crm", meta.KindForm, key)
	switch {
	case err == nil:
		_, err = e.meta.Save(e.ctx, d, cur.Version, "admin")
	case errs.ClassOf(err) == errs.NotFound:
		_, err = e.meta.Create(e.ctx, d, "admin")
	}
	return err
}

// saveAndPublish saves a form and publishes it, failing the test when the
// save is refused.
func (e *env) saveAndPublish(key, spec string) {
	e.t.Helper()
	if err := e.saveForm(key, spec); err != nil {
		e.t.Fatalf("save %s: %v", key, err)
	}
	if _, err := e.meta.Publish(e.ctx, "crm", meta.KindForm, key, 0, 0, "admin"); err != nil {
		e.t.Fatalf("publish %s: %v", key, err)
	}
}

// seed writes n records of a published form straight into the store, in
// transactions of up to 5,000: the fast way to a large form. Values are
// given as the records service stores them, since validation is skipped.
func (e *env) seed(form string, n int, gen func(i int) store.Doc) []string {
	e.t.Helper()
	f, err := e.rec.Form(e.ctx, "crm", form)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := make([]string, 0, n)
	const batch = 5000
	for start := 0; start < n; start += batch {
		err := e.st.Tx(e.ctx, func(tx store.Ops) error {
			for i := start; i < min(start+batch, n); i++ {
				doc := gen(i)
				id := store.NewID()
				now := query.FormatTime(e.rec.now())
				doc[SysID], doc[SysVersion], doc[SysDeleted] = id, int64(1), false
				doc[SysCreatedAt], doc[SysUpdatedAt], doc[SysCreatedBy], doc[SysUpdatedBy] = now, now, "seed", "seed"
				if _, err := tx.Insert(e.ctx, f.Coll, doc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	docs, err := e.st.Find(e.ctx, f.Coll, store.Query{Sort: []query.SortKey{{Field: fID}}, Fields: []string{SysID}, Limit: store.MaxLimit})
	if err == nil && n <= store.MaxLimit {
		for _, d := range docs {
			ids = append(ids, d[SysID].(string))
		}
	}
	return ids
}

// wantRefusal fails unless err is a 422 meta.invalid naming code at path,
// with a message containing each of words.
func wantRefusal(t *testing.T, err error, path, code string, words ...string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Class != errs.Unprocessable {
		t.Fatalf("error %v, want a 422 at %s", err, path)
	}
	for _, fe := range e.Fields {
		if fe.Path == path && fe.Code == code {
			for _, w := range words {
				if !strings.Contains(fe.Message, w) {
					t.Fatalf("message %q lacks %q", fe.Message, w)
				}
			}
			return
		}
	}
	t.Fatalf("error %v has no %s at %s", err, code, path)
}

func fld(key, typ string, settings ...any) map[string]any {
	m := map[string]any{"key": key, "type": typ, "label": key}
	for i := 0; i+1 < len(settings); i += 2 {
		m[settings[i].(string)] = settings[i+1]
	}
	return m
}

var abOptions = []any{map[string]any{"value": "a", "label": "A"}, map[string]any{"value": "b", "label": "B"}}

// TestEvolutionTypeChanges is the compatibility table on small data: each
// case publishes a form, stores values, and saves a change of field x.
func TestEvolutionTypeChanges(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		from   map[string]any
		values []any // stored values of x, as stored
		to     map[string]any
		code   string // "" when the save is accepted
	}{
		{"label change is a rename", fld("x", "text"), []any{"a"}, map[string]any{"key": "x", "type": "text", "label": "新名字"}, ""},
		{"text to textarea", fld("x", "text"), []any{"abc"}, fld("x", "textarea"), ""},
		{"select to text", fld("x", "select", "options", abOptions), []any{"a", "b"}, fld("x", "text"), ""},
		{"text to select, all options", fld("x", "text"), []any{"a", "b"}, fld("x", "select", "options", abOptions), ""},
		{"text to select, one not an option", fld("x", "text"), []any{"a", "zz"}, fld("x", "select", "options", abOptions), "form.type_change_needs_migration"},
		{"integer to decimal", fld("x", "number"), []any{int64(3), int64(-7)}, fld("x", "number", "precision", 2), ""},
		{"decimal to integer, whole values", fld("x", "number", "precision", 2), []any{json.Number("3")}, fld("x", "number"), ""},
		{"decimal to integer, a fraction", fld("x", "number", "precision", 2), []any{json.Number("3.5")}, fld("x", "number"), "form.type_change_needs_migration"},
		{"number to percent", fld("x", "number", "precision", 1), []any{json.Number("12.5")}, fld("x", "percent"), ""},
		{"text to number needs converting", fld("x", "text"), []any{"12"}, fld("x", "number"), "form.type_change_needs_migration"},
		{"number to text needs converting", fld("x", "number"), []any{int64(12)}, fld("x", "text"), "form.type_change_needs_migration"},
		{"number to money", fld("x", "number"), []any{int64(12)}, fld("x", "money"), "form.type_change_needs_migration"},
		{"money to number", fld("x", "money"), []any{int64(1230)}, fld("x", "number", "precision", 2), "form.type_change_needs_migration"},
		{"select to multiselect", fld("x", "select", "options", abOptions), []any{"a"}, fld("x", "multiselect", "options", abOptions), "form.type_change_needs_migration"},
		{"date to datetime", fld("x", "date"), []any{"2026-01-02"}, fld("x", "datetime"), "form.type_change_needs_migration"},
		{"text to formula", fld("x", "text"), []any{"a"}, fld("x", "formula", "expression", "1 + 1", "resultType", "number"), "form.type_change_refused"},
		{"text to formula, no values", fld("x", "text"), []any{nil}, fld("x", "formula", "expression", "1 + 1", "resultType", "number"), ""},
		{"formula of another kind", fld("x", "formula", "expression", "1 + 1", "resultType", "number"), []any{json.Number("2")},
			fld("x", "formula", "expression", "'a'", "resultType", "text"), "form.type_change_refused"},
		{"formula expression only", fld("x", "formula", "expression", "1 + 1", "resultType", "number"), []any{json.Number("2")},
			fld("x", "formula", "expression", "2 + 2", "resultType", "number"), ""},
		{"autonumber to text", fld("x", "autonumber", "pattern", "NO-{000}"), []any{"NO-001"}, fld("x", "text"), ""},
		{"retired option is accepted", fld("x", "select", "options", abOptions), []any{"b"},
			fld("x", "select", "options", []any{map[string]any{"value": "a", "label": "A"}}), ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := fmt.Sprintf("tc%d", i)
			e.saveAndPublish(key, formJSON(fld("name", "text"), c.from))
			e.seed(key, len(c.values), func(j int) store.Doc {
				d := store.Doc{"name": "n"}
				if c.values[j] != nil {
					d["x"] = c.values[j]
				}
				return d
			})
			err := e.saveForm(key, formJSON(fld("name", "text"), c.to))
			if c.code == "" {
				if err != nil {
					t.Fatalf("save refused: %v", err)
				}
				return
			}
			wantRefusal(t, err, "spec.fields[1].type", c.code, "x")
		})
	}
}

// TestEvolutionFields covers adding, removing, re-adding and requiring
// fields, and what reads show afterwards.
func TestEvolutionFields(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("f", formJSON(fld("name", "text"), fld("old", "text"), fld("opt", "text")))
	e.seed("f", 3, func(i int) store.Doc {
		d := store.Doc{"name": fmt.Sprint("n", i), "old": "legacy"}
		if i > 0 {
			d["opt"] = "v"
		}
		return d
	})

	// A new required field: the three records have no value for it.
	err := e.saveForm("f", formJSON(fld("name", "text"), fld("old", "text"), fld("opt", "text"), fld("must", "text", "required", true, "default", "d")))
	wantRefusal(t, err, "spec.fields[3].required", "form.required_without_value", "3 records", "/migrations", "fill")
	// Making opt required: one live record lacks it.
	err = e.saveForm("f", formJSON(fld("name", "text"), fld("old", "text"), fld("opt", "text", "required", true)))
	wantRefusal(t, err, "spec.fields[2].required", "form.required_without_value", "1 records")

	// Removing "old" and adding optional "note" is accepted; reads show
	// neither the removed field nor anything for the new one.
	e.saveAndPublish("f", formJSON(fld("name", "text"), fld("opt", "text"), fld("note", "text")))
	page, err := e.rec.List(e.ctx, e.admin, "crm", "f", ListQuery{Limit: 10})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("list: %v %v", page.Items, err)
	}
	for _, doc := range page.Items {
		if _, ok := doc["old"]; ok {
			t.Fatalf("removed field shown: %v", doc)
		}
	}
	id := page.Items[0][SysID].(string)
	doc, err := e.rec.Patch(e.ctx, e.admin, "crm", "f", id, map[string]any{"note": "hello"}, 0, WriteOptions{Lang: "en"})
	if err != nil || doc["note"] != "hello" || doc["old"] != nil {
		t.Fatalf("patch after removal: %v %v", doc, err)
	}
	f, _ := e.rec.Form(e.ctx, "crm", "f")
	raw, _ := e.st.Get(e.ctx, f.Coll, id)
	if raw["old"] != "legacy" {
		t.Fatalf("the removed field's value must stay stored: %v", raw)
	}
	// Writing the removed field is refused like any unknown field.
	_, err = e.rec.Patch(e.ctx, e.admin, "crm", "f", id, map[string]any{"old": "x"}, 0, WriteOptions{Lang: "en"})
	wantCode(t, err, "record.validation")

	// Adding "old" back as a number is judged against its former text
	// definition: "legacy" is no number.
	err = e.saveForm("f", formJSON(fld("name", "text"), fld("opt", "text"), fld("note", "text"), fld("old", "number")))
	wantRefusal(t, err, "spec.fields[3].type", "form.type_change_needs_migration", "legacy")
	// Adding it back as text brings the values back.
	e.saveAndPublish("f", formJSON(fld("name", "text"), fld("opt", "text"), fld("note", "text"), fld("old", "textarea")))
	got, err := e.rec.Get(e.ctx, e.admin, "crm", "f", id)
	if err != nil || got["old"] != "legacy" {
		t.Fatalf("re-added field: %v %v", got, err)
	}
}

// TestEvolutionWithoutRecords: a form without records changes freely.
func TestEvolutionWithoutRecords(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("g", formJSON(fld("x", "text")))
	if err := e.saveForm("g", formJSON(fld("x", "money", "required", true))); err != nil {
		t.Fatalf("a form without records must accept any change: %v", err)
	}
}

// TestReadsTolerateMismatchedValues: values stored in another kind than
// the published field's (written before a type change was published, or
// left by a migration that kept what it could not convert) are shown as
// stored; reads, lists, filters and patches of other fields keep working.
func TestReadsTolerateMismatchedValues(t *testing.T) {
	e := newEnv(t)
	e.saveAndPublish("m", formJSON(fld("name", "text"), fld("qty", "number"), fld("tier", "select", "options", abOptions)))
	weird := []store.Doc{
		{"name": "a", "qty": "twelve", "tier": "a"},
		{"name": "b", "qty": json.Number("1.5"), "tier": []any{"a", "b"}},
		{"name": "c", "qty": map[string]any{"v": 1}, "tier": json.Number("7")},
		{"name": "d", "qty": int64(4), "tier": "zz"},
	}
	e.seed("m", len(weird), func(i int) store.Doc { return weird[i] })
	page, err := e.rec.List(e.ctx, e.admin, "crm", "m", ListQuery{Limit: 2, Sort: "name"})
	if err != nil || len(page.Items) != 2 || page.Items[0]["qty"] != "twelve" {
		t.Fatalf("list: %v %v", page.Items, err)
	}
	page, err = e.rec.List(e.ctx, e.admin, "crm", "m", ListQuery{Limit: 2, Sort: "name", Cursor: page.Next})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("second page: %v %v", page.Items, err)
	}
	page, err = e.rec.List(e.ctx, e.admin, "crm", "m", ListQuery{Filter: []byte(`{"qty": {"$gt": 2}}`)})
	if err != nil || len(page.Items) != 1 || page.Items[0]["name"] != "d" {
		t.Fatalf("filter over mixed kinds: %v %v", page.Items, err)
	}
	for _, doc := range page.Items {
		got, err := e.rec.Get(e.ctx, e.admin, "crm", "m", doc[SysID].(string))
		if err != nil || got["qty"] == nil {
			t.Fatalf("get: %v %v", got, err)
		}
	}
	all, _ := e.rec.List(e.ctx, e.admin, "crm", "m", ListQuery{})
	for _, doc := range all.Items {
		id := doc[SysID].(string)
		if _, err := e.rec.Patch(e.ctx, e.admin, "crm", "m", id, map[string]any{"name": "renamed"}, 0, WriteOptions{Lang: "en"}); err != nil {
			t.Fatalf("patching another field of %v: %v", doc, err)
		}
	}
}
