package action

import (
	"context"

	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// ExpireAction is the action an app publishes to follow its ledgers'
// expiries: the CRM template's keeps the member's points mirror.
const ExpireAction = "ledger-expired"

// OnLedgerExpire is the ledger's ExpireHook (ledger.SetExpireHook): it
// runs the app's ExpireAction, when it has one, inside the expiry's
// transaction with the entry as input {entry: {...}}, as the system (the
// action's runAs role applies as in any run). An app without the action
// has nothing to follow. An error fails the lot's expiry, so the balance
// and what mirrors it never part.
func (s *Service) OnLedgerExpire(ctx context.Context, tx store.Ops, e ledger.Entry) error {
	if _, err := s.meta.Published(ctx, e.App, meta.KindAction, ExpireAction); errs.HasCode(err, meta.ErrNotPublished.Code) ||
		errs.HasCode(err, meta.ErrNotFound.Code) {
		return nil
	}
	in := map[string]any{"entry": map[string]any{"id": e.ID, "owner": e.Owner, "kind": e.Kind, "unit": string(e.Unit),
		"amount": e.Amount, "balanceAfter": e.BalanceAfter, "key": e.Key, "type": e.Type}}
	_, err := s.RunIn(ctx, tx, auth.System().Principal, e.App, ExpireAction, in, "zh-CN")
	return err
}
