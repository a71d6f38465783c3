package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/server/openapi"
)

// The ledger API: what admins and auditors need around the balances that
// actions post (points, stored value). Posting itself happens inside
// actions (one transaction with the sale); manual adjustments with approval
// are a CRM workflow, so there is no posting endpoint here.
//
// Rights. There is no "ledger" kind of definition to grant rights on, so
// the app is the target:
//   - reading accounts and entries needs the read right on the app
//     (a role entry of kind "app") without a row scope: a scope is a filter
//     over a form's fields, which ledger entries do not have, so a scoped
//     reader could otherwise see every member's balance;
//   - reconcile and expire need the design right on the app (a platform
//     admin has it): they are operations on the whole app's data. API keys
//     never pass (keys never design).

const ledgerBase = "/api/apps/:app/ledger"

func ledgerComponents(sp *openapi.Spec) {
	str, integer := openapi.Schema{"type": "string"}, openapi.Schema{"type": "integer"}
	ts := openapi.Schema{"type": "string", "format": "date-time"}
	alloc := openapi.Schema{"type": "object", "properties": openapi.Schema{"lot": str, "amount": integer}}
	sp.Component("LedgerAccount", openapi.Schema{"type": "object",
		"description": "One balance of one owner. Amounts are integers in the account's unit (point or fen).",
		"properties": openapi.Schema{"id": str, "app": str, "owner": str, "kind": str,
			"unit":          openapi.Schema{"type": "string", "enum": []string{"point", "fen"}},
			"balance":       openapi.Schema{"type": "integer", "description": "includes expired lots not yet processed"},
			"lotsRemaining": openapi.Schema{"type": "integer", "description": "what is left of credits that expire"},
			"createdAt":     ts, "updatedAt": ts, "version": integer}})
	sp.Component("LedgerEntry", openapi.Schema{"type": "object", "description": "One immutable change of an account.",
		"properties": openapi.Schema{"id": str, "account": str, "app": str, "owner": str, "kind": str, "unit": str,
			"amount":       openapi.Schema{"type": "integer", "description": "> 0 credit, < 0 debit"},
			"balanceAfter": integer, "key": openapi.Schema{"type": "string", "description": "idempotency key, unique per app"},
			"type": str, "ref": str,
			"lot":        openapi.Schema{"type": "string", "description": "the lot a credit with expiry created"},
			"expiresAt":  ts,
			"lots":       openapi.Schema{"type": "array", "items": alloc, "description": "lots a debit used, or a reversal refilled"},
			"reverses":   openapi.Schema{"type": "string", "description": "the entry a reversal undoes"},
			"requestKey": str, "at": ts, "by": str, "meta": openapi.Schema{"type": "object"}}})
	sp.Component("LedgerReconcileReport", openapi.Schema{"type": "object", "properties": openapi.Schema{
		"app": str, "accounts": integer, "entries": integer,
		"method": openapi.Schema{"type": "string", "enum": []string{"aggregate", "scan"}},
		"mismatches": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "object", "properties": openapi.Schema{
			"account": str, "owner": str, "kind": str, "balance": integer, "sumOfEntries": integer,
			"lotsRemaining": integer, "accountLots": integer,
			"problems": openapi.Schema{"type": "array", "items": openapi.Schema{"type": "string", "enum": []string{
				ledger.ProblemBalance, ledger.ProblemNegative, ledger.ProblemLotsTotal, ledger.ProblemLotsOverdrawn, ledger.ProblemNegativeLot}}},
		}}}}})
	sp.Component("LedgerExpireResult", openapi.Schema{"type": "object", "properties": openapi.Schema{
		"expired": openapi.Schema{"type": "integer", "description": "lots expired by this run"},
		"failed":  openapi.Schema{"type": "integer"}}})
}

