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

// Quantiles returns the n-quantile thresholds of field.
func (s *Store) Quantiles(ctx context.Context, coll string, lookups []store.Lookup, filter *query.Node, field query.Field, n int) (out []any, err error) {
	defer s.observe("aggregate", s.now(), &err)
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	if n < 2 || n > store.MaxQuantiles {
		return nil, store.Wrapf(store.ErrInvalid, nil, "quantiles take n from 2 to %d", store.MaxQuantiles)
	}
	if field.Array {
		return nil, store.Wrapf(store.ErrInvalid, nil, "cannot take quantiles of the list field %q", field.Path)
	}
	o := s.read
	c, from, err := o.aggSource(ctx, coll, lookups, nil)
	if err != nil {
		return nil, err
	}
	r, rest := c.ref(field.Path)
	x, err := r.expr(rest)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	b.w("SELECT ", quantileFunc(n), "(", x, ") FROM ")
	b.add(from)
	b.w(" WHERE ")
	if err := c.filter(&b, filter, 0); err != nil {
		return nil, err
	}
	var raw *string
	if _, err := o.r.queryRow(ctx, b.b.String(), b.args, &raw); err != nil {
		return nil, mapErr(err)
	}
	if raw == nil {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader([]byte(*raw)))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		return nil, mapErr(err)
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
