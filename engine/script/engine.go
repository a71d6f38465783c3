package script

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// Defaults for Options fields left zero.
const (
	DefaultFormulaTimeout   = 50 * time.Millisecond
	DefaultScriptTimeout    = 2 * time.Second
	DefaultMaxCallStackSize = 1024
	DefaultMaxOutputBytes   = 1 << 20
	DefaultMaxOutputDepth   = 64
	DefaultMaxStringLength  = 1 << 22
	DefaultMaxArrayLength   = 1 << 22
	DefaultMaxArguments     = 1 << 16
	DefaultMaxHeapBytes     = 4 << 30
	DefaultMaxLogLines      = 100
	DefaultTimeZone         = "Asia/Shanghai"
)

// Options configure an Engine. The zero value is usable: every zero field
// takes its Default* value.
type Options struct {
	// FormulaTimeout bounds one EvalFormula call.
	FormulaTimeout time.Duration
	// ScriptTimeout bounds one Run when RunOptions.Timeout is zero.
	ScriptTimeout time.Duration
	// PoolSize is how many idle runtimes are kept for reuse; default
	// GOMAXPROCS*2. More callers than that at once get extra runtimes that
	// are dropped after use rather than waiting, so a script whose host
	// function evaluates a formula can never deadlock on the pool. A runtime
	// costs about 4.5 ms and 2 MB to build (BenchmarkNewRuntime), so a server
	// running many scripts at once (actions waiting on the store) should set
	// PoolSize to that concurrency.
	PoolSize int
	// MaxCallStackSize bounds JavaScript call depth (deep recursion fails
	// with CodeLimit instead of growing memory).
	MaxCallStackSize int
	// MaxOutputBytes bounds the approximate JSON size of a returned value and
	// of each value handed to a host function.
	MaxOutputBytes int
	// MaxOutputDepth bounds nesting of returned values (cycles hit it too).
	MaxOutputDepth int
	// MaxStringLength bounds strings made by the amplifying built-ins
	// (repeat, padStart/padEnd, join, concat, replace/replaceAll).
	MaxStringLength int
	// MaxArrayLength bounds the length of arrays that Array methods and
	// Array.from will walk; native loops cannot be interrupted, so this is
	// what keeps `a.length = 4e9; a.indexOf(1)` from pinning a core.
	MaxArrayLength int
	// MaxArguments bounds the array-like spread by apply/Reflect.apply/
	// Reflect.construct.
	MaxArguments int
	// MaxHeapBytes is the process heap size (live and not yet collected
	// objects) above which every running script is interrupted with
	// CodeLimit. goja cannot account memory per runtime, so this is a
	// process-wide emergency brake against runaway growth; negative disables.
	MaxHeapBytes int64
	// MaxLogLines bounds the log lines a Run keeps.
	MaxLogLines int
	// Location is the time zone of TODAY(), date parts of datetimes and
	// DAYS_BETWEEN; default Asia/Shanghai.
	Location *time.Location
	// Clock is read by TODAY(), NOW(), now(), Date.now() and new Date();
	// default time.Now. Tests inject a fixed clock.
	Clock func() time.Time
	// Lang gives the language of a run's caller from the run's context
	// ("zh-CN", "en"), in which coded failures a script throws are
	// reported (thrown.go); nil or "" means zh-CN.
	Lang func(ctx context.Context) string
}

// Engine runs compiled formulas and scripts on a pool of sandboxed goja
// runtimes. It is safe for concurrent use. Programs and formulas are not
// tied to an engine: compile once, run on any engine.
type Engine struct {
	opts         Options
	idle         *idlePool
	wd           *watchdog
	closed       atomic.Bool
	formulaTicks int64
	scriptTicks  int64
}

// New makes an engine. Call Close when done with it to stop its watchdog
// goroutine.
func New(opts Options) *Engine {
	opts = opts.withDefaults()
	e := &Engine{
		opts:         opts,
		idle:         newIdlePool(opts.PoolSize),
		formulaTicks: ticksFor(opts.FormulaTimeout),
		scriptTicks:  ticksFor(opts.ScriptTimeout),
	}
	e.wd = newWatchdog(opts.MaxHeapBytes)
	return e
}

// Close stops the watchdog and drops idle runtimes. Runs after Close fail
// with CodeClosed; runs in progress finish (their deadlines no longer
// apply).
func (e *Engine) Close() {
	if e.closed.Swap(true) {
		return
	}
	e.wd.close()
	for _, s := range e.idle.drain() {
		e.wd.remove(s)
	}
}

// Options returns the effective options, defaults filled in.
func (e *Engine) Options() Options { return e.opts }

func (o Options) withDefaults() Options {
	if o.FormulaTimeout <= 0 {
		o.FormulaTimeout = DefaultFormulaTimeout
	}
	if o.ScriptTimeout <= 0 {
		o.ScriptTimeout = DefaultScriptTimeout
	}
	if o.PoolSize <= 0 {
		o.PoolSize = runtime.GOMAXPROCS(0) * 2
	}
	if o.MaxCallStackSize <= 0 {
		o.MaxCallStackSize = DefaultMaxCallStackSize
	}
	if o.MaxOutputBytes <= 0 {
		o.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if o.MaxOutputDepth <= 0 {
		o.MaxOutputDepth = DefaultMaxOutputDepth
	}
	if o.MaxStringLength <= 0 {
		o.MaxStringLength = DefaultMaxStringLength
	}
	if o.MaxArrayLength <= 0 {
		o.MaxArrayLength = DefaultMaxArrayLength
	}
	if o.MaxArguments <= 0 {
		o.MaxArguments = DefaultMaxArguments
	}
	if o.MaxHeapBytes == 0 {
		o.MaxHeapBytes = DefaultMaxHeapBytes
	}
	if o.MaxLogLines <= 0 {
		o.MaxLogLines = DefaultMaxLogLines
	}
	if o.Location == nil {
		o.Location = defaultLocation()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return o
}

// defaultLocation falls back to a fixed UTC+8 zone when the system has no
// tz database: China has had no daylight saving time since 1991, so the
// fixed zone is exact for every date the CRM deals with.
func defaultLocation() *time.Location {
	if loc, err := time.LoadLocation(DefaultTimeZone); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}
