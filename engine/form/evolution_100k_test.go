package form

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/tangram/tangram/engine/store"
)

// TestEvolution100k runs the schema changes of a form with 100,000
// records: a rename, a removed and an added field and two compatible type
// changes are accepted and every record still reads as valid; a type
// change whose values need converting is refused; a dry run counts
// exactly the records a migration then converts; after it the change is
// accepted. Records are written straight through store transactions (the
// records service would take minutes for 100,000 creates).
func TestEvolution100k(t *testing.T) {
	e := newEnv(t)
	n := 100_000
	if e.st.Backend() == "lungo" {
		// lungo slows down with every document (shared/DESIGN.md): the
		// same scenario runs there on a few thousand records.
		n = 2_000
	}
	notNumbers := n / 100 // every hundredth code is not a number
	all, some := int64(n), int64(notNumbers)
	step := func(name string, fn func()) {
		t.Helper()
		start := time.Now()
		fn()
		t.Logf("%-40s %v", name, time.Since(start).Round(time.Millisecond))
	}
	grades := []any{map[string]any{"value": "a", "label": "A"}, map[string]any{"value": "b", "label": "B"},
		map[string]any{"value": "c", "label": "C"}}
	e.saveAndPublish("big", formJSON(fld("name", "text", "required", true), fld("code", "text"), fld("grade", "text"),
		fld("qty", "number"), fld("old", "text")))
	step(fmt.Sprintf("seed %d records", n), func() {
		e.seed("big", n, func(i int) store.Doc {
			code := strconv.Itoa(i)
			if i%100 == 0 {
				code = "x" + code
			}
			return store.Doc{"name": fmt.Sprint("item ", i), "code": code, "grade": []string{"a", "b", "c"}[i%3],
				"qty": int64(i % 50), "old": "legacy"}
		})
	})

	// Compatible: name relabelled, old removed, note added, grade from
	// text to select (every value is an option), qty from integer to
	// decimal.
	v2 := []map[string]any{{"key": "name", "type": "text", "label": "品名", "required": true}, fld("code", "text"),
		fld("grade", "select", "options", grades), fld("qty", "number", "precision", 2), fld("note", "text")}
	step("save + publish the compatible change", func() { e.saveAndPublish("big", formJSON(v2...)) })
	step("list all records after it", func() {
		e.listAll("big", n, func(doc store.Doc) {
			_, hasOld := doc["old"]
			g, _ := doc["grade"].(string)
			if hasOld || (g != "a" && g != "b" && g != "c") || doc["name"] == nil || doc["note"] != nil {
				t.Fatalf("record after the compatible change: %v", doc)
			}
			if _, ok := doc["qty"].(json.Number); !ok {
				t.Fatalf("qty %T", doc["qty"])
			}
		})
	})

	// Incompatible: code from text to number, and a new required field.
	v3 := append([]map[string]any(nil), v2...)
	v3[1] = fld("code", "number")
	step("save refused (code text -> number)", func() {
		wantRefusal(t, e.saveForm("big", formJSON(v3...)), "spec.fields[1].type", "form.type_change_needs_migration",
			fmt.Sprintf("%d of the %d", n, n), "/api/apps/crm/forms/big/migrations")
	})
	step("save refused (new required field)", func() {
		wantRefusal(t, e.saveForm("big", formJSON(append(v2, fld("region", "text", "required", true))...)),
			"spec.fields[5].required", "form.required_without_value", fmt.Sprintf("%d records", n))
	})

	req := MigrationRequest{Field: "code", ToType: "number"}
	step("dry run", func() {
		dry := e.migrate("big", MigrationRequest{Field: "code", ToType: "number", DryRun: true})
		wantCounts(t, dry, all-some, 0, some, 0)
	})
	step("migration (keep what cannot convert)", func() {
		rep := e.migrate("big", req)
		wantCounts(t, rep, all-some, 0, some, 0)
	})
	f, _ := e.rec.Form(e.ctx, "crm", "big")
	step("check every stored code", func() {
		var nums, texts, v2s int
		err := scanRecords(e.ctx, e.st, f.Coll, nil, "", []string{"code", SysVersion}, func(doc store.Doc) error {
			switch v := doc["code"].(type) {
			case json.Number:
				nums++
				if intOf(doc[SysVersion]) == 2 {
					v2s++
				}
			case string:
				if v[0] != 'x' || intOf(doc[SysVersion]) != 1 {
					t.Fatalf("unconverted %v", doc)
				}
				texts++
			}
			return nil
		})
		if err != nil || nums != n-notNumbers || texts != notNumbers || v2s != nums {
			t.Fatalf("numbers %d (version 2: %d), texts %d, err %v", nums, v2s, texts, err)
		}
	})
	// Until the form changes, code is a text field holding numbers: reads
	// show them as stored.
	step("list all records with mixed codes", func() { e.listAll("big", n, func(store.Doc) {}) })
	step("save still refused (1% left)", func() {
		wantRefusal(t, e.saveForm("big", formJSON(v3...)), "spec.fields[1].type", "form.type_change_needs_migration",
			fmt.Sprintf("%d of the %d", notNumbers, n))
	})
	step("migration clearing the rest", func() {
		rep := e.migrate("big", MigrationRequest{Field: "code", ToType: "number", OnInvalid: "clear"})
		wantCounts(t, rep, some, all-some, 0, some)
	})
	step("save + publish code as number", func() { e.saveAndPublish("big", formJSON(v3...)) })
	step("list all records as numbers", func() {
		absent := 0
		e.listAll("big", n, func(doc store.Doc) {
			switch doc["code"].(type) {
			case nil:
				absent++
			case json.Number:
			default:
				t.Fatalf("code %T in %v", doc["code"], doc)
			}
		})
		if absent != notNumbers {
			t.Fatalf("%d records without code, want %d", absent, notNumbers)
		}
	})
	c, err := e.rec.List(e.ctx, e.admin, "crm", "big", ListQuery{Filter: []byte(fmt.Sprintf(`{"code": {"$gte": %d}}`, n-10)), Count: true})
	if err != nil || c.Total == nil || *c.Total != 10 { // n-10 .. n-1, none a multiple of 100
		t.Fatalf("numeric filter after the change: %v %v", c.Total, err)
	}
}

// listAll pages through every record of a form as the admin, 1,000 at a
// time, and checks that there are n.
func (e *env) listAll(form string, n int, check func(store.Doc)) {
	e.t.Helper()
	seen, cursor := 0, ""
	for {
		page, err := e.rec.List(e.ctx, e.admin, "crm", form, ListQuery{Limit: MaxPageSize, Cursor: cursor})
		if err != nil {
			e.t.Fatalf("list after %d: %v", seen, err)
		}
		for _, doc := range page.Items {
			check(doc)
		}
		seen += len(page.Items)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if seen != n {
		e.t.Fatalf("listed %d records, want %d", seen, n)
	}
}
