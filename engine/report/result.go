package report

// Result is one run of a report: typed columns, rows keyed by column,
// optional others/total/subtotal rows, and a chart spec the UI renders
// with Apache ECharts.
type Result struct {
	Report  string `json:"report"`
	Version int    `json:"version"`
	Title   string `json:"title"`
	// Parameters are the values the run used, defaults and presets
	// resolved (a date range as {"from","to"}).
	Parameters map[string]any    `json:"parameters"`
	Periods    map[string]Period `json:"periods,omitempty"` // "current" and each comparison
	Columns    []Column          `json:"columns"`
	Rows       []map[string]any  `json:"rows"`
	// Others aggregates every row past the limit (top N and the rest).
	Others map[string]any `json:"others,omitempty"`
	// Totals is the grand total over all rows (not only the first N).
	Totals    map[string]any `json:"totals,omitempty"`
	Subtotals []Subtotal     `json:"subtotals,omitempty"`
	// Truncated says more rows matched than the result holds.
	Truncated bool       `json:"truncated"`
	Chart     *ChartSpec `json:"chart,omitempty"`
	// Source is where the numbers came from: "raw" (the records) or
	// "rollup" (the report's per-day summary).
	Source string `json:"source"`
	Cached bool   `json:"cached"`

	lang string // of the labels, for chart texts
}

// Column describes one key of the rows.
type Column struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Role is dimension, measure, compare (a measure in another period)
	// or change (its relative change: current / compared - 1).
	Role string `json:"role"`
	// Type is the value's kind: string, int, decimal, bool, date, time.
	Type string `json:"type"`
	// Format tells the UI how to show numbers: number, money (fen shown
	// as yuan), percent.
	Format string `json:"format,omitempty"`
	// Field is the dataset path of a dimension or measure.
	Field string `json:"field,omitempty"`
	// Bucket, for a date dimension.
	Bucket string `json:"bucket,omitempty"`
	// Labels maps stored values to what people read: option labels of a
	// select, titles of related records, segment names.
	Labels map[string]string `json:"labels,omitempty"`
	// Of and Compare name the measure and comparison of a compare or
	// change column.
	Of      string `json:"of,omitempty"`
	Compare string `json:"compare,omitempty"`
}

// Column roles.
const (
	RoleDimension = "dimension"
	RoleMeasure   = "measure"
	RoleCompare   = "compare"
	RoleChange    = "change"
)

// Subtotal is the rows of one level of a pivot: grouped by the first
// Level dimensions (0: the grand total).
type Subtotal struct {
	Level int              `json:"level"`
	Rows  []map[string]any `json:"rows"`
}

// ChartSpec is the chart of a result: its registered type and the
// ECharts option (or, for table, pivot and KPI, the settings the UI
// component reads).
type ChartSpec struct {
	Type   string         `json:"type"`
	Option map[string]any `json:"option"`
}

// compareKey names the column of measure m in comparison cmp.
func compareKey(m, cmp string) string { return m + "__" + cmp }

// changeKey names the column of m's relative change against cmp.
func changeKey(m, cmp string) string { return m + "__" + cmp + "_change" }
