// Package script runs Tangram's formulas and scripts: JavaScript on goja, in
// a sandbox, on pooled runtimes, with deadlines.
//
// Formulas are single expressions over named parameters (record field keys),
// compiled once with CompileFormula and evaluated with Engine.EvalFormula,
// at more than a million simple evaluations per second per core. Scripts
// (action bodies) are compiled with Compile and run with Engine.Run, which
// takes the host API as explicit globals and returns the value and the log.
//
// Compiled programs are cached process-wide by SHA-256 of their source in a
// bounded LRU and are not tied to a runtime. An Engine keeps a channel pool
// of runtimes, each set up once: standard library, log, sandbox guards, and
// every intrinsic frozen (sandbox.go). A formula or script is instantiated
// once per runtime and then only called.
//
// Limits: a deadline per call enforced by one watchdog goroutine per engine
// (watchdog.go explains why not a timer per call), context cancellation,
// call-stack depth, the size and depth of returned values, guards on the
// built-ins that allocate or loop without bound in a single call, a regular
// expression match timeout, and a process heap guard. sandbox.go lists what
// goja does not let us bound.
//
// Errors are *errs.Error with the codes in errors.go; those about the source
// carry a *ScriptError cause with the line and column in the caller's source
// (PositionOf), and AtPath re-points their field errors at a definition's
// JSON path. Errors returned by host functions come back unchanged.
package script
