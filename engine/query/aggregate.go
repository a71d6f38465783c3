package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tangram/tangram/engine/errs"
)

// Bucket truncates a date or time field for grouping. Keys are strings:
// day "2026-11-23", week "2026-11-23" (the ISO week's Monday), month
// "2026-11", quarter "2026-Q4", year "2026"; the cyclic buckets hour of
// day "00".."23" (time fields only) and ISO day of week "1" (Monday) ..
// "7" (Sunday), whose keys sort in their natural order.
type Bucket string

// Date buckets.
const (
	BucketNone      Bucket = ""
	BucketDay       Bucket = "day"
	BucketWeek      Bucket = "week"
	BucketMonth     Bucket = "month"
	BucketQuarter   Bucket = "quarter"
	BucketYear      Bucket = "year"
	BucketHourOfDay Bucket = "hourOfDay"
	BucketDayOfWeek Bucket = "dayOfWeek"
)

// Buckets lists the buckets in the order messages name them.
var Buckets = []Bucket{BucketDay, BucketWeek, BucketMonth, BucketQuarter, BucketYear, BucketHourOfDay, BucketDayOfWeek}

// ValidBucket reports whether b is a known bucket (not BucketNone).
func ValidBucket(b Bucket) bool {
	for _, k := range Buckets {
		if k == b {
			return true
		}
	}
	return false
}

// BucketFits reports whether bucket b applies to a field of kind k: every
// bucket to time fields, all but hour of day to dates (a date has no time).
func BucketFits(b Bucket, k Kind) bool {
	switch k {
	case KindTime:
		return true
	case KindDate:
		return b != BucketHourOfDay
	}
	return false
}

// AggFn is a measure function.
type AggFn string

// Measure functions.
const (
	FnCount         AggFn = "count"
	FnSum           AggFn = "sum"
	FnAvg           AggFn = "avg"
	FnMin           AggFn = "min"
	FnMax           AggFn = "max"
	FnCountDistinct AggFn = "countDistinct"
)

// GroupKey is one grouping dimension, output under As.
//
// Bins, when set, groups a number, date or time field into ranges instead
// of by value: the key is the integer i such that Bins[i-1] <= value <
// Bins[i] (0 below the first bound, len(Bins) from the last one on), null
// for null. Bounds are of the field's kind and strictly ascending; a
// GroupKey has Bins or a Bucket, never both.
type GroupKey struct {
	Field  Field
	Bucket Bucket
	Bins   []Value
	As     string
}

// Measure is one computed column, output under As. Count has no field.
//
// Filter, when set, makes the measure conditional: it aggregates only the
// grouped documents that match (count of refunded orders next to the
// count of all orders, in one pass). Only engine code builds it: the JSON
// form has no filter, because callers such as the records API check the
// fields a spec names and would not see the ones inside it.
//
// MinRows, when above zero (countDistinct only), counts only the values
// found in at least MinRows of the group's rows that match Filter: the
// members with two or more orders in the period. Adapters compute it in
// the database (a group by the keys and the field, then a count per keys).
type Measure struct {
	Fn      AggFn
	Field   Field
	Filter  *Node
	As      string
	MinRows int
}

// Aggregate is a group-by over one collection. Rows come back as documents
// keyed by the As names; numbers as json.Number. Without Sort, rows are
// ordered by the group keys ascending.
type Aggregate struct {
	Filter   *Node
	Group    []GroupKey
	Measures []Measure
	Having   *Node     // over output names
	Sort     []SortKey // over output names
	Limit    int       // 0 means no limit (ParseAggregate defaults user specs to MaxAggLimit)
	Location *time.Location
}

// Outputs lists the output columns as fields, for Having and Sort.
func (a *Aggregate) Outputs() Fields {
	fs := Fields{}
	for _, g := range a.Group {
		k := g.Field.Kind
		switch {
		case len(g.Bins) > 0:
			k = KindInt
		case g.Bucket != BucketNone:
			k = KindString
		}
		fs[g.As] = Field{Path: g.As, Kind: k}
	}
	for _, m := range a.Measures {
		fs[m.As] = Field{Path: m.As, Kind: measureKind(m)}
	}
	return fs
}

func measureKind(m Measure) Kind {
	switch m.Fn {
	case FnCount, FnCountDistinct:
		return KindInt
	case FnAvg:
		return KindDecimal
	}
	return m.Field.Kind
}

// aggJSON is the wire form of an aggregation.
type aggJSON struct {
	Filter  json.RawMessage `json:"filter"`
	GroupBy []struct {
		Field  string `json:"field"`
		Bucket Bucket `json:"bucket"`
		Bins   []any  `json:"bins"`
		As     string `json:"as"`
	} `json:"groupBy"`
	Measures []struct {
		Op    AggFn  `json:"op"`
		Field string `json:"field"`
		As    string `json:"as"`
	} `json:"measures"`
	Having   json.RawMessage `json:"having"`
	Sort     string          `json:"sort"`
	Limit    int             `json:"limit"`
	TimeZone string          `json:"timeZone"`
}

var aliasRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// MaxAggLimit bounds the rows one aggregation may return.
const MaxAggLimit = 10000

