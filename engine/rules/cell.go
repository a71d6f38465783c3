package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// cond is a compiled cell: the values of one input column that the cell
// accepts. Its operators are ANDed. On scalar columns that is an optional
// interval (lo, hi), an optional set the value must be in, and a set it
// must not be in; on list columns, elements that must all be present,
// groups of which at least one element must be present, and elements that
// must be absent.
type cond struct {
	col int
	typ Type

	hasLo, loIncl bool
	lo            value
	hasHi, hiIncl bool
	hi            value
	hasIn         bool
	in            []value
	inSet         map[int64]struct{} // by value.n, when in is long
	out           []value
	outSet        map[int64]struct{}

	all, none []string
	anyOf     [][]string

	// raw is the cell as written, compacted: rows with equal raw cells
	// elsewhere form one group in the gap analysis.
	raw string
}

// setThreshold is the size from which sets are looked up in a map rather
// than scanned; below it a scan is faster.
const setThreshold = 8

// match reports whether the cell accepts v. A missing scalar is accepted
// only by cells without positive conditions ($ne and $nin), as in query
// filters; a missing list is an empty list.
func (c *cond) match(v *value) bool {
	if c.typ == TypeList {
		return c.matchList(v.list)
	}
	if !v.set {
		return !c.hasIn && !c.hasLo && !c.hasHi
	}
	if c.hasLo {
		if k := cmpValues(c.typ, v, &c.lo); k < 0 || (k == 0 && !c.loIncl) {
			return false
		}
	}
	if c.hasHi {
		if k := cmpValues(c.typ, v, &c.hi); k > 0 || (k == 0 && !c.hiIncl) {
			return false
		}
	}
	if c.hasIn && !c.member(c.in, c.inSet, v) {
		return false
	}
	return len(c.out) == 0 || !c.member(c.out, c.outSet, v)
}

func (c *cond) member(vals []value, set map[int64]struct{}, v *value) bool {
	switch {
	case set != nil:
		_, ok := set[v.n]
		return ok
	case c.typ != TypeDecimal:
		// Strings compare by their interned id (see Table.intern).
		for i := range vals {
			if vals[i].n == v.n {
				return true
			}
		}
		return false
	}
	for i := range vals {
		if equalValues(c.typ, &vals[i], v) {
			return true
		}
	}
	return false
}

func (c *cond) matchList(list []string) bool {
	for _, s := range c.all {
		if !slices.Contains(list, s) {
			return false
		}
	}
	for _, s := range c.none {
		if slices.Contains(list, s) {
			return false
		}
	}
	for _, g := range c.anyOf {
		if !slices.ContainsFunc(list, func(s string) bool { return slices.Contains(g, s) }) {
			return false
		}
	}
	return true
}

// isRange reports whether the cell bounds its column from below or above.
func (c *cond) isRange() bool { return c.hasLo || c.hasHi }

// cellParser compiles the cells of one input column.
type cellParser struct {
	col     int
	def     *inputCol
	p       *problems
	options map[string]bool
}

// parse compiles the cell at path. Shapes the meta-schema refuses (null,
// arrays, unknown operators, $in without an array) make the table broken
// without a message of their own, since the schema has already reported
// them with better words.
func (cp *cellParser) parse(raw json.RawMessage, path string) (cond, bool) {
	c := cond{col: cp.col, typ: cp.def.Type}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		c.raw = buf.String()
	}
	v, err := decodeNumber(raw)
	if err != nil {
		cp.p.broken = true
		return c, false
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		if !scalar(v) {
			cp.p.broken = true
			return c, false
		}
		return c, cp.eq(&c, v, path)
	}
	if len(obj) == 0 {
		cp.p.broken = true
		return c, false
	}
	ok := true
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, op := range keys {
		if !cp.operator(&c, op, obj[op], path+"."+op) {
			ok = false
		}
	}
	return c, ok
}

// eq applies an equality: membership for a list column.
func (cp *cellParser) eq(c *cond, v any, path string) bool {
	if c.typ == TypeList {
		s, ok := cp.element(v, path)
		c.all = append(c.all, s)
		return ok
	}
	x, ok := cp.constant(v, path)
	c.in = intersect(c, []value{x})
	return ok
}

