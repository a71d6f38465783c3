package auth_test

import (
	"slices"
	"testing"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
)

// tree is HQ → {east → {s1, s2}, west → {s3}}.
type tree struct {
	hq, east, west, s1, s2, s3 *auth.Unit
}

func buildTree(e *env) tree {
	var tr tree
	tr.hq = e.unit("hq", "总部", "HQ", "")
	tr.east = e.unit("region", "华东区", "R-EAST", tr.hq.ID)
	tr.west = e.unit("region", "华西区", "R-WEST", tr.hq.ID)
	tr.s1 = e.unit("store", "南京路店", "S1", tr.east.ID)
	tr.s2 = e.unit("store", "淮海路店", "S2", tr.east.ID)
	tr.s3 = e.unit("store", "春熙路店", "S3", tr.west.ID)
	return tr
}

func sameSet(a []string, b ...string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestOrgTreeCreateMoveSubtree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tr := buildTree(e)
	if want := "/" + tr.hq.ID + "/" + tr.east.ID + "/" + tr.s1.ID + "/"; tr.s1.Path != want {
		t.Fatalf("path %s, want %s", tr.s1.Path, want)
	}
	sub, err := e.svc.Subtree(e.ctx, tr.east.ID)
	must(t, err)
	if !sameSet(sub, tr.east.ID, tr.s1.ID, tr.s2.ID) {
		t.Fatalf("east subtree %v", sub)
	}
	sub, err = e.svc.Subtree(e.ctx, tr.hq.ID)
	must(t, err)
	if len(sub) != 6 {
		t.Fatalf("hq subtree %v", sub)
	}

	// Move the whole east region under west: its stores follow.
	must(t, e.svc.MoveUnit(e.ctx, e.admin, tr.east.ID, tr.west.ID))
	s1, err := e.svc.GetUnit(e.ctx, tr.s1.ID)
	must(t, err)
	if want := "/" + tr.hq.ID + "/" + tr.west.ID + "/" + tr.east.ID + "/" + tr.s1.ID + "/"; s1.Path != want {
		t.Fatalf("moved store path %s, want %s", s1.Path, want)
	}
	east, _ := e.svc.GetUnit(e.ctx, tr.east.ID)
	if east.ParentID != tr.west.ID || east.Version != 2 {
		t.Fatalf("moved unit %+v", east)
	}
	sub, err = e.svc.Subtree(e.ctx, tr.west.ID) // the cache must see the move
	must(t, err)
	if !sameSet(sub, tr.west.ID, tr.s3.ID, tr.east.ID, tr.s1.ID, tr.s2.ID) {
		t.Fatalf("west subtree after move %v", sub)
	}

	// Cycles are refused, and nothing changes.
	for _, target := range []string{tr.s1.ID, tr.east.ID} {
		err := e.svc.MoveUnit(e.ctx, e.admin, tr.west.ID, target)
		wantCode(t, err, "org.move_cycle")
		if errs.ClassOf(err) != errs.Unprocessable {
			t.Fatal(err)
		}
	}
	west, _ := e.svc.GetUnit(e.ctx, tr.west.ID)
	if west.ParentID != tr.hq.ID {
		t.Fatalf("refused move changed the unit: %+v", west)
	}

	// A store moves alone; to the root and back.
	must(t, e.svc.MoveUnit(e.ctx, e.admin, tr.s3.ID, ""))
	s3, _ := e.svc.GetUnit(e.ctx, tr.s3.ID)
	if s3.Path != "/"+tr.s3.ID+"/" || s3.ParentID != "" {
		t.Fatalf("root move %+v", s3)
	}
	roots, err := e.svc.ListUnits(e.ctx, "")
	must(t, err)
	if len(roots) != 2 {
		t.Fatalf("roots %+v", roots)
	}
	if moves := e.audit(`{"action":"org.unit_move"}`); len(moves) != 2 || moves[1].Details["units"] == nil {
		t.Fatalf("move audit %+v", moves)
	}
}

func TestOrgUnitValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tr := buildTree(e)
	_, err := e.svc.CreateUnit(e.ctx, e.admin, auth.UnitInput{Kind: "castle", Name: " ", Code: "bad code!"})
	ve, ok := errs.As(err)
	if !ok || len(ve.Fields) != 3 {
		t.Fatalf("want kind, name and code errors, got %v", err)
	}
	_, err = e.svc.CreateUnit(e.ctx, e.admin, auth.UnitInput{Kind: "store", Name: "x", Code: "S9", ParentID: "nope"})
	wantCode(t, err, "org.invalid_unit")
	_, err = e.svc.CreateUnit(e.ctx, e.admin, auth.UnitInput{Kind: "store", Name: "dup", Code: "S1", ParentID: tr.east.ID})
	wantCode(t, err, "org.unit_code_exists")

	// Kinds are data: add one, use it, and it cannot be deleted while used.
	must(t, e.svc.PutUnitKind(e.ctx, e.admin, auth.UnitKind{Key: "counter", Name: "专柜"}))
	c := e.unit("counter", "一楼专柜", "C1", tr.s1.ID)
	wantCode(t, e.svc.DeleteUnitKind(e.ctx, e.admin, "counter"), "org.kind_in_use")
	wantCode(t, e.svc.DeleteUnit(e.ctx, e.admin, tr.s1.ID), "org.unit_not_empty")
	must(t, e.svc.DeleteUnit(e.ctx, e.admin, c.ID))
	must(t, e.svc.DeleteUnitKind(e.ctx, e.admin, "counter"))
	kinds, err := e.svc.ListUnitKinds(e.ctx)
	must(t, err)
	if len(kinds) != 4 {
		t.Fatalf("kinds %+v", kinds)
	}

	u, err := e.svc.UpdateUnit(e.ctx, e.admin, tr.s2.ID, auth.UnitPatch{Name: ptr("淮海中路店")})
	must(t, err)
	if u.Name != "淮海中路店" || u.Version != 2 {
		t.Fatalf("updated %+v", u)
	}

	// Non-admins cannot edit the tree.
	e.createUser("clerk")
	p := e.login("clerk", userPassword).Principal
	_, err = e.svc.CreateUnit(e.ctx, auth.Caller{Principal: p}, auth.UnitInput{Kind: "store", Name: "x", Code: "S7"})
	wantCode(t, err, "auth.forbidden")
	wantCode(t, e.svc.MoveUnit(e.ctx, auth.Caller{Principal: p}, tr.s1.ID, ""), "auth.forbidden")
}

func TestPositionsAreData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ps, err := e.svc.ListPositions(e.ctx)
	must(t, err)
	managers := map[string]bool{}
	for _, p := range ps {
		managers[p.Name] = p.Manager
	}
	if len(ps) != 5 || !managers["店长"] || managers["店员"] || !managers["区域经理"] || !managers["总部管理员"] || !managers["商户管理员"] {
		t.Fatalf("seeded positions %+v", ps)
	}
	must(t, e.svc.PutPosition(e.ctx, e.admin, auth.Position{Key: "cashier", Name: "收银员"}))
	st := e.unit("store", "店", "S1", "")
	e.createUser("cash1", auth.Membership{UnitID: st.ID, Position: "cashier"})
	wantCode(t, e.svc.DeletePosition(e.ctx, e.admin, "cashier"), "org.position_in_use")
	wantCode(t, e.svc.DeletePosition(e.ctx, e.admin, "ghost"), "org.position_not_found")

	// Seeding happens once: a deleted seed stays deleted after a restart.
	must(t, e.svc.DeletePosition(e.ctx, e.admin, "hq_admin"))
	must(t, auth.New(e.st, auth.Config{Hash: fastHash}).Init(e.ctx))
	ps, _ = e.svc.ListPositions(e.ctx)
	for _, p := range ps {
		if p.Key == "hq_admin" {
			t.Fatal("Init re-seeded a deleted position")
		}
	}
}

func ptr[T any](v T) *T { return &v }

// Two server instances share a store: a move made through one is seen by
// the other once its cached Principal has expired (at most PrincipalTTL),
// and then its cached subtrees are right too (the org version counter).
func TestSubtreeCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tr := buildTree(e)
	other := auth.New(e.st, auth.Config{Now: e.clk.Now, Hash: fastHash})
	must(t, other.Init(e.ctx))
	rm := e.createUser("rm2",
		auth.Membership{UnitID: tr.east.ID, Position: "region_manager"},
		auth.Membership{UnitID: tr.s3.ID, Position: "store_clerk"})
	res := e.login("rm2", userPassword)
	p, err := other.Authenticate(e.ctx, res.Token)
	must(t, err)
	if !sameSet(p.UnitSubtree, tr.east.ID, tr.s1.ID, tr.s2.ID, tr.s3.ID) || !sameSet(p.Units, tr.east.ID, tr.s3.ID) {
		t.Fatalf("before: %+v", p)
	}
	must(t, e.svc.MoveUnit(e.ctx, e.admin, tr.s1.ID, tr.west.ID))
	s4 := e.unit("store", "新店", "S4", tr.east.ID)
	e.clk.Add(auth.DefaultPrincipalTTL)
	p, err = other.Authenticate(e.ctx, res.Token)
	must(t, err)
	if !sameSet(p.UnitSubtree, tr.east.ID, tr.s2.ID, tr.s3.ID, s4.ID) || p.UserID != rm.ID {
		t.Fatalf("after: %+v", p.UnitSubtree)
	}
}
