package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// reportQuantiles checks store.Quantiler against the sorted values of the
// reference views: the value at rank ceil(k*N/n) for k = 1..n-1, over the
// rows an aggregation with the same lookups and filter would group.
func (s *suite) reportQuantiles(t *testing.T) {
	if s.h.NoAggregate != "" {
		t.Skip(s.h.NoAggregate)
	}
	st := s.open(t)
	qs, ok := st.(store.Quantiler)
	if !ok {
		t.Fatalf("the store (%T) does not implement store.Quantiler", st)
	}
	f := s.loadReport(t, st)
	views := f.views()
	filters := map[string]string{
		"all":            ``,
		"joined filter":  `{"store.region":"south"}`,
		"matches none":   `{"channel":"none"}`,
		"list and scope": `{"$or":[{"store.tags":{"$contains":"mall"}},{"mem.tier":"gold"}]}`,
	}
	for name, fj := range filters {
		for _, path := range []string{"qty", "amount", "at", "mem.points"} {
			for _, n := range []int{2, 3, 5, 10} {
				t.Run(fmt.Sprintf("%s/%s/%d", name, path, n), func(t *testing.T) {
					field := f.fields[path]
					filter, err := query.ParseFilter([]byte(fj), f.fields, query.Options{})
					mustNil(t, err, "parse")
					var vals []any
					for _, v := range views {
						if matches(v, query.RenamePaths(filter, f.rename)) {
							if x := lookup(v, f.rename(path)); x != nil {
								vals = append(vals, x)
							}
						}
					}
					slices.SortFunc(vals, func(a, b any) int { c, _ := compare(field.Kind, a, b); return c })
					var want []any
					for k := 1; k < n && len(vals) > 0; k++ {
						want = append(want, vals[(k*len(vals)+n-1)/n-1])
					}
					// Asked together with another field, as reports ask.
					both, err := qs.Quantiles(t.Context(), f.sales, f.lookups, filter, []store.QuantileAsk{{Field: field, N: n}, {Field: f.fields["qty"], N: 3}})
					mustNil(t, err, "quantiles")
					if len(both) != 2 {
						t.Fatalf("%d answers for 2 fields", len(both))
					}
					got := both[0]
					if len(got) != len(want) {
						t.Fatalf("got %v, want %v", got, want)
					}
					for i := range want {
						if c, ok := compare(field.Kind, want[i], got[i]); !ok || c != 0 {
							t.Fatalf("threshold %d: got %v, want %v (all %v, want %v)", i+1, got[i], want[i], got, want)
						}
					}
				})
			}
		}
	}
	for _, n := range []int{1, store.MaxQuantiles + 1} {
		_, err := qs.Quantiles(t.Context(), f.sales, nil, nil, []store.QuantileAsk{{Field: f.fields["qty"], N: n}})
		wantRefused(t, err, "n = %d", n)
	}
	_, err := qs.Quantiles(t.Context(), f.sales, nil, nil, nil)
	wantRefused(t, err, "no fields")
	_, err = qs.Quantiles(t.Context(), f.sales, nil, nil, []store.QuantileAsk{{Field: f.fields["store.tags"], N: 4}})
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("quantiles of a list field: got %v, want ErrInvalid", err)
	}
}