// ParseAggregate parses the JSON aggregation spec against fields.
func ParseAggregate(raw []byte, fields Fields) (*Aggregate, error) {
	var in aggJSON
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	d.UseNumber()
	if err := d.Decode(&in); err != nil {
		return nil, errs.New(errs.Invalid, "query.malformed", "aggregation is not valid: %s", jsonErrText(err))
	}
	a := &Aggregate{Limit: in.Limit, Location: DefaultLocation}
	var fe []errs.FieldError
	add := func(path, code, format string, args ...any) {
		fe = append(fe, errs.FieldError{Path: path, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if in.TimeZone != "" {
		loc, err := time.LoadLocation(in.TimeZone)
		if err != nil {
			add("timeZone", "query.time_zone", "unknown time zone %q", in.TimeZone)
		} else {
			a.Location = loc
		}
	}
	seen := map[string]bool{}
	alias := func(path, as, def string) string {
		if as == "" {
			as = def
		}
		if !aliasRe.MatchString(as) {
			add(path, "query.alias", "output name %q must be an identifier", as)
		} else if seen[as] {
			add(path, "query.alias", "output name %q is used twice", as)
		}
		seen[as] = true
		return as
	}
	if len(in.GroupBy) > 8 {
		add("groupBy", "query.too_large", "at most 8 group keys")
	}
	for i, g := range in.GroupBy {
		p := fmt.Sprintf("groupBy[%d]", i)
		f, ok := fields[g.Field]
		if !ok {
			add(p+".field", "query.unknown_field", "unknown field %q", g.Field)
			continue
		}
		switch {
		case g.Bucket == BucketNone:
		case !ValidBucket(g.Bucket):
			add(p+".bucket", "query.unknown_operator", "unknown bucket %q (%s)", g.Bucket, bucketNames())
		case !BucketFits(g.Bucket, f.Kind):
			add(p+".bucket", "query.operator_type", "the %s bucket does not apply to a %s field", g.Bucket, f.Kind)
		}
		if f.Array {
			add(p+".field", "query.operator_type", "cannot group by the list field %q", g.Field)
		}
		def := strings.ReplaceAll(g.Field, ".", "_")
		if g.Bucket != "" {
			def += "_" + string(g.Bucket)
		}
		gk := GroupKey{Field: f, Bucket: g.Bucket, As: alias(p+".as", g.As, def)}
		if g.Bins != nil {
			if g.Bucket != BucketNone {
				add(p+".bins", "query.bins", "a group key has bins or a bucket, not both")
			} else {
				var bad []errs.FieldError
				gk.Bins, bad = ParseBins(g.Bins, f, a.Location, p+".bins")
				fe = append(fe, bad...)
			}
		}
		a.Group = append(a.Group, gk)
	}
	if len(in.Measures) == 0 || len(in.Measures) > 32 {
		add("measures", "query.measures", "give between 1 and 32 measures")
	}
	for i, m := range in.Measures {
		p := fmt.Sprintf("measures[%d]", i)
		me := Measure{Fn: m.Op}
		switch m.Op {
		case FnCount:
			if m.Field != "" {
				add(p+".field", "query.operator_type", "count takes no field (use countDistinct)")
			}
		case FnSum, FnAvg, FnMin, FnMax, FnCountDistinct:
			f, ok := fields[m.Field]
			if !ok {
				add(p+".field", "query.unknown_field", "unknown field %q", m.Field)
				continue
			}
			numeric := f.Kind == KindInt || f.Kind == KindDecimal
			if (m.Op == FnSum || m.Op == FnAvg) && !numeric {
				add(p+".field", "query.operator_type", "%s needs a number field", m.Op)
			}
			if f.Array {
				add(p+".field", "query.operator_type", "cannot aggregate the list field %q", m.Field)
			}
			me.Field = f
		default:
			add(p+".op", "query.unknown_operator", "unknown measure %q (count, sum, avg, min, max, countDistinct)", m.Op)
			continue
		}
		def := string(m.Op)
		if m.Field != "" {
			def += "_" + strings.ReplaceAll(m.Field, ".", "_")
		}
		me.As = alias(p+".as", m.As, def)
		a.Measures = append(a.Measures, me)
	}
	if a.Limit < 0 || a.Limit > MaxAggLimit {
		add("limit", "query.limit", "limit must be between 0 and %d", MaxAggLimit)
	}
	if a.Limit == 0 {
		// A user's aggregation never returns an unbounded number of groups.
		a.Limit = MaxAggLimit
	}
	if err := errs.Validation(errs.Invalid, "query.invalid", "the aggregation is invalid", fe); err != nil {
		return nil, err
	}
	var err error
	if a.Filter, err = ParseFilter(in.Filter, fields, Options{Root: "filter", Location: a.Location}); err != nil {
		return nil, err
	}
	outs := a.Outputs()
	if a.Having, err = ParseFilter(in.Having, outs, Options{Root: "having", Location: a.Location}); err != nil {
		return nil, err
	}
	if a.Sort, err = ParseSort(in.Sort, outs); err != nil {
		return nil, err
	}
	return a, nil
}

func bucketNames() string {
	names := make([]string, len(Buckets))
	for i, b := range Buckets {
		names[i] = string(b)
	}
	return strings.Join(names, ", ")
}

// BucketKey computes the bucket key of t in loc. Adapters use it where the
// database cannot (and tests use it as the independent reference).
func BucketKey(t time.Time, b Bucket, loc *time.Location) string {
	t = t.In(loc)
	switch b {
	case BucketHourOfDay:
		return fmt.Sprintf("%02d", t.Hour())
	case BucketDayOfWeek:
		return fmt.Sprintf("%d", (int(t.Weekday())+6)%7+1)
	case BucketDay:
		return t.Format("2006-01-02")
	case BucketWeek:
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return t.AddDate(0, 0, -wd).Format("2006-01-02")
	case BucketMonth:
		return t.Format("2006-01")
	case BucketQuarter:
		return fmt.Sprintf("%04d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
	case BucketYear:
		return t.Format("2006")
	}
	return FormatTime(t)
}
