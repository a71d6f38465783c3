package report

import (
	"bytes"
	"encoding/json"
)

// Spec is a report definition's spec (meta kind "report", schemaVersion
// 2; the meta-schema is engine/meta/schemas/report.json). A report is one
// dataset — a form, joined through relation fields — filtered, grouped by
// dimensions into measures, shown as a chart.
type Spec struct {
	Title       json.RawMessage `json:"title"`
	Description json.RawMessage `json:"description,omitempty"`
	Dataset     Dataset         `json:"dataset"`
	Parameters  []Param         `json:"parameters,omitempty"`
	Dimensions  []Dimension     `json:"dimensions,omitempty"`
	Measures    []Measure       `json:"measures"`
	Segments    *Segments       `json:"segments,omitempty"`
	// Sort orders rows by outputs: "-sales,region".
	Sort string `json:"sort,omitempty"`
	// Limit keeps the first rows (after sort); Others adds one row
	// aggregating everything past them ("top 10 stores and the rest").
	Limit  int  `json:"limit,omitempty"`
	Others bool `json:"others,omitempty"`
	// Compare adds each measure's value in other periods:
	// "previousPeriod" (as long, just before) and "lastYear" (same dates a
	// year earlier), over the report's date range parameter.
	Compare []string `json:"compare,omitempty"`
	// Subtotals adds a row per value of each leading dimension prefix and
	// a grand total, each aggregated exactly (pivot tables).
	Subtotals bool `json:"subtotals,omitempty"`
	// Totals adds one grand-total row.
	Totals bool `json:"totals,omitempty"`
	// TimeZone buckets dates and reads date-only bounds; default
	// Asia/Shanghai.
	TimeZone string     `json:"timeZone,omitempty"`
	Rollup   *RollupDef `json:"rollup,omitempty"`
	Chart    *Chart     `json:"chart,omitempty"`
	// List makes each row one record of the dataset (list.go).
	List bool `json:"list,omitempty"`
}

// Dataset is the rows a report aggregates.
type Dataset struct {
	Form   string          `json:"form"`
	Filter json.RawMessage `json:"filter,omitempty"`
	Joins  []Join          `json:"joins,omitempty"`
}

// Join follows a single-record relation field of the form (or of an
// earlier join: "member.homeStore") to the related record, whose fields
// are then named As + "." + key ("store.region").
type Join struct {
	Relation string `json:"relation"`
	As       string `json:"as"`
}

// Param is a value the caller (or a dashboard) supplies at run time,
// applied as a filter on Field.
//
//   - "dateRange": {"from": "2026-01-01", "to": "2026-01-31"} (whole days,
//     inclusive, in the report's zone) or a preset name (see presets.go).
//   - "value": a value of the field's type (eq) or a list of them (in).
type Param struct {
	Key      string          `json:"key"`
	Type     string          `json:"type"`
	Field    string          `json:"field"`
	Label    json.RawMessage `json:"label,omitempty"`
	Required bool            `json:"required,omitempty"`
	Default  json.RawMessage `json:"default,omitempty"`
}

// Parameter types.
const (
	ParamDateRange = "dateRange"
	ParamValue     = "value"
)

// Dimension groups rows by a field: its value, its date Bucket, its Bins
// (number, date or time ranges: the key is the range's index), or its
// Quantiles (n equal-count ranges computed from the data: the key is the
// score 1..n, higher values scoring higher).
type Dimension struct {
	Field     string          `json:"field"`
	Bucket    string          `json:"bucket,omitempty"`
	Bins      []any           `json:"bins,omitempty"`
	Quantiles int             `json:"quantiles,omitempty"`
	As        string          `json:"as,omitempty"`
	Label     json.RawMessage `json:"label,omitempty"`
	// Pairs groups by pairs of a sub-table column's values held together
	// in one record (basket analysis, pairs.go); it takes no Field.
	Pairs *PairsDef `json:"pairs,omitempty"`
}

// Measure is one computed column. Op is count, sum, avg, min, max,
// countDistinct (over Field, only of the rows matching Filter when set),
// or formula (arithmetic over earlier measures: "sales / orders").
// Cumulative turns a count or sum into a running total along the first
// date dimension, starting from the total before the period.
type Measure struct {
	Op         string          `json:"op"`
	Field      string          `json:"field,omitempty"`
	Filter     json.RawMessage `json:"filter,omitempty"`
	Formula    string          `json:"formula,omitempty"`
	As         string          `json:"as,omitempty"`
	Label      json.RawMessage `json:"label,omitempty"`
	Format     string          `json:"format,omitempty"`
	Decimals   *int            `json:"decimals,omitempty"`
	Cumulative bool            `json:"cumulative,omitempty"`
	// MinRows (countDistinct only) counts only the values found in at
	// least MinRows of the group's rows that match Filter: members with 2
	// or more orders in the period (minrows.go).
	MinRows *int `json:"minRows,omitempty"`
}

// Segments regroups the rows by named rules over integer dimensions (RFM
// scores): a row belongs to the first rule whose ranges all contain its
// values, else to Else. The dimensions listed in a rule are replaced by
// the segment; measures are re-aggregated over the rows of each segment.
type Segments struct {
	As    string          `json:"as"`
	Label json.RawMessage `json:"label,omitempty"`
	Rules []SegmentRule   `json:"rules"`
	Else  *SegmentRule    `json:"else,omitempty"`
}

// SegmentRule names a segment and its inclusive ranges per dimension:
// {"R": [3, 5], "F": [1, 2]}.
type SegmentRule struct {
	Key   string           `json:"key"`
	Label json.RawMessage  `json:"label,omitempty"`
	When  map[string][]int `json:"when,omitempty"`
}

// Chart is how the UI shows the result (a registered chart type) and its
// settings.
type Chart struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
}

// RollupDef asks for a per-day summary table kept current on write (see
// rollup.go). DateField is the time field whose day the rows are summed
// by; Grain lists further fields of the form to keep (the dimensions',
// filters' and parameters' fields, the references joins follow, and the
// fields roles scope the form by).
type RollupDef struct {
	DateField string   `json:"dateField"`
	Grain     []string `json:"grain,omitempty"`
}

// Measure formats tell the UI how to show a value.
const (
	FormatNumber  = "number"
	FormatMoney   = "money"   // integer fen shown as yuan
	FormatPercent = "percent" // a ratio shown as a percentage
)

// DecodeSpec reads a spec strictly: unknown properties are an error, as in
// the meta-schema.
func DecodeSpec(raw []byte) (*Spec, error) {
	var s Spec
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(&s); err != nil {
		return nil, err
	}
	return &s, nil
}
