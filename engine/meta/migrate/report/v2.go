// Package report holds the schemaVersion steps of the "report" definition
// kind.
package report

import "github.com/tangram/tangram/engine/meta/migrate"

func init() { migrate.Register("report", 1, v2) }

// v2 adds optional properties only (parameters, segments, bins and
// quantiles, conditional and cumulative measures, the cyclic buckets,
// others, comparisons, subtotals, totals, time zone, rollup; joins through
// a relation of an earlier join). Every version 1 spec means the same in
// version 2, so the step changes nothing; it exists so that the number
// says which properties a reader must understand.
func v2(spec map[string]any) (map[string]any, error) { return spec, nil }
