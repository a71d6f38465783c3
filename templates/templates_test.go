package templates_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/tangram/tangram/engine/action" // action cross-checks (scripts compile, runAs)
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form" // form checks, role cross-checks
	"github.com/tangram/tangram/engine/meta"
	_ "github.com/tangram/tangram/engine/rules" // decision-table checks
	"github.com/tangram/tangram/engine/store"
	_ "github.com/tangram/tangram/engine/store/sqlite"
	"github.com/tangram/tangram/templates"
)

func newMeta(t *testing.T) *meta.Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(t.TempDir(), "t.db")), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ms := meta.NewService(st)
	if err := ms.Init(ctx); err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestTemplatesValid: every shipped template loads, names itself in both
// languages, and every definition passes its meta-schema and checks.
func TestTemplatesValid(t *testing.T) {
	list, err := templates.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || list[0].Name != "crm-retail" {
		t.Fatalf("templates %+v", list)
	}
	for _, info := range list {
		if info.Title["zh-CN"] == "" || info.Title["en"] == "" || info.Description["zh-CN"] == "" || info.Description["en"] == "" {
			t.Errorf("%s: title and description need zh-CN and en: %+v", info.Name, info)
		}
		tp, err := templates.Load(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range tp.Bundle("crm").Definitions {
			if err := meta.Validate(d); err != nil {
				t.Errorf("%s %s: %v", info.Name, d.Ref(), err)
			}
			checkLabels(t, d)
			if d.Kind == meta.KindAction {
				checkScript(t, d)
			}
		}
	}
}

// checkScript requires an action's script to be whole: its includes
// expanded, the helpers it calls defined.
func checkScript(t *testing.T, d meta.Definition) {
	t.Helper()
	var spec struct {
		Script string `json:"script"`
	}
	if err := json.Unmarshal(d.Spec, &spec); err != nil || spec.Script == "" {
		t.Fatalf("%s: no script (%v)", d.Ref(), err)
	}
	if strings.Contains(spec.Script, "@include") {
		t.Errorf("%s: include not expanded", d.Ref())
	}
	for _, fn := range []string{"fail", "findMember", "phoneOf", "monthOf", "spendMonthsOf", "addSpend"} {
		if strings.Contains(spec.Script, fn+"(") && !strings.Contains(spec.Script, "function "+fn+"(") {
			t.Errorf("%s calls %s without defining it", d.Ref(), fn)
		}
	}
}

// checkLabels requires zh-CN and en in a definition's title and, for
// forms, in every field label and option label.
func checkLabels(t *testing.T, d meta.Definition) {
	t.Helper()
	var spec struct {
		Title  any `json:"title"`
		Fields []struct {
			Key     string `json:"key"`
			Label   any    `json:"label"`
			Options []struct {
				Label any `json:"label"`
			} `json:"options"`
			Fields []struct {
				Label any `json:"label"`
			} `json:"fields"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(d.Spec, &spec); err != nil {
		t.Fatalf("%s: %v", d.Ref(), err)
	}
	bilingual := func(what string, v any) {
		m, ok := v.(map[string]any)
		if !ok || m["zh-CN"] == "" || m["zh-CN"] == nil || m["en"] == "" || m["en"] == nil {
			t.Errorf("%s: %s needs zh-CN and en, got %v", d.Ref(), what, v)
		}
	}
	bilingual("title", spec.Title)
	for _, f := range spec.Fields {
		bilingual("field "+f.Key, f.Label)
		for _, o := range f.Options {
			bilingual("an option of "+f.Key, o.Label)
		}
		for _, c := range f.Fields {
			bilingual("a column of "+f.Key, c.Label)
		}
	}
}

// TestInstallPublishes installs crm-retail into a real store, published:
// the cross-definition checks pass (roles against forms, actions' scripts
// and runAs role), views name real fields, and the layers applied (core
// forms and retail extras). Installing again changes nothing; an edited
// definition is a conflict unless overwrite.
func TestInstallPublishes(t *testing.T) {
	ctx := context.Background()
	ms := newMeta(t)
	res, err := templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{Publish: true}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := templates.Load("crm-retail")
	if len(res.Created) != len(tp.Definitions) || res.App != "crm" {
		t.Fatalf("created %d of %d: %+v", len(res.Created), len(tp.Definitions), res)
	}
	for _, want := range []string{"form/members", "form/campaigns", "form/store-tasks", "action/checkout", "rule/tier-levels", "role/cashier", "role/region-manager", "view/members-all"} {
		if !contains(res.Created, want) {
			t.Errorf("%s not installed: %v", want, res.Created)
		}
	}
	forms := map[string]*form.Form{}
	for _, d := range tp.Definitions {
		key := d.Key
		if d.Kind == meta.KindApp {
			key = "crm"
		}
		pub, err := ms.Published(ctx, "crm", d.Kind, key)
		if err != nil {
			t.Fatalf("%s not published: %v", d.Ref(), err)
		}
		if err := ms.CrossCheck(ctx, pub); err != nil {
			t.Errorf("%s: %v", d.Ref(), err)
		}
		if d.Kind == meta.KindForm {
			if forms[d.Key], err = form.Compile(pub); err != nil {
				t.Fatalf("%s: %v", d.Ref(), err)
			}
		}
	}
	for _, d := range tp.Definitions {
		if d.Kind == meta.KindView {
			checkView(t, d, forms)
		}
	}

	again, err := templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{Publish: true}, "admin")
	if err != nil || len(again.Created)+len(again.Updated) != 0 || len(again.Unchanged) != len(tp.Definitions) {
		t.Fatalf("reinstall changed something: %+v %v", again, err)
	}

	// An HQ admin edits the tier thresholds; installing again refuses to
	// undo that without overwrite, and writes nothing.
	cur, _ := ms.Get(ctx, "crm", meta.KindRule, "tier-levels")
	edited := strings.Replace(string(cur.Spec), `"8000"`, `"6000"`, 1)
	if _, err := ms.Save(ctx, meta.Definition{Kind: meta.KindRule, App: "crm", Key: "tier-levels", Spec: json.RawMessage(edited)}, cur.Version, "hq"); err != nil {
		t.Fatal(err)
	}
	res, err = templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{Publish: true}, "admin")
	e, ok := errs.As(err)
	if !ok || e.Code != "template.conflict" || len(e.Fields) != 1 || e.Fields[0].Path != "rule/tier-levels" ||
		len(res.Conflicts) != 1 || len(res.Updated) != 0 {
		t.Fatalf("conflict: %+v %v", res, err)
	}
	if d, _ := ms.Get(ctx, "crm", meta.KindRule, "tier-levels"); d.Version != cur.Version+1 {
		t.Fatalf("a refused install wrote: version %d", d.Version)
	}
	res, err = templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{Publish: true, Overwrite: true}, "admin")
	if err != nil || len(res.Updated) != 1 || res.Updated[0] != "rule/tier-levels" {
		t.Fatalf("overwrite: %+v %v", res, err)
	}
	if d, _ := ms.Published(ctx, "crm", meta.KindRule, "tier-levels"); strings.Contains(string(d.Spec), `"6000"`) {
		t.Fatalf("overwrite kept the edit")
	}
}

// checkView requires every column, the sort and the grouping of a view to
// name fields of its form (through relations for "store.name").
func checkView(t *testing.T, d meta.Definition, forms map[string]*form.Form) {
	t.Helper()
	var v struct {
		Form    string `json:"form"`
		Columns []struct {
			Field string `json:"field"`
		} `json:"columns"`
		Sort    string `json:"sort"`
		GroupBy string `json:"groupBy"`
	}
	if err := json.Unmarshal(d.Spec, &v); err != nil {
		t.Fatal(err)
	}
	f := forms[v.Form]
	if f == nil {
		t.Fatalf("view %s: no form %q", d.Key, v.Form)
	}
	paths := []string{v.GroupBy}
	for _, c := range v.Columns {
		paths = append(paths, c.Field)
	}
	for _, s := range strings.Split(v.Sort, ",") {
		paths = append(paths, strings.TrimPrefix(s, "-"))
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		head, rest, _ := strings.Cut(p, ".")
		fd, ok := f.Field(head)
		if !ok {
			t.Errorf("view %s: form %s has no field %q", d.Key, v.Form, head)
			continue
		}
		if rest != "" {
			var rel struct {
				Form string `json:"form"`
			}
			_ = json.Unmarshal(fd.Raw, &rel)
			if target := forms[rel.Form]; target == nil {
				t.Errorf("view %s: %s is not a relation", d.Key, p)
			} else if _, ok := target.Field(rest); !ok {
				t.Errorf("view %s: form %s has no field %q", d.Key, rel.Form, rest)
			}
		}
	}
}

// TestInstallErrors: unknown templates and bad app names are coded errors.
func TestInstallErrors(t *testing.T) {
	ctx := context.Background()
	ms := newMeta(t)
	for _, name := range []string{"nosuch", "core", "../core", ""} {
		if _, err := templates.Install(ctx, ms, name, templates.InstallOptions{}, "admin"); !errs.HasCode(err, "template.not_found") {
			t.Errorf("%q: %v", name, err)
		}
	}
	if _, err := templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{App: "Bad App"}, "admin"); !errs.HasCode(err, "template.app") {
		t.Errorf("bad app: %v", err)
	}
	res, err := templates.Install(ctx, ms, "crm-retail", templates.InstallOptions{App: "shop", DryRun: true, Publish: true}, "admin")
	if err != nil || len(res.Created) == 0 || !res.DryRun {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if apps, _ := ms.Apps(ctx); len(apps) != 0 {
		t.Fatalf("a dry run wrote %v", apps)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
