package rules

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tangram/tangram/engine/errs"
	"github.com/tangram/tangram/engine/query"
)

// Result is what an evaluation produced.
type Result struct {
	// Matched reports whether at least one row matched. When none did, the
	// outputs that have defaults still carry them.
	Matched bool
	// Rows are the indexes of the rows used: the one chosen under first
	// and priority, every matching row under collect and sum.
	Rows []int
	// Outputs is the answer of first, priority and sum tables, by output
	// key. Values are string, int64, decimal.Decimal, bool, []string, or
	// text for dates ("2026-10-01") and datetimes (UTC, query.FormatTime).
	Outputs map[string]any
	// List is the answer of collect tables: one entry per used row.
	List []map[string]any
	// Trace explains every row, when asked for.
	Trace []RowTrace
	// HitPolicy and Version say which table answered; At is the instant
	// the effective dates were checked against.
	HitPolicy HitPolicy
	Version   int
	At        time.Time
}

// RowTrace says why a row did or did not match.
type RowTrace struct {
	Row     int  `json:"row"`
	Matched bool `json:"matched"`
	// Used is true when the row contributed to the result (under first
	// and priority a later or lower row may match and not be used).
	Used bool `json:"used"`
	// FailedColumn is the first input column, in column order, whose cell
	// did not accept the input.
	FailedColumn string `json:"failedColumn,omitempty"`
	// Inactive is "notYetValid" or "expired" when the evaluation instant
	// is outside the row's validFrom/validTo; its cells were not tried.
	Inactive string `json:"inactive,omitempty"`
}

// MarshalJSON writes outputs for first/priority/sum tables and list for
// collect tables, always present so clients need not test for null.
func (r Result) MarshalJSON() ([]byte, error) {
	type out struct {
		Matched   bool             `json:"matched"`
		HitPolicy HitPolicy        `json:"hitPolicy"`
		Version   int              `json:"version,omitempty"`
		At        string           `json:"at"`
		Rows      []int            `json:"rows"`
		Outputs   map[string]any   `json:"outputs,omitempty"`
		List      []map[string]any `json:"list,omitempty"`
		Trace     []RowTrace       `json:"trace,omitempty"`
	}
	o := out{Matched: r.Matched, HitPolicy: r.HitPolicy, Version: r.Version, At: query.FormatTime(r.At),
		Rows: r.Rows, Outputs: r.Outputs, Trace: r.Trace}
	if o.Rows == nil {
		o.Rows = []int{}
	}
	if r.HitPolicy == Collect {
		// omitempty would drop an empty list; a raw "[]" keeps it.
		b, err := json.Marshal(struct {
			out
			List []map[string]any `json:"list"`
		}{o, nonNilList(r.List)})
		return b, err
	}
	if o.Outputs == nil {
		o.Outputs = map[string]any{}
	}
	return json.Marshal(struct {
		out
		Outputs map[string]any `json:"outputs"`
	}{o, o.Outputs})
}

func nonNilList(l []map[string]any) []map[string]any {
	if l == nil {
		return []map[string]any{}
	}
	return l
}

// Options tune one evaluation.
type Options struct {
	// Trace explains every row; it tries all rows, so it costs more.
	Trace bool
}

// ErrInvalidInput is the 422 for inputs that do not fit the table; its
// fields point at "inputs.<key>".
var ErrInvalidInput = errs.New(errs.Unprocessable, "rule.invalid_input", "the inputs do not fit the decision table")

// ErrOverflow is returned when an int sum leaves the 64-bit range.
var ErrOverflow = errs.New(errs.Unprocessable, "rule.overflow", "the sum does not fit in a 64-bit integer")

// maxStackInputs is how many input columns are bound without a heap
// allocation.
const maxStackInputs = 8

