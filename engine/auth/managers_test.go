package auth_test

import (
	"testing"

	"github.com/tangram/tangram/engine/auth"
)

func TestManagerChain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tr := buildTree(e)
	clerk := e.createUser("clerk", auth.Membership{UnitID: tr.s1.ID, Position: "store_clerk"})
	sm := e.createUser("sm", auth.Membership{UnitID: tr.s1.ID, Position: "store_manager"})
	sm2 := e.createUser("sm2", auth.Membership{UnitID: tr.s1.ID, Position: "store_manager"})
	rm := e.createUser("rm", auth.Membership{UnitID: tr.east.ID, Position: "region_manager"})
	hqa := e.createUser("hqa", auth.Membership{UnitID: tr.hq.ID, Position: "hq_admin"})
	e.createUser("other", auth.Membership{UnitID: tr.s2.ID, Position: "store_manager"}) // a sibling store
	gone := e.createUser("gone", auth.Membership{UnitID: tr.east.ID, Position: "region_manager"})
	must(t, e.svc.SetDisabled(e.ctx, e.admin, gone.ID, true))

	chain, err := e.svc.ManagerChain(e.ctx, clerk.ID, 0)
	must(t, err)
	if len(chain) != 3 ||
		chain[0].UnitID != tr.s1.ID || !sameSet(chain[0].UserIDs, sm.ID, sm2.ID) ||
		chain[1].UnitID != tr.east.ID || !sameSet(chain[1].UserIDs, rm.ID) ||
		chain[2].UnitID != tr.hq.ID || !sameSet(chain[2].UserIDs, hqa.ID) {
		t.Fatalf("clerk chain %+v", chain)
	}
	chain, err = e.svc.ManagerChain(e.ctx, sm.ID, 1)
	must(t, err)
	if len(chain) != 1 || !sameSet(chain[0].UserIDs, sm2.ID) {
		t.Fatalf("store manager's first level %+v", chain)
	}
	// A unit without another enabled manager is skipped: the region
	// manager's chain starts at HQ.
	chain, err = e.svc.ManagerChain(e.ctx, rm.ID, 0)
	must(t, err)
	if len(chain) != 1 || chain[0].UnitID != tr.hq.ID {
		t.Fatalf("region manager chain %+v", chain)
	}
}
