package sqlite

import (
	"strconv"
	"sync"
	"time"

	"github.com/tangram/tangram/engine/query"
	"github.com/tangram/tangram/engine/store"
)

// bucketFunc is the Go scalar function (registered on every connection,
// see funcs.go) that computes query.BucketKey where SQL's own date
// functions cannot: in zones whose UTC offset changes (daylight saving,
// or history such as China's 1986-1991 summer time).
const bucketFunc = "tangram_bucket"

// groupExpr writes the SQL of one group key: the field itself (x reads
// it), or its date bucket. Time fields hold canonical UTC strings; their
// bucket is computed in loc.
func groupExpr(b *sqlBuf, g query.GroupKey, x string, loc *time.Location) error {
	if g.Field.Array {
		return store.Wrapf(store.ErrInvalid, nil, "cannot group by the list field %q", g.Field.Path)
	}
	if g.Bucket == query.BucketNone {
		b.w(x)
		return nil
	}
	if _, ok := bucketFormats[g.Bucket]; !ok {
		return store.Wrapf(store.ErrInvalid, nil, "unknown date bucket %q", g.Bucket)
	}
	if !query.BucketFits(g.Bucket, g.Field.Kind) {
		return store.Wrapf(store.ErrInvalid, nil, "the %s bucket does not apply to %q (%s)", g.Bucket, g.Field.Path, g.Field.Kind)
	}
	if g.Field.Kind == query.KindDate {
		// A date has no zone: bucket the stored day.
		sqlBucket(b, g.Bucket, x, "")
		return nil
	}
	z := zoneInfo(loc)
	switch {
	case !z.fixed:
		goBucket(b, g.Bucket, x, loc)
		return nil
	case z.fixedSince.IsZero():
		sqlBucket(b, g.Bucket, x, z.modifier)
		return nil
	}
	// Constant offset only since fixedSince: SQL for values from then on
	// (canonical strings compare as times), Go for older ones.
	b.w("CASE WHEN ", x, " >= ")
	b.arg(query.FormatTime(z.fixedSince))
	b.w(" THEN ")
	sqlBucket(b, g.Bucket, x, z.modifier)
	b.w(" ELSE ")
	goBucket(b, g.Bucket, x, loc)
	b.w(" END")
	return nil
}

// bucketFormats are the strftime formats of the buckets computed by
// formatting alone.
var bucketFormats = map[query.Bucket]string{
	query.BucketDay: "%Y-%m-%d", query.BucketWeek: "", query.BucketMonth: "%Y-%m",
	query.BucketQuarter: "", query.BucketYear: "%Y", query.BucketHourOfDay: "%H", query.BucketDayOfWeek: "",
}

// sqlBucket writes the bucket of time value x shifted by the modifier
// (e.g. ", '+28800 seconds'", or "" for none), matching query.BucketKey:
// weeks start on the ISO Monday, quarters read "2026-Q4".
func sqlBucket(b *sqlBuf, bk query.Bucket, x, modifier string) {
	switch bk {
	case query.BucketWeek:
		// Back six days, then forward to the next Monday: the Monday on
		// or before the day.
		b.w("date(", x, modifier, ", '-6 days', 'weekday 1')")
	case query.BucketQuarter:
		b.w("strftime('%Y', ", x, modifier, ") || '-Q' || ((CAST(strftime('%m', ", x, modifier, ") AS INTEGER) + 2) / 3)")
	case query.BucketDayOfWeek:
		// strftime's %w counts from Sunday = 0; ISO counts Monday = 1 to
		// Sunday = 7. The || '' keeps the key text, as in query.BucketKey.
		b.w("((CAST(strftime('%w', ", x, modifier, ") AS INTEGER) + 6) % 7 + 1) || ''")
	default:
		b.w("strftime('", bucketFormats[bk], "', ", x, modifier, ")")
	}
}

func goBucket(b *sqlBuf, bk query.Bucket, x string, loc *time.Location) {
	name := registerZone(loc)
	b.w(bucketFunc, "(", x, ", ")
	b.arg(string(bk))
	b.w(", ")
	b.arg(name)
	b.w(")")
}

// zone describes a location for SQL bucketing.
type zone struct {
	fixed      bool      // the offset is constant from fixedSince on (through 2100 at least)
	fixedSince time.Time // zero: constant for all time
	modifier   string    // SQLite modifier applying that offset
}

var zoneCache sync.Map // *time.Location -> zone

// zoneInfo finds the instant since which loc's UTC offset has been
// constant, walking back from 2100 over the zone's transitions.
func zoneInfo(loc *time.Location) zone {
	if z, ok := zoneCache.Load(loc); ok {
		return z.(zone)
	}
	z := computeZone(loc)
	zoneCache.Store(loc, z)
	return z
}

func computeZone(loc *time.Location) zone {
	t := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).In(loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	if !end.IsZero() {
		// Transitions continue past 2100: daylight saving time.
		return zone{}
	}
	for !start.IsZero() {
		prev := start.Add(-time.Second).In(loc)
		if _, o := prev.Zone(); o != off {
			break
		}
		start, _ = prev.ZoneBounds()
	}
	return zone{fixed: true, fixedSince: start, modifier: offsetModifier(off)}
}

func offsetModifier(sec int) string {
	if sec == 0 {
		return ""
	}
	s := strconv.Itoa(sec)
	if sec > 0 {
		s = "+" + s
	}
	return ", '" + s + " seconds'"
}

// zonesByName lets the Go bucket function find a location from the name
// bound in SQL. Named IANA zones load by name; a custom zone is kept under
// its own name. Bounded by the number of distinct zone names in use.
var zonesByName sync.Map // string -> *time.Location

func registerZone(loc *time.Location) string {
	name := loc.String()
	if _, ok := zonesByName.Load(name); ok {
		return name
	}
	if l, err := time.LoadLocation(name); err == nil {
		zonesByName.Store(name, l)
	} else {
		zonesByName.Store(name, loc)
	}
	return name
}

// bucketKey implements the SQL function: the bucket key of the time text
// s in the named zone, or false (SQL NULL) when either is unusable.
func bucketKey(s, bucket, zoneName string) (string, bool) {
	v, ok := zonesByName.Load(zoneName)
	if !ok {
		l, err := time.LoadLocation(zoneName)
		if err != nil {
			return "", false
		}
		v, _ = zonesByName.LoadOrStore(zoneName, l)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", false
	}
	if _, known := bucketFormats[query.Bucket(bucket)]; !known {
		return "", false
	}
	return query.BucketKey(t, query.Bucket(bucket), v.(*time.Location)), true
}
