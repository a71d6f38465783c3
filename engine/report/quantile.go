package report

import (
	"context"
	"fmt"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Quantile dimensions score each row 1..n by where its value falls among
// the values of all rows in the run (RFM: quintiles of recency,
// frequency, monetary). The thresholds come from the store
// (store.Quantiler, one pass) under the run's own filter and row scope,
// then the dimension groups by bins at those thresholds.

func (c *Compiled) checkQuantiles(dp *dimPlan, at string, p *problems) {
	switch {
	case dp.quantiles < 2 || dp.quantiles > store.MaxQuantiles:
		p.addf(at+".quantiles", "report.invalid", "quantiles must be between 2 and %d", store.MaxQuantiles)
	case dp.fi.q.Array:
	case dp.fi.q.Kind != query.KindInt && dp.fi.q.Kind != query.KindDecimal && dp.fi.q.Kind != query.KindTime && dp.fi.q.Kind != query.KindDate:
		p.addf(at+".field", "report.invalid", "quantiles apply to number, date and time fields, not %q", dp.fi.q.Path)
	}
}

// scoring is a quantile dimension resolved for one run: the distinct
// thresholds the store groups by, and the score of each bin index.
type scoring struct {
	bins   []query.Value
	scores []int // by bin index 0..len(bins)
}

// score of a bin index; 0 (unknown) outside.
func (s *scoring) score(bin int64) int {
	if bin < 0 || int(bin) >= len(s.scores) {
		return 0
	}
	return s.scores[bin]
}

// resolveQuantiles asks the store for the thresholds of each quantile
// dimension. A score counts the thresholds at or below the value, plus
// one: with thresholds [1, 1, 1, 2] (most members bought once) a member
// with one order scores 4 and one with two scores 5, so scores keep their
// meaning when values repeat.
func (c *Compiled) resolveQuantiles(ctx context.Context, st store.Store, lookups []store.Lookup, filter *query.Node) (map[string]*scoring, error) {
	out := map[string]*scoring{}
	var dims []*dimPlan
	var asks []store.QuantileAsk
	a := &query.Aggregate{Filter: filter}
	for _, d := range c.dims {
		if d.quantiles > 0 {
			dims = append(dims, d)
			asks = append(asks, store.QuantileAsk{Field: d.fi.q, N: d.quantiles})
			a.Group = append(a.Group, query.GroupKey{Field: d.fi.q})
		}
	}
	if len(asks) == 0 {
		return out, nil
	}
	q, ok := st.(store.Quantiler)
	if !ok {
		return nil, errs.New(errs.Unavailable, "report.unsupported", "this store cannot compute quantiles")
	}
	// All quantile dimensions at once: one pass over the records.
	raws, err := q.Quantiles(ctx, c.cat.forms[""].Coll, pickLookups(lookups, a), filter, asks)
	if err != nil {
		return nil, err
	}
	for i, d := range dims {
		sc := &scoring{scores: []int{1}}
		var thresholds []query.Value
		for _, v := range raws[i] {
			thresholds = append(thresholds, valueOf(d.fi.q.Kind, v))
		}
		for _, t := range thresholds {
			if n := len(sc.bins); n > 0 && query.CompareValues(sc.bins[n-1], t) == 0 {
				continue
			}
			sc.bins = append(sc.bins, t)
			at := 0
			for _, u := range thresholds {
				if query.CompareValues(u, t) <= 0 {
					at++
				}
			}
			sc.scores = append(sc.scores, at+1)
		}
		out[d.as] = sc
	}
	return out, nil
}

// valueOf reads a threshold (json.Number or text) as a value of kind k;
// integer fields may yield decimal thresholds (averaged floats never do,
// but a store may return "12.0").
func valueOf(k query.Kind, v any) query.Value {
	s := fmt.Sprint(v)
	switch k {
	case query.KindInt, query.KindDecimal:
		if i, ok := query.ToInt(v); ok {
			return query.Int(i)
		}
		return query.Dec(s)
	case query.KindDate:
		return query.DateV(s)
	}
	return query.TimeV(s)
}
