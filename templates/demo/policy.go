package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/meta"
	"github.com/tangram/tangram/engine/rules"
)

// The loyalty rules the history is generated under. When the app has the
// template's decision tables published (tier-levels, points-earn,
// topup-bonus), the generator evaluates them, so tiers, points and top-up
// bonuses in the demo data are what the app's own rules say; an app
// without them (the tests' minimal forms) gets the contract's defaults
// below. A published table that cannot evaluate the generator's inputs
// fails the generation rather than being skipped.

// Rule table keys (the data contract).
const (
	ruleTiers  = "tier-levels"
	rulePoints = "points-earn"
	ruleTopup  = "topup-bonus"
)

// policy answers the three loyalty questions of the simulation.
type policy struct {
	tiers, points, topup *rules.Table
}

// loadPolicy compiles the published tables of app (those present).
func loadPolicy(ctx context.Context, m *meta.Service, app string) (*policy, error) {
	svc := rules.New(m)
	p := &policy{}
	for key, dst := range map[string]**rules.Table{ruleTiers: &p.tiers, rulePoints: &p.points, ruleTopup: &p.topup} {
		t, err := svc.Published(ctx, app, key)
		switch {
		case err == nil:
			*dst = t
		case errs.ClassOf(err) != errs.NotFound:
			return nil, fmt.Errorf("rule %s: %w", key, err)
		}
	}
	return p, nil
}

// Default tiers: thresholds of rolling 12-month spend and points rates.
var defaultTiers = []struct {
	from int64 // fen
	tier string
	rate decimal.Decimal
}{{20_000_00, "diamond", decimal.NewFromInt(2)}, {8_000_00, "gold", decimal.RequireFromString("1.5")},
	{2_000_00, "silver", decimal.RequireFromString("1.2")}, {0, "normal", decimal.NewFromInt(1)}}

// tier is the tier that 12-month spend (fen) gives, with its points rate.
func (p *policy) tier(spendFen int64) (string, decimal.Decimal, error) {
	if p.tiers == nil {
		for _, t := range defaultTiers {
			if spendFen >= t.from {
				return t.tier, t.rate, nil
			}
		}
		return "normal", decimal.NewFromInt(1), nil
	}
	res, err := p.tiers.Evaluate(map[string]any{"spend12m": decimal.New(spendFen, -2)}, time.Time{}, rules.Options{})
	if err != nil {
		return "", decimal.Zero, fmt.Errorf("rule %s: %w", ruleTiers, err)
	}
	tier, _ := res.Outputs["tier"].(string)
	if tier == "" {
		tier = "normal"
	}
	return tier, decimalOf(res.Outputs["pointsRate"], decimal.NewFromInt(1)), nil
}

// multiplier is the points multiplier of a category at a store at a
// moment: the points-earn table's, or double on the Spring Festival and
// National Day holidays.
func (p *policy) multiplier(tier, storeCode, category string, at time.Time, flags uint8) (decimal.Decimal, error) {
	if p.points == nil {
		if flags&(flagSpringFestival|flagNationalDay) != 0 {
			return decimal.NewFromInt(2), nil // 节假日双倍积分
		}
		return decimal.NewFromInt(1), nil
	}
	in := map[string]any{"tier": tier, "store": storeCode, "category": category, "day": at}
	res, err := p.points.Evaluate(in, at, rules.Options{})
	if err != nil {
		return decimal.Zero, fmt.Errorf("rule %s: %w", rulePoints, err)
	}
	return decimalOf(res.Outputs["multiplier"], decimal.NewFromInt(1)), nil
}

// earned is the points of a sale as the template's checkout counts them:
// per category (in the order categories first appear on the receipt),
// the category's amount less its share of the discount (rounded down,
// the last category taking the rest), times the tier's rate and the
// multiplier, in whole yuan rounded down.
func (p *policy) earned(tier string, rate decimal.Decimal, storeCode string, lines []line, amount, discount int64, at time.Time, flags uint8) (int64, error) {
	var order []string
	byCat := map[string]int64{}
	for _, l := range lines {
		if _, ok := byCat[l.Product.Category]; !ok {
			order = append(order, l.Product.Category)
		}
		byCat[l.Product.Category] += l.Amount
	}
	var total, shared int64
	for i, c := range order {
		share := discount - shared
		if i < len(order)-1 {
			share = discount * byCat[c] / max(amount, 1)
		}
		shared += share
		m, err := p.multiplier(tier, storeCode, c, at, flags)
		if err != nil {
			return 0, err
		}
		pts := decimal.NewFromInt(byCat[c] - share).Mul(rate).Mul(m).Shift(-2).Floor().IntPart()
		total += max(pts, 0)
	}
	return total, nil
}

// bonus is the stored-value bonus (fen) of a top-up (fen): 充100送10,
// 充500送60, 充1000送150 by default.
func (p *policy) bonus(amountFen int64) (int64, error) {
	if p.topup == nil {
		switch {
		case amountFen >= 1000_00:
			return 150_00, nil
		case amountFen >= 500_00:
			return 60_00, nil
		case amountFen >= 100_00:
			return 10_00, nil
		}
		return 0, nil
	}
	res, err := p.topup.Evaluate(map[string]any{"amount": decimal.New(amountFen, -2)}, time.Time{}, rules.Options{})
	if err != nil {
		return 0, fmt.Errorf("rule %s: %w", ruleTopup, err)
	}
	return decimalOf(res.Outputs["bonus"], decimal.Zero).Shift(2).Floor().IntPart(), nil
}

// decimalOf reads a table output (decimal, integer or text).
func decimalOf(v any, def decimal.Decimal) decimal.Decimal {
	switch x := v.(type) {
	case decimal.Decimal:
		return x
	case int64:
		return decimal.NewFromInt(x)
	case string:
		if d, err := decimal.NewFromString(x); err == nil {
			return d
		}
	}
	return def
}
