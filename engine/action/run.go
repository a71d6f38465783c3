package action

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/script"
	"github.com/tangram/tangram/engine/store"
)

// backstop is the deadline of the run's context, after the script's own:
// the script engine's watchdog interrupts JavaScript at the script's
// deadline, but never early and, on a saturated machine, up to about
// twice late (it counts its own wake-ups, not wall time), and it cannot
// interrupt a host call waiting in the store. The context ends such a
// call, so a run never holds the writer for long past its time limit.
func backstop(timeout time.Duration) time.Duration { return 2*timeout + time.Second }

// Run runs the published action of app for p with input (a JSON value;
// empty means {}). See the package documentation for what a run does.
// Errors are coded: 403 without the run right, 404 for an unknown or
// unpublished action, 422 action.input with every schema error's path,
// 409 action.idempotency_mismatch, 422 script.error / script.timeout with
// the reason in o.Lang, and host errors with their own codes
// (ledger.insufficient_balance, record.validation, ...). A failed run
// writes nothing.
func (s *Service) Run(ctx context.Context, p *auth.Principal, app, key string, input json.RawMessage, o Options) (Result, error) {
	start := time.Now()
	lang := o.Lang
	ctx = form.WithLang(ctx, lang)
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAction, Key: key}, access.Run); err != nil {
		return Result{}, err
	}
	a, err := s.definition(ctx, app, key)
	if err != nil {
		return Result{}, err
	}
	res, err := s.run(ctx, p, a, input, o, lang)
	s.runs.add(a, p, o, res, err, time.Since(start))
	return res, err
}

func (s *Service) run(ctx context.Context, caller *auth.Principal, a *compiled, raw json.RawMessage, o Options, lang string) (Result, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	in, err := decodeJSON(raw)
	if err != nil {
		return Result{}, coded(lang, errs.Invalid, "action.malformed")
	}
	if err := validate(a.input, raw, in, lang, "action.input"); err != nil {
		return Result{}, err
	}
	var c *claim
	if o.IdempotencyKey != "" {
		canonical, err := json.Marshal(in) // map keys sorted: one hash per input
		if err != nil {
			return Result{}, coded(lang, errs.Invalid, "action.malformed")
		}
		if c, err = newClaim(caller, a.app, a.key, o.IdempotencyKey, canonical, lang); err != nil {
			return Result{}, err
		}
		// The common retry is answered without a transaction.
		if out, err := c.lookup(ctx, s.st, lang); out != nil || err != nil {
			return Result{Output: out, Replayed: err == nil}, err
		}
	}
	if s.ledger != nil {
		// Idempotent and cheap once done; the ledger cannot do it inside
		// the transaction.
		if err := s.ledger.Init(ctx); err != nil {
			return Result{}, err
		}
	}
	p := caller
	if a.runAs != "" {
		p = runAs(caller, a.app, a.runAs)
	}
	var sp *speculation
	speculated := false // a speculation to commit; its outcome goes to a.spec
	if s.speculate && !s.specAlways && !a.spec.try() {
		s.spec.skipped.Add(1)
	} else if s.speculate {
		sp = s.speculateRun(ctx, a, caller, p, in, o, lang)
		if sp.final(ctx) {
			return Result{Logs: sp.logs}, sp.err
		}
		if !sp.usable() {
			a.spec.record(true)
			sp = nil
		}
		speculated = sp != nil
	}
	var res Result
	body := func(tx store.Ops) error {
		// A retried transaction (MongoDB) starts over from nothing.
		res = Result{}
		if sp != nil {
			// The key is not looked up first: its insert (finish) fails
			// if a concurrent run stored it meanwhile, and that run's
			// response is then replayed (below). A read less per run.
			fresh, err := sp.commit(ctx, tx)
			if err != nil {
				return err
			}
			if !fresh {
				// Stale: nothing written yet, so the run is done again
				// here, inside this turn, where nothing changes under it.
				sp = nil
			}
		}
		if sp == nil && c != nil {
			if out, err := c.lookup(ctx, tx, lang); out != nil || err != nil {
				return &replay{output: out, err: err}
			}
		}
		var out []byte
		var err error
		if sp != nil {
			out, res.Logs, err = sp.out, sp.logs, sp.err
		} else {
			out, res.Logs, err = s.execute(ctx, tx, a, caller, p, in, o, lang)
		}
		if err != nil {
			return err
		}
		if err := s.finish(ctx, tx, a, caller, o, c, out); err != nil {
			return err
		}
		res.Output = out
		return nil
	}
	err = s.st.Tx(ctx, body)
	if errors.Is(err, errDiverged) {
		// A replayed write gave another result than the speculation's:
		// its turn rolled back, the run is done inside the next one.
		sp = nil
		err = s.st.Tx(ctx, body)
	}
	if speculated {
		// sp is nil once the speculation was stale or diverged: wasted.
		a.spec.record(sp == nil)
	}
	// Forms first compiled inside the transaction get their indexes now.
	// A failure only leaves queries slower, and the next use of the form
	// outside a transaction tries again, so it does not fail the run.
	_ = s.records.EnsurePendingIndexes(ctx)
	var rp *replay
	if errors.As(err, &rp) {
		return Result{Output: rp.output, Replayed: rp.err == nil}, rp.err
	}
	if err != nil && c != nil {
		// A concurrent first attempt won (MongoDB, or a speculative run's
		// commit): its response is the answer to this one too.
		if out, lerr := c.lookup(ctx, s.st, lang); out != nil || lerr != nil {
			return Result{Output: out, Replayed: lerr == nil}, lerr
		}
	}
	if err != nil {
		return Result{Logs: res.Logs}, err
	}
	return res, nil
}

