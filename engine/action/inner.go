package action

import (
	"context"
	"encoding/json"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/auth"
	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/store"
)

// Running an action inside another engine's transaction. A workflow's
// on-enter step runs an action as part of the transition: the action's
// writes, the record's new state and the transition's history commit
// together, so RunIn runs the script through the caller's tx instead of
// opening its own, with the same checks (run right, input schema, output
// schema) and the same host API as Run. There is no idempotency key: the
// caller's transaction is the unit that commits once. An error means the
// caller must fail its transaction (some of the action's writes may have
// gone through tx already).

// Prepare does what a run needs outside any transaction (the ledger's
// indexes); call it before the transaction that calls RunIn. It costs
// nothing once done.
func (s *Service) Prepare(ctx context.Context) error {
	if s.ledger == nil {
		return nil
	}
	return s.ledger.Init(ctx)
}

// RunIn runs the published action key of app for p through tx, with input
// (any JSON value; nil means {}), and returns its output as JSON. Errors
// are those of Run, messages in lang.
func (s *Service) RunIn(ctx context.Context, tx store.Ops, p *auth.Principal, app, key string, input any, lang string) (json.RawMessage, error) {
	if err := s.guard.Check(ctx, p, access.Target{App: app, Kind: meta.KindAction, Key: key}, access.Run); err != nil {
		return nil, err
	}
	a, err := s.definition(ctx, app, key)
	if err != nil {
		return nil, err
	}
	if input == nil {
		input = map[string]any{}
	}
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, coded(lang, errs.Invalid, "action.malformed")
	}
	in, err := decodeJSON(raw)
	if err != nil {
		return nil, coded(lang, errs.Invalid, "action.malformed")
	}
	if err := validate(a.input, raw, in, lang, "action.input"); err != nil {
		return nil, err
	}
	runner := p
	if a.runAs != "" {
		runner = runAs(p, a.app, a.runAs)
	}
	o := Options{Lang: lang}
	out, _, err := s.execute(ctx, tx, a, p, runner, in, o, lang)
	if err != nil {
		return nil, err
	}
	// The run's audit entry, in the caller's transaction like its writes.
	if err := s.finish(ctx, tx, a, p, o, nil, out); err != nil {
		return nil, err
	}
	return out, nil
}
