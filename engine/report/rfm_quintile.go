package report

import (
	"context"
	"errors"
	"math/big"
	"slices"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/form"
	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Quintile scoring ("quintiles", the template's method). Each run cuts R,
// F and M of the scored population (the buyers: live members with at
// least one order) at its 20/40/60/80th percentiles:
//
//   - Order each measure's values from worst to best: R by days since the
//     last purchase, most days first (fewer days is better, so R is
//     reversed); F by orders and M by 12-month spend, smallest first.
//   - With N values, cut point k (k = 1..4) is the value at rank
//     ceil(k·N/5) in that order: the best value of the k-th fifth.
//   - A member scores 1 plus the number of cut points strictly worse than
//     its value. A value equal to a cut point therefore goes to the lower
//     (worse) band, and equal values always score the same.
//
// Ties make the bands uneven, and that is expected: when most buyers
// ordered once, F's cut points are 1, 1, 1, 2, so one order scores F 1,
// two orders F 4 and more F 5, and no one scores F 2 or 3. Tiny
// populations do the same: one buyer scores 1 on every measure, four
// distinct values score 1 to 4. R's population is the buyers with a last
// purchase time (one without scores R 1); M's the buyers with a stored
// spend (one without counts as 0).
//
// The cut points come from the store's aggregation (store.Quantiler: one
// pass in SQLite, sorted reads in MongoDB) over the buyers filter; a
// store without it (lungo) gets them from one streaming pass that counts
// each distinct value. R's days are derived from the last purchase times'
// cut points: days since a time only grow as the time gets older, so the
// day of the time at a rank is the days value at that rank.

// RFMCuts are the cut points a quintile run scored with, worst to best:
// R in days since the last purchase (a member with fewer days than
// R[k-1] scores above k), F in orders, M in 12-month spend (yuan).
type RFMCuts struct {
	R []int64  `json:"r"`
	F []string `json:"f"`
	M []string `json:"m"`
}

// rfmQuintiles is the number of bands.
const rfmQuintiles = rfmMaxScore

// rfmBands are a run's cut points per measure (0 R, 1 F, 2 M), as values
// where larger is better: R's are negated days.
type rfmBands [3][]*big.Rat

// band is the score of a value of measure i.
func (b *rfmBands) band(i int, v *big.Rat) int {
	s := 1
	for _, c := range b[i] {
		if c.Cmp(v) < 0 {
			s++
		}
	}
	return s
}

// cuts is b as RFMCuts.
func (b *rfmBands) cuts() *RFMCuts {
	c := &RFMCuts{R: []int64{}, F: []string{}, M: []string{}}
	for _, r := range b[0] {
		c.R = append(c.R, new(big.Rat).Neg(r).Num().Int64())
	}
	for _, r := range b[1] {
		c.F = append(c.F, exactText(r))
	}
	for _, r := range b[2] {
		c.M = append(c.M, exactText(new(big.Rat).Quo(r, big.NewRat(100, 1))))
	}
	return c
}

// buyersFilter selects the scored population.
func buyersFilter(f *form.Form) (*query.Node, error) {
	n, err := query.ParseFilter([]byte(`{"`+RFMFieldOrders+`": {"$gte": 1}}`), f.QFields, query.Options{})
	if err != nil {
		return nil, err
	}
	return query.And(alive, n), nil
}

// rfmBandsOf computes the run's cut points.
func (s *Service) rfmBandsOf(ctx context.Context, f *form.Form, sc *rfmScorer) (*rfmBands, error) {
	buyers, err := buyersFilter(f)
	if err != nil {
		return nil, err
	}
	if q, ok := s.st.(store.Quantiler); ok {
		var asks []store.QuantileAsk
		for _, k := range []string{RFMFieldLast, RFMFieldOrders, RFMFieldSpend} {
			asks = append(asks, store.QuantileAsk{Field: f.QFields[k], N: rfmQuintiles})
		}
		raws, err := q.Quantiles(ctx, f.Coll, nil, buyers, asks)
		if err == nil {
			b := &rfmBands{}
			for _, v := range raws[0] {
				b[0] = append(b[0], sc.goodnessR(v))
			}
			for i := 1; i < 3; i++ {
				for _, v := range raws[i] {
					r := ratOf(v)
					if r == nil {
						return nil, errs.New(errs.Internal, "report.rfm_cut", "the store gave the cut point %v for %s", v, asks[i].Field.Path)
					}
					b[i] = append(b[i], r)
				}
			}
			return b, nil
		}
		if !errors.Is(err, store.ErrUnsupported) && !errs.HasCode(err, store.ErrUnsupported.Code) {
			return nil, err
		}
	}
	return s.streamBands(ctx, f, buyers, sc)
}

// goodnessR is R's value where larger is better: minus the days since a
// last purchase; a time that cannot be read counts as the oldest.
func (sc *rfmScorer) goodnessR(v any) *big.Rat {
	days, ok := sc.daysSince(v)
	if !ok {
		days = 1 << 40
	}
	return big.NewRat(-days, 1)
}

// tally counts each distinct value of one measure.
type tally struct {
	n     map[string]int64
	v     map[string]*big.Rat
	total int64
}

func newTally() *tally { return &tally{n: map[string]int64{}, v: map[string]*big.Rat{}} }

func (t *tally) add(r *big.Rat) {
	k := r.RatString()
	if _, ok := t.v[k]; !ok {
		t.v[k] = r
	}
	t.n[k]++
	t.total++
}

// cuts are the values at ranks ceil(k·N/5), k = 1..4, ascending.
func (t *tally) cuts() []*big.Rat {
	if t.total == 0 {
		return nil
	}
	keys := make([]string, 0, len(t.v))
	for k := range t.v {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return t.v[a].Cmp(t.v[b]) })
	var out []*big.Rat
	seen, i := int64(0), 0
	for k := int64(1); k < rfmQuintiles; k++ {
		rank := (k*t.total + rfmQuintiles - 1) / rfmQuintiles
		for seen+t.n[keys[i]] < rank {
			seen += t.n[keys[i]]
			i++
		}
		out = append(out, t.v[keys[i]])
	}
	return out
}

// streamBands reads the buyers' three values page by page (by id) and
// counts them: memory grows with the distinct values, never with a page
// of documents kept.
func (s *Service) streamBands(ctx context.Context, f *form.Form, buyers *query.Node, sc *rfmScorer) (*rfmBands, error) {
	ts := [3]*tally{newTally(), newTally(), newTally()}
	after := ""
	for {
		filter := buyers
		if after != "" {
			filter = query.And(buyers, query.Cmp(query.IDField, query.OpGt, query.Str(after)))
		}
		docs, err := s.st.Find(ctx, f.Coll, store.Query{Filter: filter, Sort: []query.SortKey{{Field: query.IDField}}, Limit: rfmPage,
			Fields: []string{RFMFieldLast, RFMFieldOrders, RFMFieldSpend}})
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if v := d[RFMFieldLast]; v != nil {
				ts[0].add(sc.goodnessR(v))
			}
			for i, k := range []string{RFMFieldOrders, RFMFieldSpend} {
				if r := ratOf(d[k]); r != nil {
					ts[i+1].add(r)
				}
			}
		}
		if len(docs) < rfmPage {
			break
		}
		after, _ = docs[len(docs)-1]["_id"].(string)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	b := &rfmBands{}
	for i, t := range ts {
		b[i] = t.cuts()
	}
	return b, nil
}