// execute runs the script against ops (the transaction, or a speculative
// run's specOps) and returns its output as JSON, validated against the
// output schema.
func (s *Service) execute(ctx context.Context, ops store.Ops, a *compiled, caller, p *auth.Principal, in any, o Options, lang string) ([]byte, []string, error) {
	h := s.newHost(ops, a, caller, p, o, lang)
	rctx, cancel := context.WithTimeout(ctx, backstop(a.timeout))
	defer cancel()
	rr, err := s.scripts.Run(rctx, a.program, script.RunOptions{Timeout: a.timeout, Globals: h.globals(), Input: in})
	if err != nil && rctx.Err() != nil && ctx.Err() == nil {
		// The backstop ended the run (in a host call, or before a late
		// watchdog): for the caller that is the script's time limit.
		return nil, rr.Logs, timeoutProblem(err, a.timeout, lang)
	}
	if h.poison != nil {
		// The script caught the error of a host call that had already
		// written part of its work; that part cannot be undone alone.
		return nil, rr.Logs, h.poison
	}
	if err != nil {
		return nil, rr.Logs, scriptProblem(err, a.timeout, lang)
	}
	out, err := json.Marshal(rr.Value)
	if err != nil {
		return nil, rr.Logs, coded(lang, errs.Unprocessable, "script.output", err.Error())
	}
	if a.output != nil {
		if err := validate(a.output, out, nil, lang, "action.output"); err != nil {
			return nil, rr.Logs, err
		}
	}
	return out, rr.Logs, nil
}

// finish writes, in the run's transaction, the audit entry of a
// successful run and its idempotency key with the response.
func (s *Service) finish(ctx context.Context, tx store.Ops, a *compiled, caller *auth.Principal, o Options, c *claim, out []byte) error {
	if s.audit != nil {
		details := map[string]any{"version": a.version}
		if a.runAs != "" {
			details["runAs"] = a.runAs
		}
		if o.IdempotencyKey != "" {
			details["idempotencyKey"] = o.IdempotencyKey
		}
		err := s.audit.RecordTx(ctx, tx, auth.Entry{Actor: caller.Actor(), ActorName: actorName(caller), Action: "action.run",
			App: a.app, Target: "action:" + a.key, Details: details, IP: o.IP, RequestID: o.RequestID})
		if err != nil {
			return err
		}
	}
	if c != nil {
		return c.store(ctx, tx, caller, a, out, query.FormatTime(s.now()))
	}
	return nil
}

// runAs is the principal of an action that runs with a role's rights:
// the caller's identity, units and positions (audit, history and the
// role's $user.* scopes stay the caller's) with that one role instead of
// the caller's roles and admin flag. An API key keeps narrowing it to its
// apps.
func runAs(caller *auth.Principal, app, role string) *auth.Principal {
	p := *caller
	p.Admin = false
	p.Roles = []auth.RoleRef{{App: app, Role: role}}
	return &p
}

func actorName(p *auth.Principal) string {
	if p.Username != "" {
		return p.Username
	}
	return p.Actor()
}