// Evaluate runs the table on inputs (by input key) at instant at (the zero
// time means now), which decides the rows' effective dates. Inputs are
// JSON-decoded values (json.Number numbers) or Go values: int64, float64
// from scripts, decimal.Decimal, time.Time, []string.
func (t *Table) Evaluate(inputs map[string]any, at time.Time, opt Options) (Result, error) {
	var buf [maxStackInputs]value
	var vals []value
	if n := len(t.inputs); n > maxStackInputs {
		vals = make([]value, n)
	} else {
		vals = buf[:n]
	}
	if err := t.bind(inputs, vals); err != nil {
		return Result{}, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	res := Result{HitPolicy: t.policy, Version: t.version, At: at}
	now := at.UnixNano()
	if at.Before(minInstant) || at.After(maxInstant) {
		return Result{}, errs.New(errs.Unprocessable, "rule.at", "the evaluation time is outside the supported years 1678 to 2262")
	}
	var used []int
	if opt.Trace {
		res.Trace = make([]RowTrace, len(t.rows))
		for i := range t.rows {
			res.Trace[i] = t.rows[i].explain(i, vals, now, t.inputs)
		}
		used = t.pick(func(i int) bool { return res.Trace[i].Matched })
		for _, i := range used {
			res.Trace[i].Used = true
		}
	} else {
		used = t.pick(func(i int) bool { return t.rows[i].matches(vals, now) })
	}
	res.Matched = len(used) > 0
	res.Rows = used
	switch t.policy {
	case Collect:
		res.List = make([]map[string]any, len(used))
		for k, i := range used {
			res.List[k] = t.outputsOf(&t.rows[i])
		}
	case Sum:
		out, err := t.sum(used)
		if err != nil {
			return Result{}, err
		}
		res.Outputs = out
	default:
		if len(used) == 1 {
			res.Outputs = t.outputsOf(&t.rows[used[0]])
		} else {
			res.Outputs = t.outputsOf(nil)
		}
	}
	return res, nil
}

// pick returns the rows the hit policy uses, given which rows match: first
// and priority stop at the first match in t.order.
func (t *Table) pick(matches func(int) bool) []int {
	switch t.policy {
	case First, Priority:
		for _, i := range t.order {
			if matches(i) {
				return []int{i}
			}
		}
		return nil
	}
	var used []int
	for i := range t.rows {
		if matches(i) {
			used = append(used, i)
		}
	}
	return used
}

// matches reports whether the row applies at now and accepts vals.
func (r *row) matches(vals []value, now int64) bool {
	if (r.hasFrom && now < r.from) || (r.hasTo && now >= r.to) {
		return false
	}
	for k := range r.match {
		m := &r.match[k]
		if !m.match(&vals[m.col]) {
			return false
		}
	}
	return true
}

// explain is matches with the reason.
func (r *row) explain(i int, vals []value, now int64, cols []inputCol) RowTrace {
	tr := RowTrace{Row: i}
	switch {
	case r.hasFrom && now < r.from:
		tr.Inactive = "notYetValid"
		return tr
	case r.hasTo && now >= r.to:
		tr.Inactive = "expired"
		return tr
	}
	for k := range r.match {
		m := &r.match[k]
		if !m.match(&vals[m.col]) {
			tr.FailedColumn = cols[m.col].Key
			return tr
		}
	}
	tr.Matched = true
	return tr
}

// outputsOf returns a row's outputs with blanks filled from the defaults;
// a nil row gives the defaults alone.
func (t *Table) outputsOf(r *row) map[string]any {
	out := make(map[string]any, len(t.outputs))
	for oi := range t.outputs {
		o := &t.outputs[oi]
		switch {
		case r != nil && r.then[oi].set:
			out[o.Key] = goValue(o.Type, &r.then[oi])
		case o.hasDef:
			out[o.Key] = goValue(o.Type, &o.def)
		}
	}
	return out
}

// sum adds every output over the used rows: exactly, as scaled integers
// while they fit and as decimals beyond. A blank cell adds nothing; with no
// row used the default stands, or 0.
func (t *Table) sum(used []int) (map[string]any, error) {
	out := make(map[string]any, len(t.outputs))
	for oi := range t.outputs {
		o := &t.outputs[oi]
		if len(used) == 0 && o.hasDef {
			out[o.Key] = goValue(o.Type, &o.def)
			continue
		}
		var n int64
		exact := true
		big := decimal.Zero
		for _, i := range used {
			v := &t.rows[i].then[oi]
			if !v.set {
				continue
			}
			if o.Type == TypeDecimal && (!v.scaled || !exact) {
				if exact {
					big, exact = decimal.New(n, o.scale), false
				}
				big = big.Add(v.d)
				continue
			}
			s := n + v.n
			if (v.n > 0 && s < n) || (v.n < 0 && s > n) {
				if o.Type == TypeInt {
					return nil, errs.New(ErrOverflow.Class, ErrOverflow.Code, "output %q: %s", o.Key, ErrOverflow.Msg)
				}
				big, exact = decimal.New(n, o.scale).Add(v.d), false
				continue
			}
			n = s
		}
		switch {
		case o.Type == TypeInt:
			out[o.Key] = n
		case exact:
			out[o.Key] = decimal.New(n, o.scale)
		default:
			out[o.Key] = big
		}
	}
	return out, nil
}

// bind validates inputs against the columns into vals. Every problem is
// reported at once, at "inputs.<key>".
func (t *Table) bind(inputs map[string]any, vals []value) error {
	var fe []errs.FieldError
	found := 0
	for ci := range t.inputs {
		c := &t.inputs[ci]
		raw, given := inputs[c.Key]
		if given {
			found++
		}
		if raw == nil {
			if c.Required {
				fe = append(fe, errs.FieldError{Path: "inputs" + keyPath(c.Key), Code: "rule.required", Message: "is required"})
			}
			continue
		}
		v, why := parseInput(c, raw)
		if why != "" {
			fe = append(fe, errs.FieldError{Path: "inputs" + keyPath(c.Key), Code: "rule.input", Message: why})
			continue
		}
		switch c.Type {
		case TypeDecimal:
			v.scaleTo(c.scale)
		case TypeString:
			if id, known := c.ids[v.s]; known {
				v.n = id
			} else {
				v.n = -1
			}
		}
		vals[ci] = v
	}
	// Looking the columns up is cheaper than walking the map; only when
	// some key matched no column is the map walked to name it.
	if found < len(inputs) {
		for k := range inputs {
			if _, ok := t.index[k]; !ok {
				fe = append(fe, errs.FieldError{Path: "inputs" + keyPath(k), Code: "rule.unknown_input",
					Message: fmt.Sprintf("is not an input of this table (inputs: %s)", t.inputKeys())})
			}
		}
	}
	return errs.Validation(ErrInvalidInput.Class, ErrInvalidInput.Code, ErrInvalidInput.Msg, fe)
}

// parseInput reads one input value, checking options.
func parseInput(c *inputCol, raw any) (value, string) {
	var v value
	if c.Type == TypeList {
		switch x := raw.(type) {
		case []string:
			v = value{set: true, list: x}
		case []any:
			list := make([]string, len(x))
			for i, it := range x {
				s, ok := it.(string)
				if !ok {
					return value{}, expectations[TypeList]
				}
				list[i] = s
			}
			v = value{set: true, list: list}
		default:
			return value{}, expectations[TypeList]
		}
	} else {
		var why string
		if v, why = parseScalar(c.Type, raw, c.loc); why != "" {
			return value{}, why
		}
	}
	if c.opts != nil {
		bad := func(s string) (value, string) {
			return value{}, fmt.Sprintf("%q is not one of %s", s, strings.Join(c.Options, ", "))
		}
		if c.Type == TypeString && !c.opts[v.s] {
			return bad(v.s)
		}
		for _, s := range v.list {
			if !c.opts[s] {
				return bad(s)
			}
		}
	}
	return v, ""
}

func (t *Table) inputKeys() string {
	ks := make([]string, len(t.inputs))
	for i, c := range t.inputs {
		ks[i] = c.Key
	}
	return strings.Join(ks, ", ")
}
