package automation

import (
	"context"
	"encoding/json"
	"regexp"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/ext"
	"github.com/tangram/tangram/engine/ledger"
	"github.com/tangram/tangram/engine/query"
)

// ledger.post posts to a ledger account (engine/ledger), by default the
// run's record's, with the action's idempotency key as the entry's key:
//
//	{"kind": "points", "unit": "point", "amount": 100, "type": "gift", "ref": "birthday"}
//
// amount may be "$steps.<id>.points" and the like; it must come out a
// non-zero integer (points, fen). Mirrors kept by an app's own actions
// (a member's points field) are not touched: post through action.run for
// those.
type ledgerPost struct {
	kind, unit, owner, typ, ref string
	amount                      any
	expiresAt                   string
}

type ledgerPostConfig struct {
	Kind      string `json:"kind"`
	Unit      string `json:"unit"`
	Amount    any    `json:"amount"`
	Owner     string `json:"owner,omitempty"`
	Type      string `json:"type"`
	Ref       string `json:"ref,omitempty"`
	ExpiresAt string `json:"expiresAt,omitempty"`
}

var (
	ledgerKindRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	ledgerTypeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

// Run posts the entry and returns it.
func (a *ledgerPost) Run(ctx context.Context, x *Exec) (any, error) {
	amount, ok := query.ToInt(x.Expand(a.amount))
	if !ok || amount == 0 {
		return nil, coded(x.Lang, errs.Unprocessable, "automation.ledger_bad_amount")
	}
	owner := x.Run.Record
	if a.owner != "" {
		owner = x.ExpandString(a.owner)
	}
	if owner == "" {
		return nil, coded(x.Lang, errs.Unprocessable, "automation.no_record")
	}
	p := ledger.Posting{App: x.Run.App, Owner: owner, Kind: a.kind, Unit: ledger.Unit(a.unit), Amount: amount, Key: x.Key,
		Type: a.typ, Ref: x.ExpandString(a.ref), By: "automation:" + x.Run.Automation,
		Meta: map[string]any{"automation": x.Run.Automation, "run": x.Run.ID}}
	if a.expiresAt != "" {
		t, err := query.ParseTime(x.ExpandString(a.expiresAt), query.DefaultLocation)
		if err != nil {
			return nil, errs.New(errs.Unprocessable, "automation.ledger_expiry", "expiresAt is not a time: %v", err)
		}
		p.ExpiresAt = t
	}
	return x.Svc.ledger.Post(ctx, x.Tx, p)
}

func init() {
	RegisterAction(ActionType{
		Spec: ext.Spec{Key: "ledger.post", Version: 1, Group: "ledger",
			Title: map[string]string{"zh-CN": "记账（积分/储值）", "en": "Post to a ledger"},
			Config: json.RawMessage(`{"type":"object","required":["kind","unit","amount","type"],"additionalProperties":false,"properties":{` +
				`"kind":{"type":"string"},"unit":{"enum":["point","fen"]},"amount":{},"owner":{"type":"string"},"type":{"type":"string"},` +
				`"ref":{"type":"string"},"expiresAt":{"type":"string"}}}`),
			Examples: []json.RawMessage{json.RawMessage(`{"kind":"points","unit":"point","amount":100,"type":"gift"}`)}},
		Compile: func(raw json.RawMessage) (Action, []errs.FieldError) {
			var c ledgerPostConfig
			if err := decodeStrict(raw, &c); err != nil {
				return nil, configErrors(err)
			}
			var fe []errs.FieldError
			if !ledgerKindRe.MatchString(c.Kind) {
				fe = append(fe, fieldErr("kind", "automation.bad_kind", "a ledger kind such as points")...)
			}
			if c.Unit != string(ledger.UnitPoint) && c.Unit != string(ledger.UnitFen) {
				fe = append(fe, fieldErr("unit", "automation.bad_unit", "point or fen")...)
			}
			switch v := c.Amount.(type) {
			case string:
				if len(v) < 2 || v[0] != '$' {
					fe = append(fe, fieldErr("amount", "automation.bad_amount", "an integer, or a variable such as $steps.rule.points")...)
				}
			case json.Number:
				if n, err := v.Int64(); err != nil || n == 0 {
					fe = append(fe, fieldErr("amount", "automation.bad_amount", "a non-zero integer (points or fen)")...)
				}
			default:
				fe = append(fe, fieldErr("amount", "automation.bad_amount", "a non-zero integer (points or fen)")...)
			}
			if !ledgerTypeRe.MatchString(c.Type) {
				fe = append(fe, fieldErr("type", "automation.bad_type", "an entry type such as gift")...)
			}
			return &ledgerPost{kind: c.Kind, unit: c.Unit, amount: c.Amount, owner: c.Owner, typ: c.Type, ref: c.Ref, expiresAt: c.ExpiresAt}, fe
		},
	})
}