func (cp *cellParser) operator(c *cond, op string, v any, path string) bool {
	list := c.typ == TypeList
	switch op {
	case "$eq":
		return cp.eq(c, v, path)
	case "$ne":
		if list {
			s, ok := cp.element(v, path)
			c.none = append(c.none, s)
			return ok
		}
		x, ok := cp.constant(v, path)
		c.out = append(c.out, x)
		return ok
	case "$in", "$nin":
		arr, isArr := v.([]any)
		if !isArr {
			cp.p.broken = true
			return false
		}
		ok := true
		var strs []string
		var vals []value
		for i, it := range arr {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if list {
				s, good := cp.element(it, ip)
				strs, ok = append(strs, s), ok && good
				continue
			}
			x, good := cp.constant(it, ip)
			vals, ok = append(vals, x), ok && good
		}
		switch {
		case list && op == "$in":
			c.anyOf = append(c.anyOf, strs)
		case list:
			c.none = append(c.none, strs...)
		case op == "$in":
			c.in = intersect(c, vals)
		default:
			c.out = append(c.out, vals...)
		}
		return ok
	case "$gt", "$gte", "$lt", "$lte":
		if !ordered(c.typ) {
			cp.p.add(path, "rule.operator", "%s compares int, decimal, date and datetime columns; %q is %s", op, cp.def.Key, c.typ)
			return false
		}
		x, ok := cp.constant(v, path)
		lower := op == "$gt" || op == "$gte"
		if (lower && c.hasLo) || (!lower && c.hasHi) {
			cp.p.add(path, "rule.operator", "a cell takes one lower and one upper bound")
			return false
		}
		if lower {
			c.hasLo, c.loIncl, c.lo = true, op == "$gte", x
		} else {
			c.hasHi, c.hiIncl, c.hi = true, op == "$lte", x
		}
		return ok
	case "$contains":
		if !list {
			cp.p.add(path, "rule.operator", "$contains tests the elements of a list column; %q is %s", cp.def.Key, c.typ)
			return false
		}
		items, isArr := v.([]any)
		if !isArr {
			items = []any{v}
		}
		ok := true
		for i, it := range items {
			if _, isStr := it.(string); !isStr {
				cp.p.broken = true // the schema takes strings only here
				return false
			}
			ip := path
			if isArr {
				ip = fmt.Sprintf("%s[%d]", path, i)
			}
			s, good := cp.element(it, ip)
			c.all, ok = append(c.all, s), ok && good
		}
		return ok
	}
	cp.p.broken = true
	return false
}

// intersect narrows the cell's "in" set by vals ($eq and $in together).
func intersect(c *cond, vals []value) []value {
	if !c.hasIn {
		c.hasIn = true
		return vals
	}
	var out []value
	for _, a := range c.in {
		for j := range vals {
			if a.set && vals[j].set && equalValues(c.typ, &a, &vals[j]) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// scalar reports whether v has a shape the schema allows for an operand;
// other shapes are the schema's to report.
func scalar(v any) bool {
	switch v.(type) {
	case string, bool, json.Number:
		return true
	}
	return false
}

// constant reads one operand of a scalar column.
func (cp *cellParser) constant(v any, path string) (value, bool) {
	if !scalar(v) {
		cp.p.broken = true
		return value{}, false
	}
	x, why := parseConst(cp.def.Type, v, cp.def.loc)
	if why != "" {
		cp.p.add(path, "rule.value", "%s for %s column %q", why, cp.def.Type, cp.def.Key)
		return x, false
	}
	if cp.def.Type == TypeString && !cp.allowed(x.s, path) {
		return x, false
	}
	return x, true
}

// element reads one element of a list column's operand.
func (cp *cellParser) element(v any, path string) (string, bool) {
	if !scalar(v) {
		cp.p.broken = true
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		cp.p.add(path, "rule.value", "expected text: list column %q holds strings", cp.def.Key)
		return "", false
	}
	return s, cp.allowed(s, path)
}

// allowed checks a string against the column's options.
func (cp *cellParser) allowed(s, path string) bool {
	if cp.options == nil || cp.options[s] {
		return true
	}
	cp.p.add(path, "rule.option", "%q is not an option of column %q (%s)", s, cp.def.Key, strings.Join(cp.def.Options, ", "))
	return false
}

// finish builds the lookup maps of long sets. Decimals stay scanned: their
// n is only comparable when both sides are scaled.
func (c *cond) finish() {
	if c.typ == TypeDecimal || c.typ == TypeList {
		return
	}
	mk := func(vals []value) map[int64]struct{} {
		if len(vals) < setThreshold {
			return nil
		}
		m := make(map[int64]struct{}, len(vals))
		for _, v := range vals {
			m[v.n] = struct{}{}
		}
		return m
	}
	c.inSet, c.outSet = mk(c.in), mk(c.out)
}

// decodeNumber decodes JSON keeping numbers as json.Number, so nothing is
// rounded through float64.
func decodeNumber(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}
