package sqlite

import (
	"net/url"
	"strconv"
)

// Connection settings, the same for both driver bindings.
const (
	busyTimeoutMilliseconds = 10_000    // wait this long for another process's lock
	cacheKiB                = 16 * 1024 // page cache per connection
	walLimitBytes           = 64 << 20  // truncate the WAL back to this after checkpoints
	// walBufParam names, in the writer's DSN, the token under which its
	// WAL file buffers writes (walbuf_ncruces.go).
	walBufParam = "tangram_walbuf"
)

// dsn builds the data source name for the database file at the absolute
// path abs. Pragmas are per connection, so they go in the DSN and apply to
// every connection a pool opens; both drivers read "_pragma" parameters.
func dsn(abs string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(busyTimeoutMilliseconds)+")")
	q.Add("_pragma", "cache_size(-"+strconv.Itoa(cacheKiB)+")")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "journal_size_limit("+strconv.Itoa(walLimitBytes)+")")
		// Every request runs in a savepoint (writer.go), so SQLite copies
		// each page a request first changes to the savepoint's
		// sub-journal; in a temporary file that is a write system call
		// per page. In memory it is bounded by the pages one group
		// transaction changes, and durability does not depend on it (the
		// WAL is what is synced).
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	for k, v := range driverDSNParams {
		q.Set(k, v)
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String()
}

// scalarFunc is a deterministic SQL function written in Go. Arguments and
// results are Go values as SQL sees them: nil, int64, float64, string or
// []byte; a nil result is SQL NULL.
type scalarFunc struct {
	name  string
	nargs int
	fn    func(args []any) any
}

// aggregateFunc is a one-argument SQL aggregate written in Go.
type aggregateFunc struct {
	name string
	make func() aggImpl
}

// aggImpl accumulates one group.
type aggImpl interface {
	add(v any)
	result() any
}

// The adapter's SQL functions, registered on every connection by the
// driver binding (driver_*.go).
var (
	scalarFuncs = []scalarFunc{
		{bucketFunc, 3, func(a []any) any {
			s, ok1 := a[0].(string)
			b, ok2 := a[1].(string)
			z, ok3 := a[2].(string)
			if !ok1 || !ok2 || !ok3 {
				return nil
			}
			if k, ok := bucketKey(s, b, z); ok {
				return k
			}
			return nil
		}},
		{decCmpFunc, 2, func(a []any) any {
			if c, ok := sqlDecCmp(a[0], a[1]); ok {
				return c
			}
			return nil
		}},
		{decKeyFunc, 1, func(a []any) any {
			if k, ok := sqlDecKey(a[0]); ok {
				return k
			}
			return nil
		}},
		{decNormFunc, 1, func(a []any) any {
			if k, ok := sqlDecNorm(a[0]); ok {
				return k
			}
			return nil
		}},
	}
	aggregateFuncs = []aggregateFunc{
		{decSumFunc, func() aggImpl { return &sumImpl{} }},
		{decMinFunc, func() aggImpl { return &decExtreme{} }},
		{decMaxFunc, func() aggImpl { return &decExtreme{max: true} }},
	}
)

type sumImpl struct{ s decSum }

func (s *sumImpl) add(v any)   { s.s.add(v) }
func (s *sumImpl) result() any { return s.s.text() }
