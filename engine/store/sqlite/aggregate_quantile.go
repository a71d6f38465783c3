package sqlite

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// Quantile thresholds (store.Quantiler) in one pass: a Go aggregate,
// tangram_quantiles_<n>, collects the non-null values of the group and
// returns the values at ranks ceil(k*N/n) as a JSON array. Sorting in the
// aggregate costs one pass and one in-memory sort of the column (8 bytes a
// number), where n-1 sorted reads with OFFSET would sort n-1 times.

var _ store.Quantiler = (*Store)(nil)

func quantileFunc(n int) string { return "tangram_quantiles_" + strconv.Itoa(n) }

func init() {
	for n := 2; n <= store.MaxQuantiles; n++ {
		aggregateFuncs = append(aggregateFuncs, aggregateFunc{name: quantileFunc(n), make: func() aggImpl { return &quantileAgg{n: n} }})
	}
}

// Quantiles returns the thresholds of every asked field, from one pass.
func (s *Store) Quantiles(ctx context.Context, coll string, lookups []store.Lookup, filter *query.Node, asks []store.QuantileAsk) (out [][]any, err error) {
	defer s.observe("aggregate", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if len(asks) == 0 || len(asks) > 8 {
		return nil, store.Wrapf(store.ErrInvalid, nil, "ask for the quantiles of 1 to 8 fields")
	}
	o := s.read
	c, from, err := o.aggSource(ctx, coll, lookups, nil)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	b.w("SELECT ")
	for i, q := range asks {
		if q.N < 2 || q.N > store.MaxQuantiles {
			return nil, store.Wrapf(store.ErrInvalid, nil, "quantiles take n from 2 to %d", store.MaxQuantiles)
		}
		if q.Field.Array {
			return nil, store.Wrapf(store.ErrInvalid, nil, "cannot take quantiles of the list field %q", q.Field.Path)
		}
		r, rest := c.ref(q.Field.Path)
		x, err := r.expr(rest)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.w(", ")
		}
		b.w(quantileFunc(q.N), "(", x, ")")
	}
	b.w(" FROM ")
	b.add(from)
	b.w(" WHERE ")
	if err := c.filter(&b, filter, 0); err != nil {
		return nil, err
	}
	raws := make([]*string, len(asks))
	dest := make([]any, len(asks))
	for i := range raws {
		dest[i] = &raws[i]
	}
	if _, err := o.r.queryRow(ctx, b.b.String(), b.args, dest...); err != nil {
		return nil, mapErr(err)
	}
	out = make([][]any, len(asks))
	for i, raw := range raws {
		if raw == nil {
			continue
		}
		d := json.NewDecoder(bytes.NewReader([]byte(*raw)))
		d.UseNumber()
		if err := d.Decode(&out[i]); err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// quantileAgg accumulates one group's values in SQLite's order: integers
// and reals by value (integers stay exact while no real is seen), then
// text bytewise. Blobs are skipped.
type quantileAgg struct {
	n      int
	ints   []int64
	floats []float64
	texts  []string
}

func (q *quantileAgg) add(v any) {
	switch x := v.(type) {
	case int64:
		q.ints = append(q.ints, x)
	case float64:
		q.floats = append(q.floats, x)
	case string:
		q.texts = append(q.texts, x)
	}
}

// result is the JSON array of thresholds, or nil (SQL NULL) for no values.
func (q *quantileAgg) result() any {
	total := len(q.ints) + len(q.floats) + len(q.texts)
	if total == 0 {
		return nil
	}
	numbers := len(q.ints) + len(q.floats)
	var at func(i int) any
	if len(q.floats) == 0 {
		slices.Sort(q.ints)
		at = func(i int) any { return json.Number(strconv.FormatInt(q.ints[i], 10)) }
	} else {
		for _, i := range q.ints {
			q.floats = append(q.floats, float64(i))
		}
		slices.Sort(q.floats)
		at = func(i int) any { return json.Number(strconv.FormatFloat(q.floats[i], 'f', -1, 64)) }
	}
	slices.Sort(q.texts)
	out := make([]any, 0, q.n-1)
	for k := 1; k < q.n; k++ {
		r := (k*total + q.n - 1) / q.n // ceil(k*N/n), 1-based
		if r <= numbers {
			out = append(out, at(r-1))
		} else {
			out = append(out, q.texts[r-1-numbers])
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}
