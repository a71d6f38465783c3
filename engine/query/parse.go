package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// Limits that keep user filters cheap to parse and to run.
const (
	MaxDepth = 16  // nesting of JSON objects and arrays in one filter
	MaxNodes = 200 // AST nodes in one filter
)

// Options tune parsing.
type Options struct {
	// Vars resolves "$name" string values (row scopes use "$user.unit").
	// When nil, strings starting with "$" are literals.
	Vars map[string]any
	// Location is used for date-only values compared with time fields
	// (midnight in this zone). Default Asia/Shanghai.
	Location *time.Location
	// Root prefixes every error path (e.g. "filter").
	Root string
}

// DefaultLocation is the zone for date buckets and date-only time values.
var DefaultLocation = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The tz database is embedded via time/tzdata in the main package;
		// fall back to a fixed +08:00 so the engine still works.
		return time.FixedZone(name, 8*3600)
	}
	return loc
}

// ParseFilter parses a JSON filter against fields. An empty body or "null"
// gives nil (match everything). Every problem is reported at once, each with
// the JSON path of the offending part.
func ParseFilter(raw []byte, fields Fields, opt Options) (*Node, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errs.New(errs.Invalid, "query.malformed", "filter is not valid JSON: %s", jsonErrText(err))
	}
	if dec.More() {
		return nil, errs.New(errs.Invalid, "query.malformed", "filter has trailing data after the JSON value")
	}
	return ParseFilterValue(v, fields, opt)
}

// ParseFilterValue parses an already decoded JSON value (numbers as
// json.Number or Go numbers).
func ParseFilterValue(v any, fields Fields, opt Options) (*Node, error) {
	if v == nil {
		return nil, nil
	}
	if opt.Location == nil {
		opt.Location = DefaultLocation
	}
	p := &parser{fields: fields, opt: opt}
	root := opt.Root
	if root == "" {
		root = "$"
	}
	n := p.object(v, root, 1)
	if p.nodes > MaxNodes {
		p.fail(root, "query.too_large", "filter has %d nodes; at most %d are allowed", p.nodes, MaxNodes)
	}
	if err := errs.Validation(errs.Invalid, "query.invalid", "the filter is invalid", p.errs); err != nil {
		return nil, err
	}
	return n, nil
}

func jsonErrText(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	return err.Error()
}

type parser struct {
	fields Fields
	opt    Options
	nodes  int
	errs   []errs.FieldError
}

