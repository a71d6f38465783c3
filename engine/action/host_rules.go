package action

import (
	"context"

	"github.com/tangram/tangram/engine/access"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/query"
)

// rulesEvaluate is rules.evaluate(ruleKey, inputs, at?): the published
// decision table's answer {matched, outputs, list, ...} for inputs, at the
// instant at (RFC 3339; default now()). Like records, it needs the read
// right on the rule for the principal the action runs as: a rule is
// business data (a points rate, a discount), and an action that declares
// runAs is how callers without that right still use it.
func (h *host) rulesEvaluate(ctx context.Context, list []any) (any, error) {
	a := h.args("rules.evaluate", list)
	key, err := a.str(0, "ruleKey")
	if err != nil {
		return nil, err
	}
	inputs, err := a.obj(1, "inputs", false)
	if err != nil {
		return nil, err
	}
	at := h.s.now()
	if s, err := a.optStr(2, "at"); err != nil {
		return nil, err
	} else if s != "" {
		if at, err = query.ParseTime(s, query.DefaultLocation); err != nil {
			return nil, a.prop("at", "datetime")
		}
	}
	if err := h.s.guard.Check(ctx, h.p, access.Target{App: h.a.app, Kind: meta.KindRule, Key: key}, access.Read); err != nil {
		return nil, err
	}
	return h.s.rules.Evaluate(ctx, h.a.app, key, inputs, at)
}