func (s *Server) ledgerRoutes(r *Router) {
	ledgerComponents(r.spec)
	// The ledger creates its indexes on first use (Init is idempotent).
	l := ledger.New(s.deps.Store, ledger.Options{})
	r.Handle(openapi.Operation{Method: "GET", Path: ledgerBase + "/accounts", ID: "listLedgerAccounts", Tag: "ledger",
		Summary:     "An owner's ledger accounts (read right on the app, unscoped)",
		Description: "owner is e.g. a member record id; one account per kind (points, sv_principal, ...).",
		Params:      []openapi.Param{{Name: "owner", In: "query", Required: true, Description: "the accounts' owner"}},
		Response:    openapi.Schema{"type": "array", "items": openapi.Ref("LedgerAccount")}, Errors: []int{400, 404},
	}, func(c *fiber.Ctx) error {
		app := param(c, "app")
		if err := s.canReadLedger(c, app); err != nil {
			return err
		}
		owner := strings.Clone(c.Query("owner"))
		if owner == "" {
			return &errs.Error{Class: errs.Invalid, Code: "request.query", Msg: "bad query parameter",
				Fields: []errs.FieldError{{Path: "owner", Code: "request.query", Message: "is required"}}}
		}
		accts, err := l.Accounts(c.UserContext(), app, owner)
		if err != nil {
			return err
		}
		return c.JSON(nonNil(accts))
	})
	r.Handle(openapi.Operation{Method: "GET", Path: ledgerBase + "/entries", ID: "listLedgerEntries", Tag: "ledger",
		Summary:     "Ledger entries, newest first (read right on the app, unscoped)",
		Description: "Every filter is optional; owner with kind lists one account.",
		Params: []openapi.Param{
			{Name: "owner", In: "query"}, {Name: "kind", In: "query"},
			{Name: "ref", In: "query", Description: "e.g. a receipt id"},
			{Name: "type", In: "query", Description: "earn, redeem, expire, reversal, ..."},
			{Name: "limit", In: "query", Schema: openapi.Schema{"type": "integer", "minimum": 0, "maximum": ledger.MaxPageSize, "default": ledger.DefaultPageSize}},
			cursorP,
		},
		Response: openapi.Schema{"type": "object", "required": []string{"items"}, "properties": openapi.Schema{
			"items": openapi.Schema{"type": "array", "items": openapi.Ref("LedgerEntry")},
			"next":  openapi.Schema{"type": "string", "description": "cursor of the next page; absent on the last page"}}},
		Errors: []int{400, 404},
	}, func(c *fiber.Ctx) error {
		app := param(c, "app")
		if err := s.canReadLedger(c, app); err != nil {
			return err
		}
		limit, err := intQuery(c, "limit", ledger.DefaultPageSize, ledger.MaxPageSize)
		if err != nil {
			return err
		}
		f := ledger.EntryFilter{Owner: strings.Clone(c.Query("owner")), Kind: strings.Clone(c.Query("kind")),
			Ref: strings.Clone(c.Query("ref")), Type: strings.Clone(c.Query("type"))}
		pg, err := l.Entries(c.UserContext(), app, f, limit, strings.Clone(c.Query("cursor")))
		if err != nil {
			return err
		}
		return c.JSON(pg)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: ledgerBase + "/reconcile", ID: "reconcileLedger", Tag: "ledger",
		Summary: "Check every account against its entries and lots (design right on the app)",
		Description: "Invariants: balance = sum of entries; balance >= 0; the account's lotsRemaining = sum of its lots' " +
			"remaining; that sum <= balance; no lot below zero. Read-only; the run is audited.",
		Response: openapi.Ref("LedgerReconcileReport"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		app := param(c, "app")
		if err := s.canRunLedger(c, app); err != nil {
			return err
		}
		rep, err := l.Reconcile(c.UserContext(), app)
		if err != nil {
			return err
		}
		s.audit(c, auth.Entry{Action: "ledger.reconcile", App: app, Target: "app:" + app,
			Details: map[string]any{"accounts": rep.Accounts, "mismatches": len(rep.Mismatches)}})
		return c.JSON(rep)
	})
	r.Handle(openapi.Operation{Method: "POST", Path: ledgerBase + "/expire", ID: "expireLedgerLots", Tag: "ledger",
		Summary: "Expire every lot due now (design right on the app)",
		Description: "Posts one \"expire\" debit per lot past its expiry, keyed \"expire:<lot>\": safe to run on several " +
			"instances at once and again. The scheduler runs the same thing; this runs it now. Audited.",
		Response: openapi.Ref("LedgerExpireResult"), Errors: []int{404},
	}, func(c *fiber.Ctx) error {
		app := param(c, "app")
		if err := s.canRunLedger(c, app); err != nil {
			return err
		}
		res, err := l.Expire(c.UserContext(), app, time.Now())
		s.audit(c, auth.Entry{Action: "ledger.expire", App: app, Target: "app:" + app,
			Details: map[string]any{"expired": res.Expired, "failed": res.Failed}})
		if err != nil {
			return err
		}
		return c.JSON(res)
	})
}

// canReadLedger requires the read right on the whole app with no row
// scope, then that the app exists.
func (s *Server) canReadLedger(c *fiber.Ctx, app string) error {
	d, err := s.deps.Guard.Decide(c.UserContext(), principal(c), appTarget(app), access.Read)
	if err != nil {
		return err
	}
	if !d.All {
		return access.ErrForbidden
	}
	return s.appExists(c, app)
}

// canRunLedger requires the design right on the app, then that it exists.
func (s *Server) canRunLedger(c *fiber.Ctx, app string) error {
	if err := s.deps.Guard.Check(c.UserContext(), principal(c), appTarget(app), access.Design); err != nil {
		return err
	}
	return s.appExists(c, app)
}

// appExists answers 404 for an app that was never defined (asked only
// after the rights check, so it tells nothing to those without rights).
func (s *Server) appExists(c *fiber.Ctx, app string) error {
	_, err := s.deps.Meta.Get(c.UserContext(), app, meta.KindApp, app)
	return err
}