func (p *parser) fail(path, code, format string, args ...any) {
	if len(p.errs) < 50 {
		p.errs = append(p.errs, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
	}
}

func (p *parser) node(n *Node) *Node {
	p.nodes++
	return n
}

func (p *parser) tooDeep(path string, depth int) bool {
	if depth > MaxDepth {
		p.fail(path, "query.too_deep", "filter nesting is deeper than %d", MaxDepth)
		return true
	}
	return false
}

// object parses {"field": cond, "$and": [...], ...}; several keys are ANDed.
func (p *parser) object(v any, path string, depth int) *Node {
	if p.tooDeep(path, depth) {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		p.fail(path, "query.type", "expected an object, got %s", typeName(v))
		return nil
	}
	var items []*Node
	for _, k := range sortedKeys(obj) {
		val := obj[k]
		kp := path + "." + k
		switch {
		case k == "$and" || k == "$or":
			arr, ok := val.([]any)
			if !ok {
				p.fail(kp, "query.type", "%s takes an array of filters", k)
				continue
			}
			if p.tooDeep(kp, depth+1) {
				continue
			}
			n := p.node(&Node{Op: Op(k[1:])})
			for i, it := range arr {
				if c := p.object(it, fmt.Sprintf("%s[%d]", kp, i), depth+2); c != nil {
					n.Children = append(n.Children, c)
				}
			}
			items = append(items, n)
		case k == "$not":
			if c := p.object(val, kp, depth+1); c != nil {
				items = append(items, p.node(Not(c)))
			}
		case strings.HasPrefix(k, "$"):
			p.fail(kp, "query.unknown_operator", "unknown operator %q at the top of a filter (allowed: $and, $or, $not)", k)
		default:
			f, ok := p.fields[k]
			if !ok {
				p.fail(kp, "query.unknown_field", "unknown field %q", k)
				continue
			}
			items = append(items, p.condition(f, val, kp, depth+1)...)
		}
	}
	if len(items) == 1 {
		return items[0]
	}
	return p.node(&Node{Op: OpAnd, Children: items})
}

var leafOps = map[string]Op{
	"$eq": OpEq, "$ne": OpNe, "$gt": OpGt, "$gte": OpGte, "$lt": OpLt, "$lte": OpLte,
	"$in": OpIn, "$nin": OpNin, "$exists": OpExists, "$contains": OpContains, "$startsWith": OpStartsWith,
}

// condition parses the value side of "field": either a constant (equality)
// or an object of operators, which are ANDed.
func (p *parser) condition(f Field, v any, path string, depth int) []*Node {
	obj, isObj := v.(map[string]any)
	if !isObj {
		if _, isArr := v.([]any); isArr {
			p.fail(path, "query.type", "a field cannot be compared with an array; use $in or $contains")
			return nil
		}
		if val, ok := p.value(f, v, path); ok {
			return []*Node{p.node(&Node{Op: OpEq, Field: f, Value: val})}
		}
		return nil
	}
	if p.tooDeep(path, depth) {
		return nil
	}
	if len(obj) == 0 {
		p.fail(path, "query.empty", "an operator object needs at least one operator")
		return nil
	}
	var out []*Node
	for _, k := range sortedKeys(obj) {
		kp := path + "." + k
		op, ok := leafOps[k]
		if !ok {
			p.fail(kp, "query.unknown_operator", "unknown operator %q (allowed: %s)", k, allowedOps())
			continue
		}
		if n := p.leaf(f, op, obj[k], kp, depth+1); n != nil {
			out = append(out, p.node(n))
		}
	}
	return out
}

func (p *parser) leaf(f Field, op Op, v any, path string, depth int) *Node {
	switch op {
	case OpExists:
		b, ok := v.(bool)
		if !ok {
			p.fail(path, "query.type", "$exists takes true or false")
			return nil
		}
		return &Node{Op: op, Field: f, Value: Bool(b)}
	case OpIn, OpNin:
		v, fromVar, known := p.resolve(v)
		if !known {
			p.fail(path, "query.unknown_variable", "unknown variable %q", v)
			return nil
		}
		arr, ok := v.([]any)
		if !ok {
			p.fail(path, "query.type", "$%s takes an array", op)
			return nil
		}
		if p.tooDeep(path, depth) {
			return nil
		}
		// Lists from variables (a user's unit subtree) may be long; only
		// lists written into the filter count against the size limit.
		if !fromVar && len(arr) > MaxNodes {
			p.fail(path, "query.too_large", "$%s takes at most %d values", op, MaxNodes)
			return nil
		}
		n := &Node{Op: op, Field: f}
		for i, it := range arr {
			if val, ok := p.value(f, it, fmt.Sprintf("%s[%d]", path, i)); ok {
				n.Values = append(n.Values, val)
			}
		}
		return n
	}
	val, ok := p.value(f, v, path)
	if !ok {
		return nil
	}
	switch op {
	case OpGt, OpGte, OpLt, OpLte:
		if val.Null {
			p.fail(path, "query.type", "$%s cannot compare with null", op)
			return nil
		}
		if f.Kind == KindBool {
			p.fail(path, "query.operator_type", "$%s does not apply to a boolean field", op)
			return nil
		}
	case OpContains:
		if val.Null || (f.Kind != KindString && !f.Array) {
			p.fail(path, "query.operator_type", "$contains applies to text and array fields with a non-null value")
			return nil
		}
	case OpStartsWith:
		if val.Null || f.Kind != KindString || f.Array {
			p.fail(path, "query.operator_type", "$startsWith applies to text fields with a non-null value")
			return nil
		}
	}
	return &Node{Op: op, Field: f, Value: val}
}

// resolve substitutes a "$variable" string when variables are in use. It
// reports whether the value came from a variable and whether a "$" name was
// known. Slices of any element type become []any.
func (p *parser) resolve(v any) (out any, fromVar, known bool) {
	s, ok := v.(string)
	if !ok || p.opt.Vars == nil || !strings.HasPrefix(s, "$") {
		return v, false, true
	}
	r, ok := p.opt.Vars[s]
	if !ok {
		return s, false, false
	}
	return toAnySlice(r), true, true
}

// toAnySlice turns []string and other slices into []any; other values pass.
func toAnySlice(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return v
	}
	if a, ok := v.([]any); ok {
		return a
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

var (
	decimalRe = regexp.MustCompile(`^-?(0|[1-9][0-9]{0,29})(\.[0-9]{1,18})?$`)
	dateRe    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// value converts a JSON constant to a Value of the field's kind.
func (p *parser) value(f Field, v any, path string) (Value, bool) {
	if s, ok := v.(string); ok && p.opt.Vars != nil && strings.HasPrefix(s, "$") {
		r, ok := p.opt.Vars[s]
		if !ok {
			p.fail(path, "query.unknown_variable", "unknown variable %q", s)
			return Value{}, false
		}
		if reflect.ValueOf(r).Kind() == reflect.Slice {
			p.fail(path, "query.type", "variable %q is a list; use it with $in", s)
			return Value{}, false
		}
		v = r
	}
	if v == nil {
		return Null(f.Kind), true
	}
	bad := func(want string) (Value, bool) {
		p.fail(path, "query.type", "field %q is %s; got %s", f.Path, want, typeName(v))
		return Value{}, false
	}
	switch f.Kind {
	case KindString:
		if s, ok := v.(string); ok {
			return Str(s), true
		}
		return bad("text")
	case KindBool:
		if b, ok := v.(bool); ok {
			return Bool(b), true
		}
		return bad("a boolean")
	case KindInt:
		if i, ok := ToInt(v); ok {
			return Int(i), true
		}
		return bad("an integer")
	case KindDecimal:
		if s, ok := toDecimalText(v); ok {
			return Dec(s), true
		}
		return bad("a decimal number")
	case KindDate:
		if s, ok := v.(string); ok && dateRe.MatchString(s) {
			if _, err := time.Parse("2006-01-02", s); err == nil {
				return DateV(s), true
			}
		}
		return bad("a date (YYYY-MM-DD)")
	case KindTime:
		if s, ok := v.(string); ok {
			if t, err := ParseTime(s, p.opt.Location); err == nil {
				if t.Nanosecond()%int(time.Millisecond) != 0 {
					p.fail(path, "query.type", "times are kept to the millisecond; %q is more precise", s)
					return Value{}, false
				}
				return TimeV(FormatTime(t)), true
			}
		}
		return bad("a date-time (RFC 3339)")
	}
	p.fail(path, "query.type", "field %q has unknown kind %q", f.Path, f.Kind)
	return Value{}, false
}

// ToInt converts a decoded JSON or Go number to an int64 when it is an
// exact integer: json.Number, Go ints, and float64 (what scripts hand over)
// when integral and within ±2^53, where float64 is still exact. Engines that
// accept integers from JSON or scripts share it.
func ToInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(string(x), 10, 64)
		return i, err == nil
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int64(x), true
		}
	}
	return 0, false
}

func toDecimalText(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	default:
		return "", false
	}
	return s, decimalRe.MatchString(s)
}

// TimeLayout is the canonical stored form of date-times: UTC, millisecond
// precision, fixed width, so string order is time order in every store.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime renders t in the canonical stored form.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime accepts RFC 3339 (with or without fractional seconds) or a bare
// date, which means midnight in loc.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if dateRe.MatchString(s) {
		return time.ParseInLocation("2006-01-02", s, loc)
	}
	return time.Parse(time.RFC3339Nano, s)
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "text"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func allowedOps() string {
	ks := make([]string, 0, len(leafOps))
	for k := range leafOps {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}
