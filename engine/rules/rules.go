// Package rules evaluates decision tables (规则表): the "rule" definitions
// of an app. A table has typed input columns, typed output columns and rows
// of cells; a hit policy says what the matching rows produce. Tables are
// data, evaluated in Go without scripts, and compiled once per published
// revision so an evaluation costs a few microseconds.
//
// Cells use the operator spelling of the query filter language ($eq $ne $in
// $nin $gt $gte $lt $lte $contains), so one vocabulary runs through the
// product, but not its grammar: a cell is a constant or one flat object of
// operators on one column, never $and/$or/$not or nested filters. That
// restriction is what makes a cell a plain set of values (an interval, a
// finite or co-finite set, a membership test), which the save-time analysis
// needs to prove a row unreachable, two rows ambiguous or a range
// uncovered; and it lets evaluation compare typed values directly instead
// of walking a general filter AST.
package rules

import "encoding/json"

// HitPolicy says what a table returns when several rows match.
type HitPolicy string

// Hit policies.
const (
	// First: the first matching row in table order.
	First HitPolicy = "first"
	// Priority: the matching row with the highest priority; ties go to the
	// earlier row (the save check refuses ties with different outputs).
	Priority HitPolicy = "priority"
	// Collect: the outputs of every matching row, in table order.
	Collect HitPolicy = "collect"
	// Sum: every output summed over the matching rows, exactly.
	Sum HitPolicy = "sum"
)

// Type is the type of a column.
type Type string

// Column types.
const (
	TypeString   Type = "string"
	TypeInt      Type = "int"      // integers: points, fen, counts
	TypeDecimal  Type = "decimal"  // exact decimals, never float
	TypeDate     Type = "date"     // "2026-10-01"
	TypeDatetime Type = "datetime" // RFC 3339 instants
	TypeBool     Type = "bool"
	TypeList     Type = "list" // a set of strings, e.g. a basket's categories
)

// Spec is the body of a "rule" definition. The meta-schema
// (engine/meta/schemas/rule.json) documents every property; this is its Go
// shape.
type Spec struct {
	Title       json.RawMessage `json:"title"`
	Description json.RawMessage `json:"description,omitempty"`
	HitPolicy   HitPolicy       `json:"hitPolicy"`
	TimeZone    string          `json:"timeZone,omitempty"`
	Inputs      []Column        `json:"inputs"`
	Outputs     []Column        `json:"outputs"`
	Rows        []Row           `json:"rows"`
}

// Column is an input or output column.
type Column struct {
	Key         string          `json:"key"`
	Label       json.RawMessage `json:"label,omitempty"`
	Description json.RawMessage `json:"description,omitempty"`
	Type        Type            `json:"type"`
	Options     []string        `json:"options,omitempty"`
	// Required is for inputs: an evaluation without it is refused.
	Required bool `json:"required,omitempty"`
	// Default is for outputs: used when no row matches and for a
	// matching row's blank cell.
	Default json.RawMessage `json:"default,omitempty"`
}

// Row is one rule: cells by input key, values by output key.
type Row struct {
	When      map[string]json.RawMessage `json:"when"`
	Then      map[string]json.RawMessage `json:"then"`
	Priority  int64                      `json:"priority,omitempty"`
	ValidFrom string                     `json:"validFrom,omitempty"`
	ValidTo   string                     `json:"validTo,omitempty"`
	Note      string                     `json:"note,omitempty"`
}
