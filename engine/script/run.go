package script

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/tangram/tangram/engine/errs"
)

// HostFunc is a Go function a caller exposes to scripts through
// RunOptions.Globals, alone or as a method of a map[string]any host object
// (Globals{"ledger": map[string]any{"post": HostFunc(...)}}). Arguments
// arrive converted like results (JSON-like Go values, bounded by
// MaxOutputBytes); the result is converted like an input. ctx is the Run's
// context.
//
// A returned error is thrown into the script as an Error whose message is
// the *errs.Error's client-safe Msg (a foreign error shows only "internal
// error") and whose `code` property is its code. If the script does not
// catch it, Run returns the original error, so "ledger.insufficient_balance"
// keeps its code through a script. A panic becomes an internal error the
// same way.
type HostFunc func(ctx context.Context, args []any) (any, error)

// RunOptions are the per-run inputs of Run.
type RunOptions struct {
	// Timeout bounds the run; zero means Options.ScriptTimeout.
	Timeout time.Duration
	// Globals are the host API for this run: names (JavaScript identifiers)
	// to JSON-like values, HostFuncs and map[string]any objects of them.
	// They live on a global object made for this run only.
	Globals map[string]any
	// Input is the value of `input` inside the script.
	Input any
}

// RunResult is what a script produced. Logs are returned even when Run
// fails, since they are most useful then.
type RunResult struct {
	// Value is the returned value, converted like a formula result.
	Value any
	// Logs holds the lines written with log(...) or console.log(...), at
	// most Options.MaxLogLines, each at most maxLogLine bytes.
	Logs []string
}

// maxLogLine bounds one log line.
const maxLogLine = 2000

// Run runs p on a pooled runtime, within opts.Timeout (or
// Options.ScriptTimeout) and ctx. Errors are *errs.Error with the codes
// listed in errors.go, except errors from host functions, which come back
// unchanged.
func (e *Engine) Run(ctx context.Context, p *Program, opts RunOptions) (RunResult, error) {
	if p == nil {
		return RunResult{}, inputErr("nil program")
	}
	if e.closed.Load() {
		return RunResult{}, closedErr()
	}
	if ctx.Err() != nil {
		return RunResult{}, canceledErr(ctx, Position{})
	}
	s, err := e.acquire()
	if err != nil {
		return RunResult{}, err
	}
	defer e.recoverSlot(s)
	res, err := s.run(ctx, p, opts)
	e.release(s)
	return res, err
}

func (s *slot) run(ctx context.Context, p *Program, opts RunOptions) (RunResult, error) {
	fn, err := s.fn(p.id, p.prog)
	if err != nil {
		return RunResult{}, err
	}
	s.ctx, s.logging = ctx, true
	defer s.endRun()

	// A fresh global object per run, inheriting the frozen built-ins: what
	// a run defines (host globals, or anything sloppy code reaches through
	// the Function constructor) is gone with it.
	g := s.rt.NewObject()
	if err := g.SetPrototype(s.base); err != nil {
		return RunResult{}, err
	}
	for name, v := range opts.Globals {
		if !isIdentifier(name) || reservedWords[name] || name == "input" {
			return RunResult{}, inputErr("global name %q is not usable (identifier, not reserved, not \"input\")", name)
		}
		var val goja.Value
		if fn, ok := v.(HostFunc); ok {
			val = s.hostFunc(name, fn)
		} else if val, err = s.toValue(v, 0); err != nil {
			return RunResult{}, err
		}
		if err := define(g, name, val); err != nil {
			return RunResult{}, err
		}
	}
	if err := define(g, "globalThis", g); err != nil {
		return RunResult{}, err
	}
	input, err := s.toValue(opts.Input, 0)
	if err != nil {
		return RunResult{}, err
	}

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = s.e.opts.ScriptTimeout
	}
	s.rt.SetGlobalObject(g)
	defer s.rt.SetGlobalObject(s.base)
	out, err := s.call(ctx, fn, []goja.Value{input}, ticksFor(timeout), scriptName, timeout)
	return RunResult{Value: out, Logs: s.takeLogs()}, err
}

