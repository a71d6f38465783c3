package auth_test

import (
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

func TestPrincipalVarsInRowScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tr := buildTree(e)
	e.createUser("rm", auth.Membership{UnitID: tr.east.ID, Position: "region_manager"})
	p := e.login("rm", userPassword).Principal
	if !sameSet(p.UnitSubtree, tr.east.ID, tr.s1.ID, tr.s2.ID) || p.UnitPath != tr.east.Path {
		t.Fatalf("principal %+v", p)
	}
	vars := p.Vars()
	if vars["$user.id"] != p.UserID || vars["$user.unit"] != tr.east.ID {
		t.Fatalf("vars %v", vars)
	}
	fields := query.NewFields(query.Field{Path: "storeId", Kind: query.KindString})
	scope, err := query.ParseFilter([]byte(`{"storeId":{"$in":"$user.unitSubtree"}}`), fields, query.Options{Vars: vars})
	must(t, err)
	if scope.Op != query.OpIn || len(scope.Values) != 3 {
		t.Fatalf("scope %+v", scope)
	}

	// The scope run against records: only the region's stores are visible.
	for _, s := range []*auth.Unit{tr.s1, tr.s2, tr.s3, tr.s3} {
		_, err := e.st.Insert(e.ctx, "sales", store.Doc{"storeId": s.ID})
		must(t, err)
	}
	n, err := e.st.Count(e.ctx, "sales", scope)
	must(t, err)
	if n != 2 {
		t.Fatalf("scope sees %d sales, want 2", n)
	}

	// A user without units sees nothing, not everything.
	e.createUser("floating")
	fp := e.login("floating", userPassword).Principal
	for _, f := range []string{`{"storeId":{"$in":"$user.unitSubtree"}}`, `{"storeId":"$user.unit"}`} {
		scope, err := query.ParseFilter([]byte(f), fields, query.Options{Vars: fp.Vars()})
		must(t, err)
		n, err := e.st.Count(e.ctx, "sales", scope)
		must(t, err)
		if n != 0 {
			t.Fatalf("%s: a user without units sees %d records", f, n)
		}
	}
	pathFields := query.NewFields(query.Field{Path: "storePath", Kind: query.KindString})
	scope, err = query.ParseFilter([]byte(`{"storePath":{"$startsWith":"$user.unitPath"}}`), pathFields, query.Options{Vars: fp.Vars()})
	must(t, err)
	_, err = e.st.Insert(e.ctx, "sales2", store.Doc{"storePath": tr.s1.Path})
	must(t, err)
	if n, _ := e.st.Count(e.ctx, "sales2", scope); n != 0 {
		t.Fatal("empty unit path widened the scope")
	}
}