// define shadows a possibly inherited (frozen, read-only) global with an
// own property; plain assignment would fail on the inherited one.
func define(g *goja.Object, name string, v goja.Value) error {
	if err := g.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		return inputErr("define global %q: %v", name, err)
	}
	return nil
}

// endRun clears the per-run state so nothing of this run reaches the next.
func (s *slot) endRun() {
	s.ctx, s.logging = nil, false
	s.logs, s.dropped = nil, 0
	clear(s.hostErrs)
}

func (s *slot) takeLogs() []string {
	logs := s.logs
	if s.dropped > 0 {
		logs = append(logs, fmt.Sprintf("(%d more log lines dropped)", s.dropped))
	}
	s.logs, s.dropped = nil, 0
	return logs
}

// installLog defines log and console.log/info/warn/error. Outside Run (in
// formulas) they do nothing.
func installLog(s *slot) {
	fn := func(c goja.FunctionCall) goja.Value {
		s.log(c.Arguments)
		return goja.Undefined()
	}
	setGlobal(s.rt, "log", fn)
	console := s.rt.NewObject()
	for _, k := range []string{"log", "info", "warn", "error"} {
		if err := console.Set(k, nativeFunc(s.rt, k, fn)); err != nil {
			panic(err)
		}
	}
	if err := s.rt.GlobalObject().Set("console", console); err != nil {
		panic(err)
	}
}

func (s *slot) log(args []goja.Value) {
	if !s.logging {
		return
	}
	if len(s.logs) >= s.e.opts.MaxLogLines {
		s.dropped++
		return
	}
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if goja.IsString(a) {
			b.WriteString(truncate(a.String(), maxLogLine))
		} else {
			x := exporter{budget: maxLogLine, maxBytes: maxLogLine, maxDepth: 16}
			out, skip, err := x.value(a, 0)
			switch {
			case err != nil:
				b.WriteString("[too large to log]")
			case skip:
				b.WriteString(a.String())
			default:
				j, _ := json.Marshal(out)
				b.Write(j)
			}
		}
		if b.Len() > maxLogLine {
			break
		}
	}
	s.logs = append(s.logs, truncate(b.String(), maxLogLine))
}

// hostFunc exposes f to the script as the function name.
func (s *slot) hostFunc(name string, f HostFunc) goja.Value {
	return nativeFunc(s.rt, name, func(c goja.FunctionCall) goja.Value {
		args := make([]any, len(c.Arguments))
		for i, a := range c.Arguments {
			x := exporter{budget: s.e.opts.MaxOutputBytes, maxBytes: s.e.opts.MaxOutputBytes, maxDepth: s.e.opts.MaxOutputDepth}
			v, _, err := x.value(a, 0)
			if err != nil {
				s.throwHost(err)
			}
			args[i] = v
		}
		res, err := s.callHost(f, args)
		if err != nil {
			s.throwHost(err)
		}
		v, err := s.toValue(res, 0)
		if err != nil {
			s.throwHost(err)
		}
		return v
	})
}

func (s *slot) callHost(f HostFunc, args []any) (res any, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = errs.Wrap(fmt.Errorf("panic: %v", x), errs.Internal, CodeHostPanic, "host function failed")
		}
	}()
	ctx := s.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return f(ctx, args)
}

// throwHost throws err into the script as an Error object with a `code`,
// remembering the object so that, uncaught, it maps back to err.
func (s *slot) throwHost(err error) {
	msg, code := "internal error", "internal"
	if e, ok := errs.As(err); ok {
		msg, code = e.Msg, e.Code
		if msg == "" {
			msg = e.Code
		}
	}
	obj, jerr := s.rt.New(s.errorCtor, s.rt.ToValue(msg))
	if jerr != nil {
		panic(jerr)
	}
	if err := obj.Set("code", code); err != nil {
		panic(err)
	}
	if s.hostErrs == nil {
		s.hostErrs = make(map[*goja.Object]error)
	}
	s.hostErrs[obj] = err
	panic(obj)
}
